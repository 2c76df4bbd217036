package org.dmaemu.node.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dmaemu.device.DeviceSettings;
import org.dmaemu.driver.DmaIoDriver;
import org.dmaemu.hardware.HardwareSettings;
import org.dmaemu.node.run.PowerCycleCoordinator;
import org.dmaemu.workload.SizeDistribution;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The default workload's device mix. */
class DefaultWorkloadTest {

  private static final DefaultWorkload WORKLOAD = DefaultWorkload.standard();

  @Test
  @DisplayName("§5 the mix is seeded per device: 30% power only, then SG 20%, packet v2 15%, packet v3 15%, reserving 10%, system 10%")
  void mix() {
    int devices = 20_000;
    Map<String, Integer> kinds = new HashMap<>();
    for (int i = 1; i <= devices; i++) {
      String id = PowerCycleCoordinator.deviceId(i);
      DevicePlan plan = WORKLOAD.plan(1, id);
      assertEquals(plan, WORKLOAD.plan(1, id), "a plan depends on (seed, device id) only");
      String kind = plan.doesDma() ? plan.io().kind() : "power only";
      kinds.merge(kind, 1, Integer::sum);
      if (plan.doesDma()) {
        assertNotNull(plan.settings().hardware(), id);
        assertEquals(List.of(plan.io().enabler()), plan.enablers());
        assertTrue(plan.io().workload().requests() >= DefaultWorkload.MIN_REQUESTS && plan.io().workload().requests() <= DefaultWorkload.MAX_REQUESTS);
      } else {
        assertNull(plan.settings().hardware(), id);
        assertTrue(plan.enablers().size() >= 1 && plan.enablers().size() <= 3);
      }
    }
    assertShare(kinds.get("power only"), 30, devices);
    for (int k = 0; k < DefaultWorkload.DMA_KINDS.size(); k++) {
      assertShare(kinds.get(DefaultWorkload.DMA_KINDS.get(k).kind()), DefaultWorkload.DMA_SHARES.get(k), devices);
    }
  }

  private static void assertShare(Integer n, int percent, int devices) {
    double share = 100.0 * n / devices;
    assertTrue(Math.abs(share - percent) < 1.5, share + "% instead of " + percent + "%");
  }

  @Test
  @DisplayName("§4.4/§5 the DMA kinds: what each contends for")
  void dmaKinds() {
    Map<DmaIoDriver.Mode, Integer> modes = new HashMap<>();
    for (DmaIoPlan kind : DefaultWorkload.DMA_KINDS) {
      modes.merge(kind.mode(), 1, Integer::sum);
      assertEquals(new SizeDistribution.Uniform(1, 128 * 1024), kind.workload().sizes());
      // The rules apply to DMA enablers too: all six enabler callbacks are registered.
      assertEquals(6, kind.enabler().callbacks().size(), kind.kind());
    }
    assertEquals(
        Map.of(DmaIoDriver.Mode.SCATTER_GATHER, 1, DmaIoDriver.Mode.PACKET, 2, DmaIoDriver.Mode.RESERVING_PACKET, 1,
            DmaIoDriver.Mode.SYSTEM, 1),
        modes);
    assertEquals(100, 30 + DefaultWorkload.DMA_SHARES.stream().mapToInt(Integer::intValue).sum());
  }

  @Test
  void aDmaPlanNeedsHardwareAndItsDriversEnabler() {
    DmaIoPlan io = DefaultWorkload.DMA_KINDS.get(0).withRequests(5);
    assertThrows(IllegalArgumentException.class, () -> DevicePlan.dmaIo(DeviceSettings.defaults(), io));
    DeviceSettings withHardware = DeviceSettings.defaults().withHardware(HardwareSettings.defaults());
    assertThrows(
        IllegalArgumentException.class,
        () -> new DevicePlan(withHardware, List.of(DefaultWorkload.DMA_KINDS.get(1).enabler()), io));
    assertThrows(
        IllegalArgumentException.class,
        () -> DevicePlan.dmaIo(withHardware.withInterruptCount(0), io));
    assertEquals(5, DevicePlan.dmaIo(withHardware, io).io().workload().requests());
  }
}
