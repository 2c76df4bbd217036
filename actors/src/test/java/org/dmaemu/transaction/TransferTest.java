package org.dmaemu.transaction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.dmaemu.device.PacketDmaSlot;
import org.dmaemu.device.PlatformSettings;
import org.dmaemu.enabler.EnablerCreation;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.arbitration.AdapterLockMessage;
import org.dmaemu.protocol.arbitration.AdapterReply;
import org.dmaemu.protocol.arbitration.MapRegisterMessage;
import org.dmaemu.protocol.arbitration.Requester;
import org.dmaemu.protocol.arbitration.MapRegisterReply;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.protocol.driver.CallbackReturn;
import org.dmaemu.protocol.driver.DriverCallback;
import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaEnablerConfigFlags;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.protocol.enabler.EnablerHandle;
import org.dmaemu.protocol.enabler.EnablerInfo;
import org.dmaemu.protocol.transaction.ScatterGatherList;
import org.dmaemu.protocol.transaction.TransactionDdi;
import org.dmaemu.protocol.transaction.TransactionDdiReturn;
import org.dmaemu.protocol.transaction.TransactionMessage;
import org.dmaemu.protocol.transaction.TransactionState;
import org.dmaemu.testing.TestKits;
import org.dmaemu.testing.TransactionHarness;
import org.dmaemu.trace.TraceSink;
import org.dmaemu.verifier.OnViolation;
import org.dmaemu.verifier.VerifierSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Fragmentation (§3.4), the DmaCompleted* algorithm (§3.5), v2 serialization (§4.4), reservation (§5), cancel (§6.1). */
class TransferTest {
  private static ActorTestKit kit;
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static long ids;

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("TransferTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  static DmaEnablerConfig packetV3(long maximumLength) {
    return DmaEnablerConfig.init(DmaProfile.PACKET, maximumLength).withWdmDmaVersionOverride(3);
  }

  /**
   * A transaction whose driver and DDI replies are one probe, so that the order in which the
   * transaction sends callbacks and returns is the order the probe sees; arbiters are probes too.
   */
  static final class Scripted {
    final TestProbe<Object> driverAndCaller = kit.createTestProbe();
    final TestProbe<AdapterLockMessage> lock = kit.createTestProbe();
    final TestProbe<MapRegisterMessage> pool = kit.createTestProbe();
    final TestProbe<DeviceMessage> device = kit.createTestProbe();
    final ActorRef<TransactionMessage> tx;
    final EnablerInfo enabler;

    Scripted(DmaEnablerConfig config, PacketDmaSlot slot) {
      enabler = EnablerCreation.create(
          new EnablerHandle("scripted-" + (++ids), 0), config, null, PlatformSettings.defaults(), 33).enabler();
      var adapter = enabler.adapterFor(DmaDirection.READ_FROM_DEVICE);
      AdapterArbiters arbiters = new AdapterArbiters("adapter-" + ids, adapter.mapRegisters(),
          adapter.maximumFragmentLength(), lock.getRef(), pool.getRef());
      DmaTransaction.Settings settings = new DmaTransaction.Settings(
          enabler, 1, 4096, 33, new VerifierSettings(true, OnViolation.RECORD), Duration.ofSeconds(3), arbiters, arbiters, SystemController.defaults(),
          Requester.ofDevice(enabler.handle().deviceId()));
      ActorRef<DriverMessage> driver = driverAndCaller.getRef().narrow();
      tx = kit.spawn(DmaTransaction.create(settings, new DmaTransaction.Peers(driver, device.getRef(), slot, TraceSink.NONE, org.dmaemu.metrics.DmaObserver.NONE)));
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

    /** Plays the arbiters: grants the adapter, then {@code registers} map registers. */
    int grant() {
      var acquire = lock.expectMessageClass(AdapterLockMessage.AcquireAdapter.class, WAIT);
      acquire.replyTo().tell(new AdapterReply.AdapterGranted("a", acquire.requestId()));
      var allocate = pool.expectMessageClass(MapRegisterMessage.AllocateMapRegisters.class, WAIT);
      allocate.replyTo().tell(new MapRegisterReply.MapRegistersGranted("a", allocate.requestId(), allocate.count(), 0));
      return allocate.count();
    }

    /** The driver returns from EvtProgramDma; the adapter is given back then (packet, SG). */
    void returnFrom(DriverCallback callback) {
      callback.replyTo().tell(CallbackReturn.SUCCESS);
    }
  }

