package org.dmaemu.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import org.dmaemu.device.DeviceSettings;
import org.dmaemu.fault.FaultPlan;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.device.PnpOutcome;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.testing.FaultyDevice;
import org.dmaemu.testing.TestKits;
import org.dmaemu.workload.IoWorkload;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The watchdog of a System-profile driver (reference §6.2): a system transfer that runs past the
 * watchdog and the callback deadline is stopped with StopSystemTransfer, ended with
 * DmaCompletedFinal from its DmaCancelled completion, then released. Modeled time runs 250 times
 * slower than real time here, so that a 10 ms transfer outlasts 4 ms deadlines (1 s of real time)
 * that the power callbacks still meet on a loaded machine.
 */
class MessageFaultSystemWatchdogTest {
  private static ActorTestKit kit;

  @BeforeAll
  static void setUp() {
    kit = ActorTestKit.create(
        "MessageFaultSystemWatchdogTest",
        ConfigFactory.parseString("dmaemu.clock.time-scale = 0.004").withFallback(TestKits.config()));
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  @Test
  @DisplayName("§6.2/§6.3 a system transfer past the watchdog: StopSystemTransfer, DmaCancelled, DmaCompletedFinal, Release; STATUS_IO_TIMEOUT")
  void slowSystemTransferStopped() {
    // One 1 000 000-byte fragment: 10 ms on the 100 bytes/µs controller, against 2 ms + 4 ms.
    DmaIoDriver.Settings driver = new DmaIoDriver.Settings(
        DmaIoDriver.Mode.SYSTEM, DmaEnablerConfig.init(DmaProfile.SYSTEM_DUPLEX, 1 << 20),
        1, IoWorkload.closed(1, 1_000_000, 1_000_000, 0.5, 2), 0, List.of(), 29).withWatchdog(Duration.ofMillis(2));
    FaultyDevice d = new FaultyDevice(
        kit, "sys-wd-1", DeviceSettings.defaults().withCallbackDeadline(Duration.ofMillis(4)), FaultPlan.NONE,
        driver::model);
    assertEquals(PnpOutcome.SUCCEEDED, d.add().outcome());
    assertEquals(PnpOutcome.SUCCEEDED, d.start().outcome());
    assertEquals(2, d.awaitIoFinished(Duration.ofSeconds(30)));
    d.assertEachRequestEndedOnce();
    assertTrue(d.observer.ended().stream().allMatch(e -> e.status() == NtStatus.STATUS_IO_TIMEOUT), d.observer.ended().toString());
    long stops = d.trace.all().stream().filter(e -> e.name().equals("WdfDmaTransactionStopSystemTransfer")).count();
    long finals = d.trace.all().stream().filter(e -> e.name().equals("WdfDmaTransactionDmaCompletedFinal")).count();
    assertEquals(2, stops);
    assertEquals(2, finals);
    assertEquals(List.of(), d.snapshot().bugChecks(), "the transfers were running when stopped: no K12");
    d.assertNothingHeldButReservations(0);
    d.removeCleanly();
  }
}
