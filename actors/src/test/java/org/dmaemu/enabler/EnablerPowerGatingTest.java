package org.dmaemu.enabler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.dmaemu.device.PlatformSettings;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.driver.CallbackKind;
import org.dmaemu.protocol.driver.CallbackReturn;
import org.dmaemu.protocol.driver.DriverCallback;
import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.protocol.enabler.EnablerCallback;
import org.dmaemu.protocol.enabler.EnablerHandle;
import org.dmaemu.protocol.enabler.EnablerInfo;
import org.dmaemu.protocol.enabler.EnablerMessage;
import org.dmaemu.testing.TestKits;
import org.dmaemu.trace.TraceSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Reference §2.4: which D0-exit callbacks run per enabler, and that the failure flags persist. */
class EnablerPowerGatingTest {
  private static ActorTestKit kit;

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("EnablerPowerGatingTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  static EnablerInfo enabler(String device) {
    return EnablerCreation.create(
            new EnablerHandle(device, 0),
            DmaEnablerConfig.init(DmaProfile.SCATTER_GATHER, 65536).withAllCallbacks(),
            null,
            PlatformSettings.defaults(),
            33)
        .enabler();
  }

  static Stream<Arguments> table() {
    EnablerCallback stop = EnablerCallback.SELF_MANAGED_IO_STOP;
    EnablerCallback disable = EnablerCallback.DISABLE;
    EnablerCallback flush = EnablerCallback.FLUSH;
    return Stream.of(
        Arguments.of("all succeeded", false, false, false, List.of(stop, disable, flush)),
        Arguments.of("Fill failed", true, false, false, List.of(stop)),
        Arguments.of("Enable failed", false, true, false, List.of(stop, disable)),
        Arguments.of("SelfManagedIoStart failed", false, false, true, List.of(stop, disable, flush)),
        Arguments.of("power-up never ran", false, false, false, List.of(stop, disable, flush)));
  }

  @ParameterizedTest(name = "§2.4 {0} → {4}")
  @MethodSource("table")
  void gatingTable(String row, boolean fill, boolean enable, boolean smio, List<EnablerCallback> expected) {
    EnablerInfo info = enabler("gating").withFailureFlags(fill, enable, smio);
    assertEquals(expected, EnablerPower.powerDownSequence(info));
  }

  @Test
  @DisplayName("§2.4 SelfManagedIoStop is never gated, and only registered callbacks are listed")
  void onlyRegistered() {
    EnablerInfo info =
        EnablerCreation.create(
                new EnablerHandle("reg", 0),
                DmaEnablerConfig.init(DmaProfile.PACKET, 4096)
                    .withCallbacks(java.util.Set.of(EnablerCallback.SELF_MANAGED_IO_STOP, EnablerCallback.FLUSH)),
                null,
                PlatformSettings.defaults(),
                33)
            .enabler()
            .withFailureFlags(true, true, true);
    assertEquals(List.of(EnablerCallback.SELF_MANAGED_IO_STOP), EnablerPower.powerDownSequence(info));
    assertEquals(List.of(), EnablerPower.powerUpSequence(info));
  }

  static DmaEnabler.Environment environment(ActorRef<DriverMessage> driver) {
    return new DmaEnabler.Environment(driver, kit.<org.dmaemu.protocol.device.DeviceMessage>createTestProbe().getRef(),
        new org.dmaemu.device.PacketDmaSlot(), 4096, 33, org.dmaemu.verifier.VerifierSettings.defaults(),
        Duration.ofSeconds(3), TraceSink.NONE, org.dmaemu.metrics.DmaObserver.NONE,
        org.dmaemu.arbitration.ArbitrationSettings.defaults());
  }

  /** A driver that forwards each callback's name to a probe and answers from a per-callback script. */
  static Behavior<DriverMessage> scripted(
      ActorRef<String> seen, Map<CallbackKind, Deque<NtStatus>> script) {
    return Behaviors.receive(DriverMessage.class)
        .onMessage(DriverCallback.class, cb -> answer(cb, seen, script))
        .build();
  }

  private static Behavior<DriverMessage> answer(
      DriverCallback cb, ActorRef<String> seen, Map<CallbackKind, Deque<NtStatus>> script) {
    seen.tell(cb.kind().kmdfName());
    Deque<NtStatus> next = script.get(cb.kind());
    NtStatus status = next == null || next.isEmpty() ? NtStatus.STATUS_SUCCESS : next.poll();
    cb.replyTo().tell(new CallbackReturn(status));
    return Behaviors.same();
  }

