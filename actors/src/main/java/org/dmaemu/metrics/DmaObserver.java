package org.dmaemu.metrics;

import org.dmaemu.fault.FaultObserver;

/**
 * Where the framework objects and the platform report what contention researchers measure: how
 * long transactions waited for the adapter lock and map registers and DMA engines for the bus, map
 * registers still held when an adapter went away, and every change of an arbiter's occupancy and
 * queue (for utilization and queue depth over time). Implementations must not block: many actors
 * report at once (the node's metrics use concurrent histograms and adders).
 *
 * <p>Waits are reported by whoever waited (the transaction; the bus for its requesters); changes by
 * the arbiter itself ({@code AdapterLock}, {@code MapRegisterPool}, {@code Bus}) on every grant,
 * release, enqueue and withdrawal, stamped with the node clock's modeled time.
 */
public interface DmaObserver extends FaultObserver {

  DmaObserver NONE =
      new DmaObserver() {
        @Override
        public void adapterLockWait(String adapterId, String deviceId, long micros) {}

        @Override
        public void mapRegisterWait(String adapterId, String deviceId, int registers, long micros) {}

        @Override
        public void mapRegistersLeaked(String adapterId, int registers) {}

        @Override
        public void busWait(String busId, String deviceId, long micros) {}

        @Override
        public void adapterLockChanged(String adapterId, boolean held, int waiting, long atMicros) {}

        @Override
        public void mapRegistersChanged(String adapterId, int inUse, int capacity, int waiting, long atMicros) {}

        @Override
        public void busChanged(String busId, boolean busy, int waiting, long atMicros) {}
      };

  /** A transaction of {@code deviceId} got the adapter lock after waiting {@code micros} of modeled time. */
  void adapterLockWait(String adapterId, String deviceId, long micros);

  /** A transaction of {@code deviceId} got {@code registers} map registers after waiting {@code micros}. */
  void mapRegisterWait(String adapterId, String deviceId, int registers, long micros);

  /**
   * A transaction went away holding {@code registers} map registers without giving them back: its
   * device crashed or hung, or it was deleted with its device while in Transfer (reference §6.4).
   */
  void mapRegistersLeaked(String adapterId, int registers);

  /** A transfer of {@code deviceId}'s DMA engine got the bus after waiting {@code micros}. */
  void busWait(String busId, String deviceId, long micros);

  /** The adapter lock changed hands or its queue changed, at modeled time atMicros. */
  void adapterLockChanged(String adapterId, boolean held, int waiting, long atMicros);

  /** Registers in use / capacity / waiting requests changed, at modeled time atMicros. */
  void mapRegistersChanged(String adapterId, int inUse, int capacity, int waiting, long atMicros);

  /** The bus was granted or freed, or its queue changed, at modeled time atMicros. */
  void busChanged(String busId, boolean busy, int waiting, long atMicros);

  /**
   * An arbiter of {@code adapterId} ({@code arbiter}: "adapter lock" or "map registers") crashed at
   * {@code crashedAtMicros} and serves again from {@code rebuiltAtMicros}, its holdings rebuilt
   * from the answers of {@code answered} requesters; {@code silent} did not answer in time and were
   * treated as gone. {@code faultId} is the fault that crashed it, or "" for another failure.
   */
  default void arbiterRebuilt(
      String adapterId, String arbiter, String faultId, long crashedAtMicros, long rebuiltAtMicros, int answered,
      int silent) {}
}