  @Test
  @DisplayName("§3.4 packet: 200,000 bytes with 64 KiB fragments → 4 EvtProgramDma on the same map registers; §3.5 FALSE ×3 then TRUE")
  void packetFragments() {
    Scripted s = new Scripted(packetV3(65536), new PacketDmaSlot());
    s.call(new TransactionDdi.WdfDmaTransactionInitialize(DmaDirection.READ_FROM_DEVICE, 200_000, 0, s.caller()));
    s.tx.tell(new TransactionDdi.WdfDmaTransactionExecute(s.caller()));
    assertEquals(NtStatus.STATUS_SUCCESS, s.expectReturn().status());
    // Worst case for a transaction longer than one fragment: pages of 64 KiB starting at byte 4095.
    assertEquals(17, s.grant());
    List<Long> lengths = new ArrayList<>();
    var program = s.expectCallback(DriverCallback.EvtProgramDma.class);
    s.returnFrom(program);
    s.lock.expectMessageClass(AdapterLockMessage.ReleaseAdapter.class, WAIT);
    lengths.add(program.sgList().length());
    for (int i = 0; i < 3; i++) {
      s.tx.tell(new TransactionDdi.WdfDmaTransactionDmaCompleted(s.caller()));
      // The next fragment's EvtProgramDma is sent before DmaCompleted returns (§3.5 step 5).
      program = s.expectCallback(DriverCallback.EvtProgramDma.class);
      TransactionDdiReturn r = s.expectReturn();
      assertFalse(r.value());
      assertEquals(NtStatus.STATUS_MORE_PROCESSING_REQUIRED, r.status());
      assertEquals(1, program.sgList().elements());
      assertEquals(65536L * (i + 1), program.sgList().offset());
      lengths.add(program.sgList().length());
      s.returnFrom(program);
    }
    // Packet keeps its registers between fragments: no new allocation.
    s.pool.expectNoMessage(Duration.ofMillis(50));
    TransactionDdiReturn last = s.call(new TransactionDdi.WdfDmaTransactionDmaCompleted(s.caller()));
    assertTrue(last.value());
    assertEquals(NtStatus.STATUS_SUCCESS, last.status());
    assertEquals(200_000, last.bytesTransferred());
    assertEquals(0, last.currentTransferLength());
    assertEquals(TransactionState.TRANSFER_COMPLETED, last.state());
    assertEquals(List.of(65536L, 65536L, 65536L, 3392L), lengths);
    s.pool.expectMessageClass(MapRegisterMessage.FreeMapRegisters.class, WAIT);
  }

  @Test
  @DisplayName("§3.4 scatter-gather: every fragment re-enters arbitration and its registers are freed at DmaCompleted")
  void scatterGatherReArbitrates() {
    Scripted s = new Scripted(DmaEnablerConfig.init(DmaProfile.SCATTER_GATHER, 8192), new PacketDmaSlot());
    s.call(new TransactionDdi.WdfDmaTransactionInitialize(DmaDirection.READ_FROM_DEVICE, 20_000, 0, s.caller()));
    s.call(new TransactionDdi.WdfDmaTransactionExecute(s.caller()));
    List<Integer> pages = new ArrayList<>();
    for (int fragment = 0; fragment < 3; fragment++) {
      pages.add(s.grant());
      var program = s.expectCallback(DriverCallback.EvtProgramDma.class);
      assertEquals(program.sgList().length() > 4096 ? 2 : 1, program.sgList().elements());
      s.returnFrom(program);
      s.lock.expectMessageClass(AdapterLockMessage.ReleaseAdapter.class, WAIT);
      TransactionDdiReturn r = s.call(new TransactionDdi.WdfDmaTransactionDmaCompleted(s.caller()));
      s.pool.expectMessageClass(MapRegisterMessage.FreeMapRegisters.class, WAIT);
      assertEquals(fragment == 2, r.value());
    }
    // 8 KiB fragments (N = 3, (N−1) × 4 KiB = 8 KiB): 8192 + 8192 + 3616 bytes.
    assertEquals(List.of(2, 2, 1), pages);
  }

