package org.dmaemu.metrics;

/**
 * Where the framework objects report what contention researchers measure: how long transactions
 * waited for the adapter lock and for map registers, and map registers still held when an adapter
 * went away. Implementations must not block: many actors report at once (the node's metrics use
 * concurrent histograms and adders).
 */
public interface DmaObserver {

  DmaObserver NONE =
      new DmaObserver() {
        @Override
        public void adapterLockWait(String adapterId, long micros) {}

        @Override
        public void mapRegisterWait(String adapterId, int registers, long micros) {}

        @Override
        public void mapRegistersLeaked(String adapterId, int registers) {}
      };

  /** A transaction got the adapter lock after waiting {@code micros} of modeled time. */
  void adapterLockWait(String adapterId, long micros);

  /** A transaction got {@code registers} map registers after waiting {@code micros}. */
  void mapRegisterWait(String adapterId, int registers, long micros);

  /** An adapter's pool stopped with {@code registers} still granted (Driver Verifier 0xE6/0x09). */
  void mapRegistersLeaked(String adapterId, int registers);
}
