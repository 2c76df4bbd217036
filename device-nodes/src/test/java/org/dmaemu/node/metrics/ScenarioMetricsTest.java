package org.dmaemu.node.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.dmaemu.driver.IoObserver;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The metric math on known inputs: fairness, utilization, queue depth, percentiles, accounting. */
class ScenarioMetricsTest {

  @Test
  @DisplayName("Jain's index: 1 for equal shares, 1/n when one device gets everything, undefined for nothing")
  void jain() {
    assertEquals(1.0, Fairness.jain(new double[] {5, 5, 5, 5}), 1e-12);
    assertEquals(0.25, Fairness.jain(new double[] {8, 0, 0, 0}), 1e-12);
    // (1+2+3)^2 / (3 * (1+4+9)) = 36/42
    assertEquals(36.0 / 42.0, Fairness.jain(new double[] {1, 2, 3}), 1e-12);
    assertTrue(Double.isNaN(Fairness.jain(new double[] {})));
    assertTrue(Double.isNaN(Fairness.jain(new double[] {0, 0})));
  }

  @Test
  @DisplayName("occupancy: time-weighted utilization and queue depth per window and in total")
  void occupancy() {
    Occupancy o = new Occupancy();
    o.change(0, 10, 0, 0); // 10 registers, none in use
    o.change(5, 0, 0, 100); // 5 in use from t=100
    o.change(5, 0, 2, 200); // all 10 in use, 2 waiting from t=200
    Occupancy.Window w = o.sample(400);
    // in use: 0*100 + 5*100 + 10*200 = 2500 of 10*400 = 4000
    assertEquals(2500.0 / 4000.0, w.utilization(), 1e-12);
    // waiting: 2 for 200 of 400 µs
    assertEquals(1.0, w.meanWaiting(), 1e-12);
    assertEquals(2, w.maxWaiting());
    o.change(-10, 0, -2, 500); // all free at t=500
    Occupancy.Window w2 = o.sample(600);
    assertEquals(1000.0 / 2000.0, w2.utilization(), 1e-12);
    Occupancy.Window total = o.total();
    assertEquals(3500.0 / 6000.0, total.utilization(), 1e-12);
    assertEquals(600, total.micros());
  }

  @Test
  @DisplayName("accounting: submitted = completed + failed + cancelled; warm-up requests count but are not measured")
  void accountingAndWarmUp() {
    AtomicLong now = new AtomicLong();
    ScenarioMetrics m = new ScenarioMetrics(List.of("nic", "disk"), id -> id.substring(0, id.indexOf('-')), now::get, 1_000);
    for (int i = 0; i < 10; i++) {
      m.requestSubmitted("nic-0001", i, DmaDirection.READ_FROM_DEVICE, 100);
    }
    // Two in the warm-up, five completed after it, one failed, one cancelled, one still in flight.
    m.requestCompleted(end("nic-0001", 0, NtStatus.STATUS_SUCCESS, 100, 500, 10));
    m.requestCompleted(end("nic-0001", 1, NtStatus.STATUS_SUCCESS, 100, 900, 20));
    for (int i = 2; i < 7; i++) {
      m.requestCompleted(end("nic-0001", i, NtStatus.STATUS_SUCCESS, 100, 1_000 + i, 100 * i));
    }
    m.requestCompleted(end("nic-0001", 7, NtStatus.STATUS_INSUFFICIENT_RESOURCES, 0, 2_000, 5));
    m.requestCompleted(end("nic-0001", 8, NtStatus.STATUS_CANCELLED, 0, 2_000, 5));
    now.set(2_000);
    m.mapRegisterWait("pool", "nic-0001", 4, 700);
    m.adapterLockWait("pool", "disk-0001", 900);

    m.sample();
    ScenarioMetrics.Totals t = m.totals();
    ScenarioMetrics.GroupWindow nic = t.groups().get(0);
    assertEquals(10, nic.submitted());
    assertEquals(7, nic.completed());
    assertEquals(1, nic.failed());
    assertEquals(1, nic.cancelled());
    assertEquals(1, nic.submitted() - nic.completed() - nic.failed() - nic.cancelled(), "one in flight");
    assertEquals(5, nic.measuredCompleted());
    assertEquals(500, nic.measuredBytes());
    // Latency recorded for the measured requests only: 200..600 and the failed/cancelled ones' 5.
    assertEquals(7, nic.histograms().get(ScenarioMetrics.Metric.LATENCY).getTotalCount());
    assertEquals(600, nic.histograms().get(ScenarioMetrics.Metric.LATENCY).getMaxValue());
    assertEquals(1, nic.histograms().get(ScenarioMetrics.Metric.MAP_REGISTER_WAIT).getTotalCount());
    assertEquals(new ScenarioMetrics.Wait(900, "disk-0001", "adapter-lock-wait", "pool"), t.longestWait());
    assertEquals(1L, t.failuresByGroup().get("nic").get("STATUS_INSUFFICIENT_RESOURCES"));
    assertEquals(9, t.devices().get("nic-0001").ended());
  }