  @Test
  @DisplayName("§3.5 DmaCompletedWithLength(0) retries the same fragment; WithLength(L<C) resumes at start + transferred")
  void partialCompletion() {
    Scripted s = new Scripted(packetV3(8192), new PacketDmaSlot());
    s.call(new TransactionDdi.WdfDmaTransactionInitialize(DmaDirection.READ_FROM_DEVICE, 16384, 0, s.caller()));
    s.call(new TransactionDdi.WdfDmaTransactionExecute(s.caller()));
    s.grant();
    var first = s.expectCallback(DriverCallback.EvtProgramDma.class);
    s.returnFrom(first);
    s.tx.tell(new TransactionDdi.WdfDmaTransactionDmaCompletedWithLength(0, s.caller()));
    var retry = s.expectCallback(DriverCallback.EvtProgramDma.class);
    assertEquals(first.sgList(), retry.sgList());
    assertFalse(s.expectReturn().value());
    s.returnFrom(retry);
    s.tx.tell(new TransactionDdi.WdfDmaTransactionDmaCompletedWithLength(1000, s.caller()));
    var next = s.expectCallback(DriverCallback.EvtProgramDma.class);
    assertEquals(new ScatterGatherList(1000, 8192, 1, 3), next.sgList());
    TransactionDdiReturn r = s.expectReturn();
    assertEquals(1000, r.bytesTransferred());
    assertEquals(8192, r.currentTransferLength());
  }

  @Test
  @DisplayName("§3.5 DmaCompletedFinal(L) always ends the transaction: TRUE, STATUS_SUCCESS, bytes = transferred + L")
  void completedFinal() {
    Scripted s = new Scripted(packetV3(4096), new PacketDmaSlot());
    s.call(new TransactionDdi.WdfDmaTransactionInitialize(DmaDirection.READ_FROM_DEVICE, 16384, 0, s.caller()));
    s.call(new TransactionDdi.WdfDmaTransactionExecute(s.caller()));
    s.grant();
    s.returnFrom(s.expectCallback(DriverCallback.EvtProgramDma.class));
    TransactionDdiReturn r = s.call(new TransactionDdi.WdfDmaTransactionDmaCompletedFinal(100, s.caller()));
    assertTrue(r.value());
    assertEquals(NtStatus.STATUS_SUCCESS, r.status());
    assertEquals(100, r.bytesTransferred());
    assertEquals(TransactionState.TRANSFER_COMPLETED, r.state());
  }

  @Test
  @DisplayName("§3.5 step 2: a length beyond the fragment ends the transaction with STATUS_INVALID_PARAMETER (TRUE, TransferFailed)")
  void lengthBeyondFragment() {
    Scripted s = new Scripted(packetV3(4096), new PacketDmaSlot());
    s.call(new TransactionDdi.WdfDmaTransactionInitialize(DmaDirection.READ_FROM_DEVICE, 4096, 0, s.caller()));
    s.call(new TransactionDdi.WdfDmaTransactionExecute(s.caller()));
    s.grant();
    s.returnFrom(s.expectCallback(DriverCallback.EvtProgramDma.class));
    TransactionDdiReturn r = s.call(new TransactionDdi.WdfDmaTransactionDmaCompletedWithLength(4097, s.caller()));
    assertTrue(r.value());
    assertEquals(NtStatus.STATUS_INVALID_PARAMETER, r.status());
    assertEquals(TransactionState.TRANSFER_FAILED, r.state());
  }