  @Test
  @DisplayName("§2.4 the Fill-failed flag is never cleared: after a later successful power-up, Disable and Flush are still skipped")
  void flagsPersistAcrossPowerCycles() {
    TestProbe<String> seen = kit.createTestProbe();
    TestProbe<DmaEnabler.PowerWalkDone> done = kit.createTestProbe();
    Map<CallbackKind, Deque<NtStatus>> script = new ConcurrentHashMap<>();
    script.put(
        CallbackKind.EVT_DMA_ENABLER_FILL, new ArrayDeque<>(List.of(NtStatus.STATUS_INSUFFICIENT_RESOURCES)));
    ActorRef<DriverMessage> driver = kit.spawn(scripted(seen.getRef(), script));
    ActorRef<EnablerMessage> enabler =
        kit.spawn(DmaEnabler.create(enabler("persist"), environment(driver)));

    enabler.tell(new DmaEnabler.PowerUp(done.getRef()));
    DmaEnabler.PowerWalkDone up1 = done.receiveMessage();
    assertEquals(CallbackKind.EVT_DMA_ENABLER_FILL, up1.failedCallback());
    assertEquals(NtStatus.STATUS_INSUFFICIENT_RESOURCES, up1.failureStatus());
    assertEquals(true, up1.enabler().fillFailed());
    seen.expectMessage("EvtDmaEnablerFill");
    seen.expectNoMessage(Duration.ofMillis(50));

    enabler.tell(new DmaEnabler.PowerDown(done.getRef()));
    done.receiveMessage();
    seen.expectMessage("EvtDmaEnablerSelfManagedIoStop");
    seen.expectNoMessage(Duration.ofMillis(50));

    // Fill now succeeds: the whole power-up runs, but the flag stays set.
    enabler.tell(new DmaEnabler.PowerUp(done.getRef()));
    DmaEnabler.PowerWalkDone up2 = done.receiveMessage();
    assertEquals(null, up2.failedCallback());
    assertEquals(true, up2.enabler().fillFailed());
    seen.expectMessage("EvtDmaEnablerFill");
    seen.expectMessage("EvtDmaEnablerEnable");
    seen.expectMessage("EvtDmaEnablerSelfManagedIoStart");

    enabler.tell(new DmaEnabler.PowerDown(done.getRef()));
    DmaEnabler.PowerWalkDone down2 = done.receiveMessage();
    assertEquals(1, down2.callbacksInvoked());
    seen.expectMessage("EvtDmaEnablerSelfManagedIoStop");
    seen.expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  @DisplayName("§2.4 power-down never stops early: a failing SelfManagedIoStop is reported and Disable and Flush still run")
  void powerDownContinuesAfterFailure() {
    TestProbe<String> seen = kit.createTestProbe();
    TestProbe<DmaEnabler.PowerWalkDone> done = kit.createTestProbe();
    Map<CallbackKind, Deque<NtStatus>> script = new ConcurrentHashMap<>();
    script.put(
        CallbackKind.EVT_DMA_ENABLER_SELF_MANAGED_IO_STOP, new ArrayDeque<>(List.of(NtStatus.STATUS_UNSUCCESSFUL)));
    script.put(CallbackKind.EVT_DMA_ENABLER_FLUSH, new ArrayDeque<>(List.of(NtStatus.STATUS_CANCELLED)));
    ActorRef<DriverMessage> driver = kit.spawn(scripted(seen.getRef(), script));
    ActorRef<EnablerMessage> enabler =
        kit.spawn(DmaEnabler.create(enabler("continue"), environment(driver)));
    enabler.tell(new DmaEnabler.PowerDown(done.getRef()));
    DmaEnabler.PowerWalkDone down = done.receiveMessage();
    // PowerDown returns the first failing status of that enabler.
    assertEquals(CallbackKind.EVT_DMA_ENABLER_SELF_MANAGED_IO_STOP, down.failedCallback());
    assertEquals(NtStatus.STATUS_UNSUCCESSFUL, down.failureStatus());
    assertEquals(3, down.callbacksInvoked());
    seen.expectMessage("EvtDmaEnablerSelfManagedIoStop");
    seen.expectMessage("EvtDmaEnablerDisable");
    seen.expectMessage("EvtDmaEnablerFlush");
  }
}
