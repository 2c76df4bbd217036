package org.dmaemu.arbitration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import java.util.ArrayList;
import java.util.List;
import org.dmaemu.device.DeviceSettings;
import org.dmaemu.device.PlatformSettings;
import org.dmaemu.enabler.EnablerCreation;
import org.dmaemu.protocol.arbitration.AdapterLockMessage;
import org.dmaemu.protocol.arbitration.MapRegisterMessage;
import org.dmaemu.protocol.arbitration.Requester;
import org.dmaemu.testing.TestKits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A device group's arbitration settings, and how a shared adapter domain bounds its adapters (§4.1). */
class ArbitrationSettingsTest {
  private static ActorTestKit kit;

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("ArbitrationSettingsTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  static AdapterDomain domain(String id, int registers) {
    return new AdapterDomain(
        id, registers, kit.<AdapterLockMessage>createTestProbe().getRef(), kit.<MapRegisterMessage>createTestProbe().getRef());
  }

  @Test
  @DisplayName("defaults are KMDF's: FIFO lock and pool, own adapters, group default, priority 0, weight 1")
  void defaults() {
    ArbitrationSettings d = ArbitrationSettings.defaults();
    assertEquals(new ArbitrationSettings("default", 0, 1, "fifo", "fifo", 0L, null), d);
    assertEquals(Requester.ofDevice("dev-7"), d.requester("dev-7"));
    assertEquals(d, DeviceSettings.defaults().arbitration());
    assertEquals("fifo", d.newLockPolicy("a").toString());
  }

  @Test
  @DisplayName("a device's requests carry its group, priority and weight")
  void requester() {
    ArbitrationSettings gold = new ArbitrationSettings("gold", 5, 3, "priority", "weighted-fair", 1L, null);
    assertEquals(new Requester("dev-1", "gold", 5, 3), gold.requester("dev-1"));
    assertEquals("priority", gold.newLockPolicy("a").toString());
    assertEquals("weighted-fair", gold.newRegisterPolicy("a").toString());
  }

  @Test
  @DisplayName("policy names and weights are checked when the settings are made")
  void validation() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new ArbitrationSettings("g", 0, 1, "fair", "fifo", 0, null));
    assertEquals(
        "arbitration lockPolicy \"fair\" is not one of fifo, priority, round-robin, weighted-fair, lottery", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new ArbitrationSettings("g", 0, 0, "fifo", "fifo", 0, null));
    assertEquals("arbitration weight must be at least 1, got 0", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Requester("dev-1", "g", 0, 0));
    e = assertThrows(IllegalArgumentException.class, () -> domain("d", 1));
    assertEquals("adapter domain d needs at least 2 map registers (KMDF asserts N > 1), got 1", e.getMessage());
  }

  /** The first {@code n} grants of a lottery queue with one waiter per device a..e, unit demand. */
  static List<String> draws(ArbitrationPolicy policy) {
    WaitQueue<PolicyOrderTest.Waiting> queue = policy.newQueue();
    for (char device = 'a'; device <= 'e'; device++) {
      queue.add(PolicyOrderTest.Waiting.parse(device + "1:1"));
    }
    List<String> order = new ArrayList<>();
    PolicyOrderTest.Waiting next;
    while ((next = queue.takeNext(w -> true)) != null) {
      order.add(next.name());
    }
    return order;
  }

  @Test
  @DisplayName("DESIGN §5: each adapter's lottery draws from (run seed, adapter id, lock or registers)")
  void lotterySeeds() {
    ArbitrationSettings lottery = new ArbitrationSettings("g", 0, 1, "lottery", "lottery", 42L, null);
    assertEquals(draws(lottery.newLockPolicy("dev-1/0")), draws(lottery.newLockPolicy("dev-1/0")));
    List<List<String>> streams =
        List.of(
            draws(lottery.newLockPolicy("dev-1/0")),
            draws(lottery.newRegisterPolicy("dev-1/0")),
            draws(lottery.newLockPolicy("dev-2/0")),
            draws(new ArbitrationSettings("g", 0, 1, "lottery", "lottery", 43L, null).newLockPolicy("dev-1/0")));
    // Four streams, 120 possible orders: at least two of them differ.
    assertNotEquals(1, streams.stream().distinct().count(), streams.toString());
  }

  @Test
  @DisplayName("§4.1 in a shared domain IoGetDmaAdapter grants at most the domain's registers: fragments shrink to fit")
  void domainBoundsTheAdapter() {
    DeviceSettings own = DeviceSettings.defaults();
    assertSame(own.platform(), own.adapterPlatform());
    AdapterDomain small = domain("iommu-8", 8);
    DeviceSettings shared = own.withArbitration(ArbitrationSettings.defaults().withSharedDomain(small));
    PlatformSettings bounded = shared.adapterPlatform();
    assertEquals(8, bounded.mapRegisterLimit());
    assertEquals(own.platform().pageSize(), bounded.pageSize());
    // A 64 KiB packet enabler asks for 17 registers; in the domain it gets 8, fragments of 7 pages.
    assertEquals(17, EnablerCreation.mapRegisters(65536, own.adapterPlatform()));
    assertEquals(8, EnablerCreation.mapRegisters(65536, bounded));
    assertEquals(7 * 4096, EnablerCreation.fragmentLength(65536, 8, 4096));
    // A domain larger than the platform limit changes nothing.
    AdapterDomain large = domain("iommu-1024", 1024);
    assertEquals(256, own.withArbitration(ArbitrationSettings.defaults().withSharedDomain(large)).adapterPlatform().mapRegisterLimit());
    assertNull(own.arbitration().sharedDomain());
  }
}