  @Test
  @DisplayName("§3.5 single-transfer with a residue → TRUE, STATUS_WDF_TOO_MANY_TRANSFERS; §3.3 too long at Initialize → the same status")
  void singleTransfer() {
    DmaEnablerConfig single = packetV3(8192).withFlags(DmaEnablerConfigFlags.REQUIRE_SINGLE_TRANSFER);
    Scripted s = new Scripted(single, new PacketDmaSlot());
    TransactionDdiReturn tooLong =
        s.call(new TransactionDdi.WdfDmaTransactionInitialize(DmaDirection.READ_FROM_DEVICE, 8193, 0, s.caller()));
    assertEquals(NtStatus.STATUS_WDF_TOO_MANY_TRANSFERS, tooLong.status());
    assertEquals(TransactionState.RELEASED, tooLong.state());
    s.call(new TransactionDdi.WdfDmaTransactionInitialize(DmaDirection.READ_FROM_DEVICE, 8192, 0, s.caller()));
    s.call(new TransactionDdi.WdfDmaTransactionExecute(s.caller()));
    s.grant();
    s.returnFrom(s.expectCallback(DriverCallback.EvtProgramDma.class));
    TransactionDdiReturn r = s.call(new TransactionDdi.WdfDmaTransactionDmaCompletedWithLength(4096, s.caller()));
    assertTrue(r.value());
    assertEquals(NtStatus.STATUS_WDF_TOO_MANY_TRANSFERS, r.status());
  }

  @Test
  @DisplayName("§4.4 DMA v2: a second packet Execute on the same device fails with STATUS_WDF_BUSY until the first finishes")
  void v2PacketBusy() {
    PacketDmaSlot slot = new PacketDmaSlot();
    DmaEnablerConfig v2 = DmaEnablerConfig.init(DmaProfile.PACKET, 4096);
    TransactionHarness first = TransactionHarness.granting(kit, v2, OnViolation.RECORD);
    TransactionHarness second = new TransactionHarness(kit, v2, OnViolation.RECORD, slot,
        e -> TransactionHarness.arbiters(kit, e, DmaDirection.READ_FROM_DEVICE),
        e -> TransactionHarness.arbiters(kit, e, DmaDirection.WRITE_TO_DEVICE));
    TransactionHarness firstOnSlot = new TransactionHarness(kit, v2, OnViolation.RECORD, slot,
        e -> TransactionHarness.arbiters(kit, e, DmaDirection.READ_FROM_DEVICE),
        e -> TransactionHarness.arbiters(kit, e, DmaDirection.WRITE_TO_DEVICE));
    firstOnSlot.initialize(DmaDirection.READ_FROM_DEVICE, 4096);
    assertEquals(NtStatus.STATUS_SUCCESS, firstOnSlot.execute().status());
    firstOnSlot.nextCallback();
    second.initialize(DmaDirection.READ_FROM_DEVICE, 4096);
    TransactionDdiReturn busy = second.execute();
    assertEquals(NtStatus.STATUS_WDF_BUSY, busy.status());
    assertEquals(TransactionState.TRANSFER_FAILED, busy.state());
    // The first finishes: the slot is free again.
    assertTrue(firstOnSlot.dmaCompleted().value());
    second.release();
    second.initialize(DmaDirection.READ_FROM_DEVICE, 4096);
    assertEquals(NtStatus.STATUS_SUCCESS, second.execute().status());
    // A transaction of another device has its own slot.
    first.initialize(DmaDirection.READ_FROM_DEVICE, 4096);
    assertEquals(NtStatus.STATUS_SUCCESS, first.execute().status());
  }

