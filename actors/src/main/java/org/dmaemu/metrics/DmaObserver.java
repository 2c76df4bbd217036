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

  /**
   * A transaction went away holding {@code registers} map registers without giving them back: its
   * device crashed or hung, or it was deleted with its device while in Transfer (reference §6.4).
   */
  void mapRegistersLeaked(String adapterId, int registers);
}
