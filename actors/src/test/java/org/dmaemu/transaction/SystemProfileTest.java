package org.dmaemu.transaction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.dmaemu.device.Device;
import org.dmaemu.device.DeviceSettings;
import org.dmaemu.device.PacketDmaSlot;
import org.dmaemu.device.PlatformSettings;
import org.dmaemu.driver.DmaIoDriver;
import org.dmaemu.driver.IoObserver;
import org.dmaemu.workload.IoWorkload;
import org.dmaemu.enabler.EnablerCreation;
import org.dmaemu.hardware.HardwareSettings;
import org.dmaemu.metrics.DmaObserver;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.arbitration.AdapterLockMessage;
import org.dmaemu.protocol.arbitration.AdapterReply;
import org.dmaemu.protocol.arbitration.MapRegisterMessage;
import org.dmaemu.protocol.arbitration.Requester;
import org.dmaemu.protocol.arbitration.MapRegisterReply;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.protocol.device.DeviceSnapshot;
import org.dmaemu.protocol.device.DeviceState;
import org.dmaemu.protocol.device.GetDeviceState;
import org.dmaemu.protocol.device.PnpCommand;
import org.dmaemu.protocol.device.PnpOutcome;
import org.dmaemu.protocol.device.PnpResult;
import org.dmaemu.protocol.driver.CallbackReturn;
import org.dmaemu.protocol.driver.DriverCallback;
import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.protocol.enabler.AdapterInfo;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.protocol.enabler.EnablerHandle;
import org.dmaemu.protocol.enabler.EnablerInfo;
import org.dmaemu.protocol.transaction.DmaCompletionStatus;
import org.dmaemu.protocol.transaction.TransactionDdi;
import org.dmaemu.protocol.transaction.TransactionDdiReturn;
import org.dmaemu.protocol.transaction.TransactionMessage;
import org.dmaemu.protocol.transaction.TransactionState;
import org.dmaemu.protocol.verifier.BugCheck;
import org.dmaemu.protocol.verifier.BugCheckRaised;
import org.dmaemu.testing.RecordingTrace;
import org.dmaemu.testing.TestKits;
import org.dmaemu.trace.TraceSink;
import org.dmaemu.verifier.OnViolation;
import org.dmaemu.verifier.VerifierSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * System-profile transactions (reference §3.3, §3.4 "System profiles", §4.3, §5, §6.2, §6.3, §8.1
 * K12): the DMA channel and all N map registers are held for the whole transaction, the system DMA
 * controller completes each transfer, StopSystemTransfer cancels it.
 */
class SystemProfileTest {
  private static ActorTestKit kit;
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Duration QUIET = Duration.ofMillis(150);
  private static long ids;

  /** §4.1 for MaximumLength 64 KiB and 4 KiB pages: N = 17 map registers, fragment length 64 KiB. */
  private static final int N = 17;
  private static final long FRAGMENT = 65536;

  /** Completes a transfer at once. */
  private static final SystemController FAST = new SystemController(1e6, Duration.ZERO);
  /** Cannot complete while a test runs: the transfer is still going when the test stops it. */
  private static final SystemController SLOW = new SystemController(1e6, Duration.ofSeconds(10));