  @Test
  @DisplayName("§4.5 immediate execution: a busy adapter → Execute returns STATUS_INSUFFICIENT_RESOURCES, TransferFailed")
  void immediateExecutionRefused() {
    Scripted s = new Scripted(packetV3(4096), new PacketDmaSlot());
    s.call(new TransactionDdi.WdfDmaTransactionSetImmediateExecution(true, s.caller()));
    s.call(new TransactionDdi.WdfDmaTransactionInitialize(DmaDirection.READ_FROM_DEVICE, 4096, 0, s.caller()));
    s.tx.tell(new TransactionDdi.WdfDmaTransactionExecute(s.caller()));
    var acquire = s.lock.expectMessageClass(AdapterLockMessage.AcquireAdapter.class, WAIT);
    assertTrue(acquire.immediate());
    acquire.replyTo().tell(new AdapterReply.AdapterUnavailable("a", acquire.requestId(), NtStatus.STATUS_INSUFFICIENT_RESOURCES));
    TransactionDdiReturn r = s.expectReturn();
    assertEquals(NtStatus.STATUS_INSUFFICIENT_RESOURCES, r.status());
    assertEquals(TransactionState.TRANSFER_FAILED, r.state());
  }

  @Test
  @DisplayName("§6.1 Cancel while the allocation waits → TRUE, TransferFailed, EvtProgramDma never called; after EvtProgramDma → FALSE")
  void cancel() {
    Scripted s = new Scripted(packetV3(4096), new PacketDmaSlot());
    s.call(new TransactionDdi.WdfDmaTransactionInitialize(DmaDirection.READ_FROM_DEVICE, 4096, 0, s.caller()));
    s.call(new TransactionDdi.WdfDmaTransactionExecute(s.caller()));
    var acquire = s.lock.expectMessageClass(AdapterLockMessage.AcquireAdapter.class, WAIT);
    s.tx.tell(new TransactionDdi.WdfDmaTransactionCancel(s.caller()));
    var cancel = s.lock.expectMessageClass(AdapterLockMessage.CancelAdapterRequest.class, WAIT);
    assertEquals(acquire.requestId(), cancel.requestId());
    cancel.holder().tell(new AdapterReply.AdapterRequestCancelled("a", cancel.requestId(), true));
    TransactionDdiReturn r = s.expectReturn();
    assertTrue(r.value());
    assertEquals(TransactionState.TRANSFER_FAILED, r.state());
    s.driverAndCaller.expectNoMessage(Duration.ofMillis(50));

    Scripted t = new Scripted(packetV3(4096), new PacketDmaSlot());
    t.call(new TransactionDdi.WdfDmaTransactionInitialize(DmaDirection.READ_FROM_DEVICE, 4096, 0, t.caller()));
    t.call(new TransactionDdi.WdfDmaTransactionExecute(t.caller()));
    t.grant();
    t.returnFrom(t.expectCallback(DriverCallback.EvtProgramDma.class));
    TransactionDdiReturn late = t.call(new TransactionDdi.WdfDmaTransactionCancel(t.caller()));
    assertFalse(late.value());
    assertEquals(TransactionState.TRANSFER, late.state());
  }

  @Test
  @DisplayName("§5 AllocateResources → EvtReserveDma; Execute then calls EvtProgramDma without arbitration; Release keeps the registers; FreeResources frees them")
  void reservationLoop() {
    Scripted s = new Scripted(packetV3(65536), new PacketDmaSlot());
    s.tx.tell(new TransactionDdi.WdfDmaTransactionAllocateResources(DmaDirection.READ_FROM_DEVICE, 4, s.caller()));
    assertEquals(TransactionState.RESERVED, s.expectReturn().state());
    var acquire = s.lock.expectMessageClass(AdapterLockMessage.AcquireAdapter.class, WAIT);
    acquire.replyTo().tell(new AdapterReply.AdapterGranted("a", acquire.requestId()));
    var allocate = s.pool.expectMessageClass(MapRegisterMessage.AllocateMapRegisters.class, WAIT);
    assertEquals(4, allocate.count());
    assertTrue(allocate.reservation());
    allocate.replyTo().tell(new MapRegisterReply.MapRegistersGranted("a", allocate.requestId(), 4, 0));
    var reserve = s.expectCallback(DriverCallback.EvtReserveDma.class);
    s.returnFrom(reserve);
    s.lock.expectMessageClass(AdapterLockMessage.ReleaseAdapter.class, WAIT);
    for (int round = 0; round < 3; round++) {
      s.call(new TransactionDdi.WdfDmaTransactionInitialize(DmaDirection.READ_FROM_DEVICE, 8192, 0, s.caller()));
      s.tx.tell(new TransactionDdi.WdfDmaTransactionExecute(s.caller()));
      // EvtProgramDma runs inside Execute: it comes before Execute's return.
      s.returnFrom(s.expectCallback(DriverCallback.EvtProgramDma.class));
      assertEquals(NtStatus.STATUS_SUCCESS, s.expectReturn().status());
      assertTrue(s.call(new TransactionDdi.WdfDmaTransactionDmaCompleted(s.caller())).value());
      assertEquals(TransactionState.RELEASED, s.call(new TransactionDdi.WdfDmaTransactionRelease(s.caller())).state());
    }
    s.lock.expectNoMessage(Duration.ofMillis(50));
    s.pool.expectNoMessage(Duration.ofMillis(10));
    s.call(new TransactionDdi.WdfDmaTransactionFreeResources(s.caller()));
    var free = s.pool.expectMessageClass(MapRegisterMessage.FreeMapRegisters.class, WAIT);
    assertEquals(allocate.requestId(), free.requestId());
  }

