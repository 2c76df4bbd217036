package org.dmaemu.node.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.dmaemu.driver.IoObserver;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The run's DMA measurements, recorded from many threads at once. */
class RunMetricsTest {

  @Test
  @DisplayName("counts, bytes, statuses and percentiles add up when many threads record at once")
  void concurrentRecording() throws Exception {
    RunMetrics metrics = new RunMetrics();
    int threads = 4;
    int perThread = 10_000;
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker =
          new Thread(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                for (int i = 1; i <= perThread; i++) {
                  NtStatus status = i % 100 == 0 ? NtStatus.STATUS_INSUFFICIENT_RESOURCES
                      : i % 250 == 1 ? NtStatus.STATUS_CANCELLED : NtStatus.STATUS_SUCCESS;
                  metrics.requestCompleted(new IoObserver.RequestEnd("dev", 0, DmaDirection.READ_FROM_DEVICE, status.isSuccess() ? 10 : 0, status, i, 0));
                  metrics.adapterLockWait("a", "dev-1", i % 10);
                  metrics.mapRegisterWait("a", "dev-1", 3, 1000);
                }
                metrics.mapRegistersLeaked("a", 2);
              });
      worker.start();
      workers.add(worker);
    }
    go.countDown();
    for (Thread worker : workers) {
      worker.join();
    }

    DmaMetrics m = metrics.snapshot();
    long failedPerThread = perThread / 100 + perThread / 250;
    assertEquals(threads * (perThread - failedPerThread), m.requestsCompleted());
    assertEquals(threads * failedPerThread, m.requestsFailed());
    assertEquals(
        List.of(
            new StatusCount(NtStatus.STATUS_INSUFFICIENT_RESOURCES, threads * (perThread / 100L)),
            new StatusCount(NtStatus.STATUS_CANCELLED, threads * (perThread / 250L))),
        m.failuresByStatus());
    assertEquals(10L * m.requestsCompleted(), m.bytesMoved());
    assertEquals(threads * (long) perThread, m.requestLatency().count());
    // Latencies 1..10,000 µs: within HdrHistogram's 3 significant digits.
    assertTrue(Math.abs(m.requestLatency().p50() - 5_000) <= 5, m.requestLatency().toString());
    assertTrue(Math.abs(m.requestLatency().p99() - 9_900) <= 10, m.requestLatency().toString());
    assertTrue(Math.abs(m.requestLatency().max() - 10_000) <= 10, m.requestLatency().toString());
    assertEquals(new Percentiles(threads * (long) perThread, 4, 9, 9), m.adapterLockWait());
    assertEquals(1000, m.mapRegisterWait().p50());
    assertEquals(threads, m.leakReports());
    assertEquals(2L * threads, m.registersStillHeld());
  }

  @Test
  @DisplayName("a snapshot keeps what earlier snapshots saw; nothing recorded gives zeros")
  void snapshotsAccumulate() {
    RunMetrics metrics = new RunMetrics();
    assertEquals(DmaMetrics.none(), metrics.snapshot());
    metrics.adapterLockWait("a", "dev-1", 7);
    assertEquals(1, metrics.snapshot().adapterLockWait().count());
    metrics.adapterLockWait("a", "dev-1", 9);
    DmaMetrics m = metrics.snapshot();
    assertEquals(2, m.adapterLockWait().count());
    assertEquals(9, m.adapterLockWait().max());
  }

  @Test
  @DisplayName("a device's meter passes reports on, keeps its own totals and says once when its I/O has ended")
  void deviceMeter() {
    RunMetrics run = new RunMetrics();
    DeviceMeter meter = newMeter(run, 2);
    meter.requestCompleted(new IoObserver.RequestEnd("dev", 0, DmaDirection.WRITE_TO_DEVICE, 300, NtStatus.STATUS_SUCCESS, 5, 0));
    meter.requestCompleted(new IoObserver.RequestEnd("dev", 0, DmaDirection.WRITE_TO_DEVICE, 0, NtStatus.STATUS_WDF_TOO_MANY_TRANSFERS, 5, 0));
    meter.mapRegistersLeaked("dev/enabler-0", 8);
    meter.mapRegistersLeaked("dev/enabler-0", 0);
    assertEquals(2, meter.ended());
    assertEquals(1, meter.failed());
    assertEquals(300, meter.bytes());
    assertEquals(2, meter.leakReports());
    assertEquals(8, meter.registersHeld());
    DmaMetrics m = run.snapshot();
    assertEquals(1, m.requestsCompleted());
    assertEquals(1, m.requestsFailed());
    assertEquals(8, m.registersStillHeld());
  }

  @Test
  @DisplayName("§3.3 a device's meter remembers which callbacks a fault hung (planned or injected), not those a fault failed")
  void meterRemembersHungCallbacks() {
    DeviceMeter meter = newMeter(new RunMetrics(), 0);
    meter.faultInjected("live-2", "dev", "EvtProgramDma hang", 10);
    meter.faultInjected("f1", "dev", "EvtInterruptIsr STATUS_UNSUCCESSFUL", 20);
    assertTrue(meter.hungByFault("EvtProgramDma"));
    assertFalse(meter.hungByFault("EvtInterruptIsr"));
    assertFalse(meter.hungByFault("EvtReserveDma"));
  }

  /** A meter to which {@code submitted} requests have arrived. */
  private static DeviceMeter newMeter(RunMetrics run, int submitted) {
    DeviceMeter meter = new DeviceMeter(run);
    for (int i = 0; i < submitted; i++) {
      meter.requestSubmitted("dev", i, DmaDirection.READ_FROM_DEVICE, 1);
    }
    return meter;
  }
}
