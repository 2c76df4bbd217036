package org.dmaemu.transaction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.protocol.transaction.TransactionDdi;
import org.dmaemu.protocol.transaction.TransactionDdiReturn;
import org.dmaemu.protocol.transaction.TransactionState;
import org.dmaemu.protocol.verifier.BugCheck;
import org.dmaemu.testing.TestKits;
import org.dmaemu.testing.TransactionHarness;
import org.dmaemu.verifier.OnViolation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every cell of the API × state matrix of reference §3.2 (packet profile, DMA v3, KMDF 1.33,
 * verifier on): the state a call leads to, or the bug check it hits (§8.1 K1–K11). The verifier
 * records instead of crashing, so each fatal call answers with its {@link BugCheck}.
 */
class ApiStateMatrixTest {
  private static ActorTestKit kit;

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("ApiStateMatrixTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  enum Api {
    INITIALIZE(r -> new TransactionDdi.WdfDmaTransactionInitialize(DmaDirection.READ_FROM_DEVICE, 4096, 0, r)),
    EXECUTE(TransactionDdi.WdfDmaTransactionExecute::new),
    DMA_COMPLETED(TransactionDdi.WdfDmaTransactionDmaCompleted::new),
    RELEASE(TransactionDdi.WdfDmaTransactionRelease::new),
    DELETE(TransactionDdi.WdfObjectDelete::new),
    ALLOCATE_RESOURCES_N(r -> new TransactionDdi.WdfDmaTransactionAllocateResources(DmaDirection.READ_FROM_DEVICE, 2, r)),
    ALLOCATE_RESOURCES_0(r -> new TransactionDdi.WdfDmaTransactionAllocateResources(DmaDirection.READ_FROM_DEVICE, 0, r)),
    FREE_RESOURCES(TransactionDdi.WdfDmaTransactionFreeResources::new),
    CANCEL(TransactionDdi.WdfDmaTransactionCancel::new);

    final Function<ActorRef<TransactionDdiReturn>, TransactionDdi> call;

    Api(Function<ActorRef<TransactionDdiReturn>, TransactionDdi> call) {
      this.call = call;
    }
  }

  static final TransactionState C = TransactionState.CREATED;
  static final TransactionState R = TransactionState.RESERVED;
  static final TransactionState I = TransactionState.INITIALIZED;
  static final TransactionState T = TransactionState.TRANSFER;
  static final TransactionState TC = TransactionState.TRANSFER_COMPLETED;
  static final TransactionState TF = TransactionState.TRANSFER_FAILED;
  static final TransactionState REL = TransactionState.RELEASED;
  static final TransactionState DEL = TransactionState.DELETED;
  static final List<TransactionState> COLUMNS = List.of(C, R, I, T, TC, TF, REL);

  /** One row per API: per column either the state after the call or the rule it violates. */
  static Stream<Arguments> cells() {
    Object[][] rows = {
      {Api.INITIALIZE, I, I, "K1", "K1", "K1", "K1", I},
      {Api.EXECUTE, "K2", "K2", T, "K2", "K2", "K2", "K2"},
      {Api.DMA_COMPLETED, "K3", "K3", "K3", TC, "K3", "K3", "K3"},
      {Api.RELEASE, REL, REL, REL, "K4", REL, REL, REL},
      {Api.DELETE, DEL, DEL, DEL, "K5", DEL, DEL, DEL},
      // Reserved fails the state check (K9) before the reservation check (K10), as in the source.
      {Api.ALLOCATE_RESOURCES_N, R, "K9", R, "K9", "K9", "K9", R},
      {Api.ALLOCATE_RESOURCES_0, "K8", "K8", R, "K8", "K8", "K8", "K8"},
      {Api.FREE_RESOURCES, "K11", REL, REL, "K11", REL, REL, REL},
      // Cancel: nothing is waiting for resources in these states, so the HAL says FALSE and the
      // state stays; after the transaction finished KMDF reads a NULL adapter (§3.2 Cancel row).
      {Api.CANCEL, "K6", R, I, T, "E6-0x19", "E6-0x19", "K6"},
    };
    List<Arguments> out = new ArrayList<>();
    for (Object[] row : rows) {
      for (int c = 0; c < COLUMNS.size(); c++) {
        out.add(Arguments.of(row[0], COLUMNS.get(c), row[c + 1]));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "§3.2 {0} in {1} → {2}")
  @MethodSource("cells")
  void cell(Api api, TransactionState from, Object expected) {
    TransactionHarness h =
        TransactionHarness.granting(
            kit,
            DmaEnablerConfig.init(DmaProfile.PACKET, 65536).withWdmDmaVersionOverride(3),
            OnViolation.RECORD);
    bringTo(h, from);
    TransactionDdiReturn r = h.call(api.call);
    if (expected instanceof TransactionState) {
      assertNull(r.bugCheck(), () -> "unexpected bug check " + r.bugCheck());
      assertEquals(expected, r.state());
    } else {
      assertNotNull(r.bugCheck(), () -> "expected " + expected + " but the call returned " + r);
      assertEquals(expected, r.bugCheck().rule());
      assertEquals(from, r.bugCheck().state(), "parameter 3 is the state at the call");
      assertEquals(from, r.state(), "a recorded violation changes nothing");
      if (r.bugCheck().rule().startsWith("K")) {
        assertEquals(BugCheck.WDF_VIOLATION, r.bugCheck().code());
        assertEquals(BugCheck.WDF_DMA_FATAL_ERROR, r.bugCheck().subcode());
      }
      h.device.expectMessageClass(org.dmaemu.protocol.verifier.BugCheckRaised.class);
    }
  }

  static void bringTo(TransactionHarness h, TransactionState state) {
    switch (state) {
      case CREATED:
        return;
      case RESERVED:
        assertEquals(NtStatus.STATUS_SUCCESS, h.call(Api.ALLOCATE_RESOURCES_N.call).status());
        h.nextCallback(); // EvtReserveDma
        return;
      case INITIALIZED:
        h.initialize(DmaDirection.READ_FROM_DEVICE, 4096);
        return;
      case TRANSFER:
        h.initialize(DmaDirection.READ_FROM_DEVICE, 4096);
        h.execute();
        h.nextCallback(); // EvtProgramDma
        return;
      case TRANSFER_COMPLETED:
        bringTo(h, TransactionState.TRANSFER);
        assertEquals(true, h.dmaCompleted().value());
        return;
      case TRANSFER_FAILED:
        bringTo(h, TransactionState.TRANSFER);
        TransactionDdiReturn r =
            h.call(ref -> new TransactionDdi.WdfDmaTransactionDmaCompletedWithLength(8192, ref));
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER, r.status());
        return;
      case RELEASED:
        h.initialize(DmaDirection.READ_FROM_DEVICE, 4096);
        h.release();
        return;
      default:
        throw new IllegalArgumentException(state.toString());
    }
  }
}