  @Test
  @DisplayName("§4.5/§5 reserved registers fewer than the buffer needs → fragments clipped to the reservation")
  void reservationClipsFragments() {
    Scripted s = new Scripted(packetV3(65536), new PacketDmaSlot());
    s.call(new TransactionDdi.WdfDmaTransactionAllocateResources(DmaDirection.READ_FROM_DEVICE, 2, s.caller()));
    s.grant();
    s.returnFrom(s.expectCallback(DriverCallback.EvtReserveDma.class));
    s.call(new TransactionDdi.WdfDmaTransactionInitialize(DmaDirection.READ_FROM_DEVICE, 12288, 0, s.caller()));
    s.tx.tell(new TransactionDdi.WdfDmaTransactionExecute(s.caller()));
    var first = s.expectCallback(DriverCallback.EvtProgramDma.class);
    s.expectReturn();
    // (reserved − 1) × PAGE_SIZE + (PAGE_SIZE − page offset) = 8192 at offset 0.
    assertEquals(8192, first.sgList().length());
    s.returnFrom(first);
    s.tx.tell(new TransactionDdi.WdfDmaTransactionDmaCompleted(s.caller()));
    assertEquals(4096, s.expectCallback(DriverCallback.EvtProgramDma.class).sgList().length());
  }

  @Test
  @DisplayName("§5 single-transfer needing more registers than reserved → Initialize fails with STATUS_WDF_NOT_ENOUGH_MAP_REGISTERS")
  void singleTransferNeedsMoreThanReserved() {
    Scripted s = new Scripted(packetV3(65536), new PacketDmaSlot());
    s.call(new TransactionDdi.WdfDmaTransactionSetSingleTransferRequirement(true, s.caller()));
    s.call(new TransactionDdi.WdfDmaTransactionAllocateResources(DmaDirection.READ_FROM_DEVICE, 4, s.caller()));
    s.grant();
    s.returnFrom(s.expectCallback(DriverCallback.EvtReserveDma.class));
    TransactionDdiReturn r =
        s.call(new TransactionDdi.WdfDmaTransactionInitialize(DmaDirection.READ_FROM_DEVICE, 6 * 4096, 0, s.caller()));
    assertEquals(NtStatus.STATUS_WDF_NOT_ENOUGH_MAP_REGISTERS, r.status());
  }

