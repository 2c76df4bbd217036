package org.dmaemu.node.metrics;

import org.dmaemu.driver.IoObserver;
import org.dmaemu.metrics.DmaObserver;

/** Everything a run's devices report: their drivers' I/O and their arbitration. */
public interface RunObserver extends IoObserver, DmaObserver {

  RunObserver NONE =
      new RunObserver() {
        @Override
        public void requestCompleted(RequestEnd end) {}

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
}