  @Test
  @DisplayName("waits that end within the warm-up are not measured")
  void waitsInWarmUp() {
    AtomicLong now = new AtomicLong(10);
    ScenarioMetrics m = new ScenarioMetrics(List.of("nic"), id -> "nic", now::get, 1_000);
    m.mapRegisterWait("pool", "nic-0001", 1, 50);
    m.sample();
    assertNull(m.totals().longestWait());
    assertEquals(0, m.totals().groups().get(0).histograms().get(ScenarioMetrics.Metric.MAP_REGISTER_WAIT).getTotalCount());
  }

  @Test
  @DisplayName("intervals: differences per interval, totals over all of them")
  void intervals() {
    AtomicLong now = new AtomicLong();
    ScenarioMetrics m = new ScenarioMetrics(List.of("nic"), id -> "nic", now::get, 0);
    m.requestSubmitted("nic-0001", 0, DmaDirection.WRITE_TO_DEVICE, 10);
    m.requestCompleted(end("nic-0001", 0, NtStatus.STATUS_SUCCESS, 10, 0, 30));
    now.set(100);
    ScenarioMetrics.Interval first = m.sample();
    m.requestSubmitted("nic-0001", 1, DmaDirection.WRITE_TO_DEVICE, 10);
    m.requestSubmitted("nic-0001", 2, DmaDirection.WRITE_TO_DEVICE, 10);
    now.set(200);
    ScenarioMetrics.Interval second = m.sample();
    assertEquals(1, first.groups().get(0).completed());
    assertEquals(1, first.groups().get(0).submitted());
    assertEquals(0, second.groups().get(0).completed());
    assertEquals(2, second.groups().get(0).submitted());
    assertEquals(100, second.startMicros());
    assertEquals(3, m.totals().groups().get(0).submitted());
    assertEquals(1, m.totals().groups().get(0).histograms().get(ScenarioMetrics.Metric.LATENCY).getTotalCount());
  }

  @Test
  @DisplayName("a group's per-enabler adapters are tracked as one; a shared domain on its own")
  void arbiters() {
    AtomicLong now = new AtomicLong();
    ScenarioMetrics m = new ScenarioMetrics(List.of("nic"), id -> "nic", now::get, 0);
    m.mapRegistersChanged("nic-0001/enabler-0", 0, 4, 0, 0);
    m.mapRegistersChanged("nic-0002/enabler-0", 0, 4, 0, 0);
    m.mapRegistersChanged("nic-0001/enabler-0", 4, 4, 1, 0);
    m.mapRegistersChanged("iommu", 8, 16, 0, 0);
    now.set(100);
    ScenarioMetrics.Interval i = m.sample();
    assertEquals(2, i.arbiters().size());
    ScenarioMetrics.ArbiterWindow shared = i.arbiters().get(0);
    ScenarioMetrics.ArbiterWindow perEnabler = i.arbiters().get(1);
    assertEquals("iommu", shared.name());
    assertEquals(0.5, shared.registers().utilization(), 1e-12);
    assertEquals("nic", perEnabler.name());
    assertEquals(0.5, perEnabler.registers().utilization(), 1e-12, "4 of 8 registers of the group");
    assertEquals(1.0, perEnabler.registers().meanWaiting(), 1e-12);
  }

  private static IoObserver.RequestEnd end(String device, long seq, NtStatus status, long bytes, long arrival, long latency) {
    return new IoObserver.RequestEnd(device, seq, DmaDirection.READ_FROM_DEVICE, bytes, status, latency, arrival);
  }
}