  @Test
  @DisplayName("§5 AllocateResources needs DMA v3 and a packet or system profile: v2 or scatter-gather → STATUS_INVALID_DEVICE_REQUEST")
  void reservationAvailability() {
    Scripted v2 = new Scripted(DmaEnablerConfig.init(DmaProfile.PACKET, 4096), new PacketDmaSlot());
    assertEquals(NtStatus.STATUS_INVALID_DEVICE_REQUEST,
        v2.call(new TransactionDdi.WdfDmaTransactionAllocateResources(DmaDirection.READ_FROM_DEVICE, 1, v2.caller())).status());
    Scripted sg = new Scripted(DmaEnablerConfig.init(DmaProfile.SCATTER_GATHER, 4096).withWdmDmaVersionOverride(3),
        new PacketDmaSlot());
    assertEquals(NtStatus.STATUS_INVALID_DEVICE_REQUEST,
        sg.call(new TransactionDdi.WdfDmaTransactionAllocateResources(DmaDirection.READ_FROM_DEVICE, 1, sg.caller())).status());
  }

  @Test
  @DisplayName("§5 WdfObjectDelete frees a reservation (Release would keep it)")
  void deleteFreesReservation() {
    Scripted s = new Scripted(packetV3(65536), new PacketDmaSlot());
    s.call(new TransactionDdi.WdfDmaTransactionAllocateResources(DmaDirection.READ_FROM_DEVICE, 2, s.caller()));
    s.grant();
    s.returnFrom(s.expectCallback(DriverCallback.EvtReserveDma.class));
    s.call(new TransactionDdi.WdfDmaTransactionRelease(s.caller()));
    s.pool.expectNoMessage(Duration.ofMillis(50));
    assertEquals(TransactionState.DELETED, s.call(new TransactionDdi.WdfObjectDelete(s.caller())).state());
    s.pool.expectMessageClass(MapRegisterMessage.FreeMapRegisters.class, WAIT);
  }

  @Test
  @DisplayName("§3.3 SetMaximumLength only lowers the fragment length; Initialize parameters are checked first")
  void setMaximumLengthAndParameters() {
    Scripted s = new Scripted(packetV3(65536), new PacketDmaSlot());
    assertEquals(NtStatus.STATUS_INVALID_PARAMETER,
        s.call(new TransactionDdi.WdfDmaTransactionInitialize(DmaDirection.READ_FROM_DEVICE, 0, 0, s.caller())).status());
    assertEquals(NtStatus.STATUS_INVALID_PARAMETER,
        s.call(new TransactionDdi.WdfDmaTransactionInitialize(null, 10, 0, s.caller())).status());
    s.call(new TransactionDdi.WdfDmaTransactionInitialize(DmaDirection.READ_FROM_DEVICE, 10_000, 0, s.caller()));
    s.call(new TransactionDdi.WdfDmaTransactionSetMaximumLength(1_000_000, s.caller()));
    s.call(new TransactionDdi.WdfDmaTransactionSetMaximumLength(4096, s.caller()));
    s.call(new TransactionDdi.WdfDmaTransactionExecute(s.caller()));
    s.grant();
    assertEquals(4096, s.expectCallback(DriverCallback.EvtProgramDma.class).sgList().length());
  }

  @Test
  @DisplayName("§5 FreeResources while EvtReserveDma still runs: the adapter is still given back when the callback returns")
  void freeResourcesDuringEvtReserveDma() {
    Scripted s = new Scripted(packetV3(65536), new PacketDmaSlot());
    s.call(new TransactionDdi.WdfDmaTransactionAllocateResources(DmaDirection.READ_FROM_DEVICE, 2, s.caller()));
    s.grant();
    var reserve = s.expectCallback(DriverCallback.EvtReserveDma.class);
    // DOC: FreeResources may be called from EvtReserveDma itself.
    assertEquals(TransactionState.RELEASED, s.call(new TransactionDdi.WdfDmaTransactionFreeResources(s.caller())).state());
    s.pool.expectMessageClass(MapRegisterMessage.FreeMapRegisters.class, WAIT);
    s.returnFrom(reserve);
    s.lock.expectMessageClass(AdapterLockMessage.ReleaseAdapter.class, WAIT);
    // The transaction is still alive and usable.
    assertEquals(NtStatus.STATUS_SUCCESS,
        s.call(new TransactionDdi.WdfDmaTransactionInitialize(DmaDirection.READ_FROM_DEVICE, 4096, 0, s.caller())).status());
  }
}