  private static final VerifierSettings VERIFIER_RECORD = new VerifierSettings(true, OnViolation.RECORD);

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("SystemProfileTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  /**
   * A System enabler as the device leaves it after WdfDmaEnablerConfigureSystemProfile: WdfDmaEnablerCreate
   * gives it no adapter (§1.4 step 7); the configuration adds its one simplex adapter (§1.5, §4.1).
   */
  static EnablerInfo configuredSystemEnabler(String deviceId) {
    EnablerInfo created =
        EnablerCreation.create(
                new EnablerHandle(deviceId, 0), DmaEnablerConfig.init(DmaProfile.SYSTEM, 65536), null,
                PlatformSettings.defaults(), 33)
            .enabler();
    return new EnablerInfo(
        created.handle(), created.config(), created.version(), created.addressWidth(), created.storedMaximumLength(),
        List.of(new AdapterInfo(null, N, FRAGMENT)), false, false, false);
  }

  static EnablerInfo packetV3Enabler(String deviceId) {
    return EnablerCreation.create(
            new EnablerHandle(deviceId, 0), DmaEnablerConfig.init(DmaProfile.PACKET, 65536).withWdmDmaVersionOverride(3),
            null, PlatformSettings.defaults(), 33)
        .enabler();
  }

  /**
   * One transaction whose driver and DDI caller are one probe (so the probe sees callbacks and
   * returns in the order the transaction sent them) and whose adapter lock and map-register pool
   * are probes too.
   */
  static final class Scripted {
    final TestProbe<Object> driverAndCaller = kit.createTestProbe();
    final TestProbe<AdapterLockMessage> lock = kit.createTestProbe();
    final TestProbe<MapRegisterMessage> pool = kit.createTestProbe();
    final TestProbe<DeviceMessage> device = kit.createTestProbe();
    final ActorRef<TransactionMessage> tx;
    AdapterLockMessage.AcquireAdapter acquired;
    MapRegisterMessage.AllocateMapRegisters allocated;

    Scripted(SystemController controller) {
      this(controller, VERIFIER_RECORD, 33, true);
    }

    Scripted(SystemController controller, VerifierSettings verifier, int kmdfMinor, boolean system) {
      String deviceId = "sys-" + (++ids);
      EnablerInfo enabler = system ? configuredSystemEnabler(deviceId) : packetV3Enabler(deviceId);
      AdapterInfo adapter = enabler.adapterFor(DmaDirection.READ_FROM_DEVICE);
      AdapterArbiters arbiters = new AdapterArbiters("adapter-" + deviceId, adapter.mapRegisters(),
          adapter.maximumFragmentLength(), lock.getRef(), pool.getRef());
      DmaTransaction.Settings settings = new DmaTransaction.Settings(
          enabler, 1, 4096, kmdfMinor, verifier, Duration.ofSeconds(3), arbiters, arbiters, controller,
          Requester.ofDevice(deviceId));
      ActorRef<DriverMessage> driver = driverAndCaller.getRef().narrow();
      tx = kit.spawn(DmaTransaction.create(settings,
          new DmaTransaction.Peers(driver, device.getRef(), new PacketDmaSlot(), TraceSink.NONE, DmaObserver.NONE)));
    }

    ActorRef<TransactionDdiReturn> caller() {
      return driverAndCaller.getRef().narrow();
    }

    TransactionDdiReturn call(TransactionDdi ddi) {
      tx.tell(ddi);
      return expectReturn();
    }

    TransactionDdiReturn expectReturn() {
      return assertInstanceOf(TransactionDdiReturn.class, driverAndCaller.receiveMessage(WAIT));
    }

    <T extends DriverCallback> T expectCallback(Class<T> type) {
      return assertInstanceOf(type, driverAndCaller.receiveMessage(WAIT));
    }

    void initialize(long bytes) {
      TransactionDdiReturn r =
          call(new TransactionDdi.WdfDmaTransactionInitialize(DmaDirection.READ_FROM_DEVICE, bytes, 0, caller()));
      assertEquals(NtStatus.STATUS_SUCCESS, r.status(), r.toString());
    }

    /** DOC order: Initialize → set the system callbacks → Execute (§3.3). */
    void registerCallbacks(boolean transferComplete, boolean configureChannel) {
      if (transferComplete) {
        assertClean(call(new TransactionDdi.WdfDmaTransactionSetTransferCompleteCallback(true, caller())));
      }
      if (configureChannel) {
        assertClean(call(new TransactionDdi.WdfDmaTransactionSetChannelConfigurationCallback(true, caller())));
      }
    }

    /** Execute is answered before the allocation is granted (the HAL queues it). */
    void execute() {
      tx.tell(new TransactionDdi.WdfDmaTransactionExecute(caller()));
      TransactionDdiReturn r = expectReturn();
      assertEquals(NtStatus.STATUS_SUCCESS, r.status(), r.toString());
      assertEquals(TransactionState.TRANSFER, r.state());
    }

    /** Plays the arbiters: the channel (adapter lock), then the map registers asked for. */
    int grant() {
      grantLock();
      return grantRegisters();
    }

    void grantLock() {
      acquired = lock.expectMessageClass(AdapterLockMessage.AcquireAdapter.class, WAIT);
      acquired.replyTo().tell(new AdapterReply.AdapterGranted("a", acquired.requestId()));
    }

    int grantRegisters() {
      allocated = pool.expectMessageClass(MapRegisterMessage.AllocateMapRegisters.class, WAIT);
      allocated.replyTo().tell(
          new MapRegisterReply.MapRegistersGranted("a", allocated.requestId(), allocated.count(), 0));
      return allocated.count();
    }

    void answer(DriverCallback callback) {
      callback.replyTo().tell(CallbackReturn.SUCCESS);
    }

    /** Nothing reaches the arbiters: no new allocation, the channel is not given back. */
    void arbitersQuiet() {
      lock.expectNoMessage(QUIET);
      pool.expectNoMessage(Duration.ofMillis(10));
    }

    /** §4.3 system row: FreeAdapterChannel gives back the channel and the registers of this allocation. */
    void expectChannelFreed() {
      var release = lock.expectMessageClass(AdapterLockMessage.ReleaseAdapter.class, WAIT);
      assertEquals(acquired.requestId(), release.requestId());
      var free = pool.expectMessageClass(MapRegisterMessage.FreeMapRegisters.class, WAIT);
      assertEquals(allocated.requestId(), free.requestId());
    }

    /**
     * Sends {@code ddi} and receives until its return and {@code callbacks} transaction callbacks
     * have come, in whatever order; EvtDmaTransactionConfigureDmaChannel is answered with
     * {@code configure} as it arrives, the other callbacks are left to the caller.
     */
    Outcome callCollecting(TransactionDdi ddi, int callbacks, boolean configure) {
      tx.tell(ddi);
      TransactionDdiReturn ret = null;
      List<DriverCallback> seen = new ArrayList<>();
      while (ret == null || seen.size() < callbacks) {
        Object m = driverAndCaller.receiveMessage(WAIT);
        if (m instanceof TransactionDdiReturn r) {
          assertNull(ret, "two returns for one call: " + r);
          ret = r;
        } else if (m instanceof DriverCallback.EvtDmaTransactionConfigureDmaChannel c) {
          seen.add(c);
          c.replyTo().tell(CallbackReturn.ofBoolean(configure));
        } else if (m instanceof DriverCallback c) {
          seen.add(c);
        } else {
          fail("unexpected " + m);
        }
      }
      return new Outcome(ret, seen);
    }
  }

  /** What one DDI call led to: its return and the callbacks that came with it, in order. */
  record Outcome(TransactionDdiReturn ret, List<DriverCallback> callbacks) {
    <T extends DriverCallback> T callback(int i, Class<T> type) {
      return assertInstanceOf(type, callbacks.get(i), callbacks.toString());
    }
  }

  static void assertClean(TransactionDdiReturn r) {
    assertEquals(NtStatus.STATUS_SUCCESS, r.status(), r.toString());
    assertNull(r.bugCheck(), r.toString());
  }

  static DriverCallback.EvtDmaTransactionDmaTransferComplete assertTransferComplete(
      Object message, DmaCompletionStatus status) {
    var complete = assertInstanceOf(DriverCallback.EvtDmaTransactionDmaTransferComplete.class, message);
    assertEquals(status, complete.status());
    assertEquals(DmaDirection.READ_FROM_DEVICE, complete.direction());
    return complete;
  }

  // ---- §4.3 / §3.4: channel and all map registers for the whole transaction -----------------

  @Test
  @DisplayName("§4.3/§3.4 system: Execute takes the channel and ALL 17 map registers; the channel is kept after EvtProgramDma; DMA_COMPLETE → DmaCompleted TRUE → FreeAdapterChannel")
  void channelAndAllRegistersHeldForTheTransaction() {
    Scripted s = new Scripted(FAST);
    s.initialize(8192);
    s.registerCallbacks(true, false);
    s.execute();
    // A packet transaction of 8 KiB would ask for 2-3 registers; a system one asks for all N (§3.4).
    assertEquals(N, s.grant());
    assertFalse(s.allocated.reservation());
    var program = s.expectCallback(DriverCallback.EvtProgramDma.class);
    assertEquals(0, program.sgList().offset());
    assertEquals(8192, program.sgList().length());
    assertEquals(DmaDirection.READ_FROM_DEVICE, program.direction());
    // §6.3: a completion during EvtProgramDma waits until it returns.
    s.driverAndCaller.expectNoMessage(QUIET);
    s.answer(program);
    // KeepObject: the channel stays owned after the adapter-control routine (§3.4, §4.3).
    var complete = assertTransferComplete(s.driverAndCaller.receiveMessage(WAIT), DmaCompletionStatus.DMA_COMPLETE);
    s.arbitersQuiet();
    // The driver calls DmaCompleted from EvtDmaTransactionDmaTransferComplete (§6.3 DOC).
    TransactionDdiReturn done = s.call(new TransactionDdi.WdfDmaTransactionDmaCompleted(s.caller()));
    assertTrue(done.value());
    assertEquals(NtStatus.STATUS_SUCCESS, done.status());
    assertEquals(8192, done.bytesTransferred());
    assertEquals(TransactionState.TRANSFER_COMPLETED, done.state());
    assertNull(done.bugCheck());
    s.answer(complete);
    s.expectChannelFreed();
    s.device.expectNoMessage(Duration.ofMillis(10));
  }

  @Test
  @DisplayName("§3.4 system: without a transfer-complete callback MapTransferEx gets no completion routine — no EvtDmaTransactionDmaTransferComplete")
  void noCompletionCallbackWithoutRegistration() {
    Scripted s = new Scripted(FAST);
    s.initialize(4096);
    s.execute();
    assertEquals(N, s.grant());
    s.answer(s.expectCallback(DriverCallback.EvtProgramDma.class));
    s.driverAndCaller.expectNoMessage(QUIET);
    // The driver learns of the end some other way and completes.
    TransactionDdiReturn done = s.call(new TransactionDdi.WdfDmaTransactionDmaCompleted(s.caller()));
    assertTrue(done.value());
    assertEquals(NtStatus.STATUS_SUCCESS, done.status());
    s.expectChannelFreed();
  }

  // ---- §3.4 / §3.3: fragments and EvtDmaTransactionConfigureDmaChannel ----------------------

  @Test
  @DisplayName("§3.4 system: 150,000 bytes → 3 transfers on the same channel and registers; each EvtProgramDma is preceded by EvtDmaTransactionConfigureDmaChannel")
  void fragmentsReuseChannelAndConfigureEach() {
    Scripted s = new Scripted(FAST);
    s.initialize(150_000);
    s.registerCallbacks(true, true);
    s.execute();
    assertEquals(N, s.grant());
    var configure = s.expectCallback(DriverCallback.EvtDmaTransactionConfigureDmaChannel.class);
    assertEquals(0, configure.offset());
    assertEquals(FRAGMENT, configure.length());
    configure.replyTo().tell(CallbackReturn.ofBoolean(true));
    var program = s.expectCallback(DriverCallback.EvtProgramDma.class);
    assertEquals(0, program.sgList().offset());
    assertEquals(FRAGMENT, program.sgList().length());
    s.answer(program);
    s.answer(assertTransferComplete(s.driverAndCaller.receiveMessage(WAIT), DmaCompletionStatus.DMA_COMPLETE));
    s.arbitersQuiet();

    long[] offsets = {65536, 131072};
    long[] lengths = {65536, 150_000 - 131072};
    for (int i = 0; i < 2; i++) {
      Outcome next = s.callCollecting(new TransactionDdi.WdfDmaTransactionDmaCompleted(s.caller()), 2, true);
      assertFalse(next.ret().value(), next.toString());
      assertEquals(NtStatus.STATUS_MORE_PROCESSING_REQUIRED, next.ret().status());
      var config = next.callback(0, DriverCallback.EvtDmaTransactionConfigureDmaChannel.class);
      var prog = next.callback(1, DriverCallback.EvtProgramDma.class);
      assertEquals(offsets[i], config.offset());
      assertEquals(lengths[i], config.length());
      assertEquals(offsets[i], prog.sgList().offset());
      assertEquals(lengths[i], prog.sgList().length());
      s.answer(prog);
      s.answer(assertTransferComplete(s.driverAndCaller.receiveMessage(WAIT), DmaCompletionStatus.DMA_COMPLETE));
      // The same channel and registers: no new allocation, nothing given back between transfers.
      s.arbitersQuiet();
    }
    TransactionDdiReturn done = s.call(new TransactionDdi.WdfDmaTransactionDmaCompleted(s.caller()));
    assertTrue(done.value());
    assertEquals(NtStatus.STATUS_SUCCESS, done.status());
    assertEquals(150_000, done.bytesTransferred());
    assertEquals(TransactionState.TRANSFER_COMPLETED, done.state());
    s.expectChannelFreed();
  }

  @Test
  @DisplayName("§3.3 EvtDmaTransactionConfigureDmaChannel returns FALSE → no EvtProgramDma; the transaction stays in Transfer; DmaCompletedFinal(0) → TRUE")
  void configureChannelFalseStopsStaging() {
    Scripted s = new Scripted(FAST);
    s.initialize(8192);
    s.registerCallbacks(true, true);
    s.execute();
    s.grant();
    var configure = s.expectCallback(DriverCallback.EvtDmaTransactionConfigureDmaChannel.class);
    configure.replyTo().tell(CallbackReturn.ofBoolean(false));
    // Nothing mapped, nothing programmed, nothing for the controller to complete.
    s.driverAndCaller.expectNoMessage(QUIET);
    TransactionDdiReturn done = s.call(new TransactionDdi.WdfDmaTransactionDmaCompletedFinal(0, s.caller()));
    assertNull(done.bugCheck(), "still in Transfer, so DmaCompletedFinal is legal: " + done);
    assertTrue(done.value());
    assertEquals(NtStatus.STATUS_SUCCESS, done.status());
    assertEquals(TransactionState.TRANSFER_COMPLETED, done.state());
    s.expectChannelFreed();
  }

  // ---- §6.2 StopSystemTransfer ----------------------------------------------------------------

  @Test
  @DisplayName("§6.2 path 1: StopSystemTransfer while the transfer runs → EvtDmaTransactionDmaTransferComplete(DMA_CANCELLED); DmaCompletedFinal → TRUE")
  void stopRunningTransfer() {
    Scripted s = new Scripted(SLOW);
    s.initialize(8192);
    s.registerCallbacks(true, false);
    s.execute();
    s.grant();
    s.answer(s.expectCallback(DriverCallback.EvtProgramDma.class));
    Outcome stop = s.callCollecting(new TransactionDdi.WdfDmaTransactionStopSystemTransfer(s.caller()), 1, true);
    assertClean(stop.ret());
    var cancelled = assertTransferComplete(stop.callbacks().get(0), DmaCompletionStatus.DMA_CANCELLED);
    // DOC: the driver calls DmaCompletedFinal from the callback.
    TransactionDdiReturn done = s.call(new TransactionDdi.WdfDmaTransactionDmaCompletedFinal(0, s.caller()));
    assertNull(done.bugCheck(), done.toString());
    assertTrue(done.value());
    // §3.5: Final → STATUS_SUCCESS unless the flush fails; after a cancel the HAL's flush may say STATUS_CANCELLED (§10 item 5).
    assertTrue(Set.of(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_CANCELLED).contains(done.status()), done.toString());
    s.answer(cancelled);
    s.expectChannelFreed();
    s.driverAndCaller.expectNoMessage(QUIET);
  }

  @Test
  @DisplayName("§6.2 path 2a: StopSystemTransfer before the first transfer is mapped → synthesized DMA_CANCELLED, no EvtProgramDma, still Transfer; DmaCompletedFinal(0) → TRUE")
  void stopBeforeFirstMapping() {
    Scripted s = new Scripted(FAST);
    s.initialize(8192);
    s.registerCallbacks(true, false);
    s.execute();
    // The channel is asked for but not granted yet.
    AdapterLockMessage.AcquireAdapter acquire = s.lock.expectMessageClass(AdapterLockMessage.AcquireAdapter.class, WAIT);
    TransactionDdiReturn stop = s.call(new TransactionDdi.WdfDmaTransactionStopSystemTransfer(s.caller()));
    assertClean(stop);
    assertEquals(TransactionState.TRANSFER, stop.state());
    s.acquired = acquire;
    acquire.replyTo().tell(new AdapterReply.AdapterGranted("a", acquire.requestId()));
    s.grantRegisters();
    // Staging sees the cancelled flag: from the adapter-control path the framework synthesizes the callback.
    var cancelled = assertTransferComplete(s.driverAndCaller.receiveMessage(WAIT), DmaCompletionStatus.DMA_CANCELLED);
    // DOC: the driver calls DmaCompletedFinal from that callback.
    TransactionDdiReturn done = s.call(new TransactionDdi.WdfDmaTransactionDmaCompletedFinal(0, s.caller()));
    assertNull(done.bugCheck(), "the transaction stayed in Transfer: " + done);
    assertTrue(done.value());
    assertTrue(Set.of(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_CANCELLED).contains(done.status()), done.toString());
    s.answer(cancelled);
    s.expectChannelFreed();
    // No EvtProgramDma at any point.
    s.driverAndCaller.expectNoMessage(QUIET);
  }

  @Test
  @DisplayName("§6.2 path 2b: StopSystemTransfer during transfer 1 of 3 → DMA_CANCELLED; DmaCompleted (not Final) → staging sees the flag → TRUE, STATUS_CANCELLED, TransferFailed")
  void stopThenDmaCompletedFailsNextStaging() {
    Scripted s = new Scripted(SLOW);
    s.initialize(150_000);
    s.registerCallbacks(true, false);
    s.execute();
    s.grant();
    s.answer(s.expectCallback(DriverCallback.EvtProgramDma.class));
    Outcome stop = s.callCollecting(new TransactionDdi.WdfDmaTransactionStopSystemTransfer(s.caller()), 1, true);
    assertClean(stop.ret());
    var cancelled = assertTransferComplete(stop.callbacks().get(0), DmaCompletionStatus.DMA_CANCELLED);
    TransactionDdiReturn done = s.call(new TransactionDdi.WdfDmaTransactionDmaCompleted(s.caller()));
    assertNull(done.bugCheck(), done.toString());
    assertTrue(done.value());
    assertEquals(NtStatus.STATUS_CANCELLED, done.status());
    assertEquals(TransactionState.TRANSFER_FAILED, done.state());
    // §3.5 step 3 counts the first transfer before step 5 stages (and fails) the second.
    assertEquals(FRAGMENT, done.bytesTransferred());
    s.answer(cancelled);
    s.expectChannelFreed();
    // Transfer 2 was never programmed.
    s.driverAndCaller.expectNoMessage(QUIET);
  }

  @Test
  @DisplayName("§8.1 K12: StopSystemTransfer after the controller completed (verifier on, KMDF 1.33) → bug check 0x10D/0x8; recorded, the call has no effect")
  void stopAfterCompletionIsK12() {
    Scripted s = new Scripted(FAST);
    s.initialize(8192);
    s.registerCallbacks(true, false);
    s.execute();
    s.grant();
    s.answer(s.expectCallback(DriverCallback.EvtProgramDma.class));
    s.answer(assertTransferComplete(s.driverAndCaller.receiveMessage(WAIT), DmaCompletionStatus.DMA_COMPLETE));
    TransactionDdiReturn stop = s.call(new TransactionDdi.WdfDmaTransactionStopSystemTransfer(s.caller()));
    assertK12(stop, TransactionState.TRANSFER);
    assertEquals("K12", s.device.expectMessageClass(BugCheckRaised.class, WAIT).bugCheck().rule());
    // Recorded, not crashed: the transfer had already completed, so the driver completes normally.
    TransactionDdiReturn done = s.call(new TransactionDdi.WdfDmaTransactionDmaCompleted(s.caller()));
    assertTrue(done.value());
    assertEquals(NtStatus.STATUS_SUCCESS, done.status());
    s.expectChannelFreed();
  }

  @Test
  @DisplayName("§8.1 K12: StopSystemTransfer on an Initialized system transaction (no transfer) with the verifier on → bug check 0x10D/0x8")
  void stopWithoutTransferIsK12() {
    Scripted s = new Scripted(FAST);
    s.initialize(8192);
    TransactionDdiReturn stop = s.call(new TransactionDdi.WdfDmaTransactionStopSystemTransfer(s.caller()));
    assertK12(stop, TransactionState.INITIALIZED);
    assertEquals("K12", s.device.expectMessageClass(BugCheckRaised.class, WAIT).bugCheck().rule());
  }

  @Test
  @DisplayName("§8.1 K12 is gated (verifier on and KMDF ≥ 1.11): verifier off, or KMDF 1.9 → no bug check")
  void k12IsGated() {
    Scripted off = new Scripted(FAST, new VerifierSettings(false, OnViolation.RECORD), 33, true);
    off.initialize(8192);
    assertClean(off.call(new TransactionDdi.WdfDmaTransactionStopSystemTransfer(off.caller())));
    off.device.expectNoMessage(QUIET);
    Scripted old = new Scripted(FAST, VERIFIER_RECORD, 9, true);
    old.initialize(8192);
    assertClean(old.call(new TransactionDdi.WdfDmaTransactionStopSystemTransfer(old.caller())));
    old.device.expectNoMessage(QUIET);
  }

  @Test
  @DisplayName("§6.2/§8.1 K12: a second StopSystemTransfer after the first stopped the running transfer → bug check 0x10D/0x8")
  void secondStopIsK12() {
    Scripted s = new Scripted(SLOW);
    s.initialize(8192);
    s.registerCallbacks(true, false);
    s.execute();
    s.grant();
    s.answer(s.expectCallback(DriverCallback.EvtProgramDma.class));
    Outcome stop = s.callCollecting(new TransactionDdi.WdfDmaTransactionStopSystemTransfer(s.caller()), 1, true);
    assertClean(stop.ret());
    s.answer(assertTransferComplete(stop.callbacks().get(0), DmaCompletionStatus.DMA_CANCELLED));
    // The HAL's CancelMappedTransfer fails: the transfer is already stopped.
    assertK12(s.call(new TransactionDdi.WdfDmaTransactionStopSystemTransfer(s.caller())), TransactionState.TRANSFER);
    assertEquals("K12", s.device.expectMessageClass(BugCheckRaised.class, WAIT).bugCheck().rule());
  }

  @Test
  @DisplayName("§3.4/§8.1 K12 without a transfer-complete callback: the controller still finishes the transfer (only the completion routine is missing), so a later StopSystemTransfer → K12")
  void controllerFinishesWithoutCallback() {
    Scripted s = new Scripted(FAST);
    s.initialize(4096);
    s.execute();
    s.grant();
    s.answer(s.expectCallback(DriverCallback.EvtProgramDma.class));
    // A 4 KiB transfer on the fast controller is long over by now.
    s.driverAndCaller.expectNoMessage(QUIET);
    assertK12(s.call(new TransactionDdi.WdfDmaTransactionStopSystemTransfer(s.caller())), TransactionState.TRANSFER);
  }

  static void assertK12(TransactionDdiReturn r, TransactionState state) {
    BugCheck bc = r.bugCheck();
    assertNotNull(bc, "expected K12: " + r);
    assertEquals(BugCheck.WDF_VIOLATION, bc.code());
    assertEquals(BugCheck.WDF_DMA_FATAL_ERROR, bc.subcode());
    assertEquals("K12", bc.rule());
    assertEquals(state, bc.state());
    assertEquals("WdfDmaTransactionStopSystemTransfer", bc.ddi());
  }

  @Test
  @DisplayName("§3.3 common Initialize clears the cancelled flag: after a stopped transfer, Release + Initialize + Execute runs normally")
  void reinitializeClearsCancelled() {
    Scripted s = new Scripted(FAST);
    s.initialize(8192);
    s.registerCallbacks(true, false);
    s.execute();
    AdapterLockMessage.AcquireAdapter acquire = s.lock.expectMessageClass(AdapterLockMessage.AcquireAdapter.class, WAIT);
    assertClean(s.call(new TransactionDdi.WdfDmaTransactionStopSystemTransfer(s.caller())));
    s.acquired = acquire;
    acquire.replyTo().tell(new AdapterReply.AdapterGranted("a", acquire.requestId()));
    s.grantRegisters();
    var cancelled = assertTransferComplete(s.driverAndCaller.receiveMessage(WAIT), DmaCompletionStatus.DMA_CANCELLED);
    s.answer(cancelled);
    assertTrue(s.call(new TransactionDdi.WdfDmaTransactionDmaCompletedFinal(0, s.caller())).value());
    s.expectChannelFreed();
    assertEquals(TransactionState.RELEASED, s.call(new TransactionDdi.WdfDmaTransactionRelease(s.caller())).state());

    s.initialize(4096);
    s.registerCallbacks(true, false);
    s.execute();
    assertEquals(N, s.grant());
    s.answer(s.expectCallback(DriverCallback.EvtProgramDma.class));
    s.answer(assertTransferComplete(s.driverAndCaller.receiveMessage(WAIT), DmaCompletionStatus.DMA_COMPLETE));
    TransactionDdiReturn done = s.call(new TransactionDdi.WdfDmaTransactionDmaCompleted(s.caller()));
    assertTrue(done.value());
    assertEquals(NtStatus.STATUS_SUCCESS, done.status());
    s.expectChannelFreed();
  }

  // ---- §5 reservation: map registers and the channel ------------------------------------------

  @Test
  @DisplayName("§5 system AllocateResources(0) after Initialize → all 17 registers + the channel, kept after EvtReserveDma; Execute → EvtProgramDma at once; FreeResources frees both")
  void reservationKeepsChannel() {
    Scripted s = new Scripted(FAST);
    s.initialize(8192);
    TransactionDdiReturn reserve =
        s.call(new TransactionDdi.WdfDmaTransactionAllocateResources(DmaDirection.READ_FROM_DEVICE, 0, s.caller()));
    assertClean(reserve);
    assertEquals(TransactionState.RESERVED, reserve.state());
    s.grantLock();
    assertEquals(N, s.grantRegisters(), "§5 count derivation: system → all N");
    assertTrue(s.allocated.reservation());
    s.answer(s.expectCallback(DriverCallback.EvtReserveDma.class));
    // Unlike packet (DeallocateObjectKeepRegisters), the system adapter-control returns KeepObject.
    s.arbitersQuiet();

    for (int round = 0; round < 2; round++) {
      s.initialize(8192);
      s.registerCallbacks(true, false);
      s.tx.tell(new TransactionDdi.WdfDmaTransactionExecute(s.caller()));
      // §5: with a reservation Execute calls the adapter-control routine directly: EvtProgramDma inside Execute.
      var program = s.expectCallback(DriverCallback.EvtProgramDma.class);
      assertEquals(NtStatus.STATUS_SUCCESS, s.expectReturn().status());
      s.answer(program);
      s.answer(assertTransferComplete(s.driverAndCaller.receiveMessage(WAIT), DmaCompletionStatus.DMA_COMPLETE));
      TransactionDdiReturn done = s.call(new TransactionDdi.WdfDmaTransactionDmaCompleted(s.caller()));
      assertTrue(done.value());
      assertEquals(NtStatus.STATUS_SUCCESS, done.status());
      assertEquals(TransactionState.RELEASED, s.call(new TransactionDdi.WdfDmaTransactionRelease(s.caller())).state());
      // Neither DmaCompleted nor Release gives the reservation back; no arbitration either.
      s.arbitersQuiet();
    }
    TransactionDdiReturn free = s.call(new TransactionDdi.WdfDmaTransactionFreeResources(s.caller()));
    assertClean(free);
    assertEquals(TransactionState.RELEASED, free.state());
    s.expectChannelFreed();
  }

  @Test
  @DisplayName("§5 system AllocateResources(4) from Created → 4 registers + the channel; the channel stays held after EvtReserveDma until FreeResources")
  void reservationWithCount() {
    Scripted s = new Scripted(FAST);
    assertClean(s.call(new TransactionDdi.WdfDmaTransactionAllocateResources(DmaDirection.READ_FROM_DEVICE, 4, s.caller())));
    s.grantLock();
    assertEquals(4, s.grantRegisters());
    s.answer(s.expectCallback(DriverCallback.EvtReserveDma.class));
    s.arbitersQuiet();
    assertClean(s.call(new TransactionDdi.WdfDmaTransactionFreeResources(s.caller())));
    s.expectChannelFreed();
  }

  // ---- Non-system transactions ----------------------------------------------------------------

  @Test
  @DisplayName("§3.2/§3.3 packet transaction: StopSystemTransfer and the system callback setters → STATUS_SUCCESS, no effect (VBRK only)")
  void systemOnlyDdisOnPacket() {
    Scripted s = new Scripted(FAST, VERIFIER_RECORD, 33, false);
    assertClean(s.call(new TransactionDdi.WdfDmaTransactionStopSystemTransfer(s.caller())));
    s.initialize(8192);
    TransactionDdiReturn setComplete = s.call(new TransactionDdi.WdfDmaTransactionSetTransferCompleteCallback(true, s.caller()));
    assertClean(setComplete);
    assertEquals(TransactionState.INITIALIZED, setComplete.state());
    assertClean(s.call(new TransactionDdi.WdfDmaTransactionSetChannelConfigurationCallback(true, s.caller())));
    s.execute();
    s.grant();
    // No EvtDmaTransactionConfigureDmaChannel before EvtProgramDma, no completion callback after it.
    s.answer(s.expectCallback(DriverCallback.EvtProgramDma.class));
    s.lock.expectMessageClass(AdapterLockMessage.ReleaseAdapter.class, WAIT);
    s.driverAndCaller.expectNoMessage(QUIET);
    TransactionDdiReturn stop = s.call(new TransactionDdi.WdfDmaTransactionStopSystemTransfer(s.caller()));
    assertClean(stop);
    assertEquals(TransactionState.TRANSFER, stop.state());
    s.driverAndCaller.expectNoMessage(QUIET);
    TransactionDdiReturn done = s.call(new TransactionDdi.WdfDmaTransactionDmaCompleted(s.caller()));
    assertTrue(done.value());
    assertEquals(NtStatus.STATUS_SUCCESS, done.status());
    s.device.expectNoMessage(Duration.ofMillis(10));
  }

  // ---- End to end ------------------------------------------------------------------------------

  record Done(DmaDirection direction, long bytes, NtStatus status) {}

  @Test
  @DisplayName("§4.3/§4.6 end to end: a simplex System device (DmaIoDriver SYSTEM) completes every request with STATUS_SUCCESS, no bug check, one channel hold per transaction")
  void systemDeviceEndToEnd() {
    long requests = 20;
    ConcurrentLinkedQueue<Done> done = new ConcurrentLinkedQueue<>();
    IoObserver observer = end -> done.add(new Done(end.direction(), end.bytes(), end.status()));
    DmaIoDriver.Settings driver =
        new DmaIoDriver.Settings(
            DmaIoDriver.Mode.SYSTEM,
            DmaEnablerConfig.init(DmaProfile.SYSTEM, 65536),
            2, IoWorkload.closed(2, 1, 150_000, 0.5, requests), 0, List.of(), 16);
    RecordingTrace trace = new RecordingTrace();
    String id = "sys-e2e-" + (++ids);
    DeviceSettings settings =
        DeviceSettings.defaults().withHardware(HardwareSettings.defaults());
    ActorRef<DeviceMessage> device =
        kit.spawn(Device.create(id, settings, driver.model(observer), trace), id);
    TestProbe<PnpResult> pnp = kit.createTestProbe();
    TestProbe<DeviceSnapshot> snapshot = kit.createTestProbe();
    device.tell(new PnpCommand.AddDevice(pnp.getRef()));
    assertEquals(PnpOutcome.SUCCEEDED, pnp.receiveMessage(WAIT).outcome());
    device.tell(new PnpCommand.StartDevice(pnp.getRef()));
    assertEquals(PnpOutcome.SUCCEEDED, pnp.receiveMessage(WAIT).outcome());
    pnp.awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(requests, done.size());
      return null;
    });
    for (Done d : done) {
      assertEquals(NtStatus.STATUS_SUCCESS, d.status(), d.toString());
      assertTrue(d.bytes() >= 1 && d.bytes() <= 150_000, d.toString());
    }
    device.tell(new GetDeviceState(snapshot.getRef()));
    DeviceSnapshot s = snapshot.receiveMessage(WAIT);
    assertEquals(List.of(), s.bugChecks());
    assertEquals(1, s.enablers().get(0).adapters().size(), "configured in EvtDevicePrepareHardware: one simplex adapter");
    assertEquals(N, s.enablers().get(0).adapters().get(0).mapRegisters());
    device.tell(new PnpCommand.RemoveDevice(pnp.getRef()));
    assertEquals(DeviceState.REMOVED, pnp.receiveMessage(WAIT).state());
    device.tell(new GetDeviceState(snapshot.getRef()));
    assertEquals(List.of(), snapshot.receiveMessage(WAIT).bugChecks(), "nothing held at removal");

    long holds = trace.all().stream()
        .filter(e -> e.name().equals("AdapterLockHeld") && id.equals(e.args().get("device")))
        .count();
    // §4.3: the channel is taken once for the whole transaction, not per fragment. (Span times are not
    // compared: a span's end is stamped after ReleaseAdapter is sent, so neighbours may appear to overlap.)
    assertEquals(requests, holds);
    assertTrue(trace.all().stream().anyMatch(e -> e.name().equals("EvtDmaTransactionDmaTransferComplete")));
  }
}
