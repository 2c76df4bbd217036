package org.dmaemu.protocol.transaction;

import akka.actor.typed.ActorRef;
import org.dmaemu.protocol.enabler.DmaDirection;

/**
 * The DDI calls on a WDFDMATRANSACTION (reference §3.2, §3.3, §5, §6), one record each, named
 * after the DDI. Every call is answered with a {@link TransactionDdiReturn}.
 */
public sealed interface TransactionDdi extends TransactionMessage {

  ActorRef<TransactionDdiReturn> replyTo();

  /** The DDI's exact name. */
  String ddi();

  /**
   * WdfDmaTransactionInitialize for a buffer of {@code length} bytes whose first byte sits at
   * {@code pageOffset} within its page (the MDL's byte offset).
   */
  record WdfDmaTransactionInitialize(
      DmaDirection direction, long length, int pageOffset, ActorRef<TransactionDdiReturn> replyTo)
      implements TransactionDdi {
    public String ddi() {
      return "WdfDmaTransactionInitialize";
    }
  }

  /** WdfDmaTransactionInitializeUsingRequest: as Initialize, and the request is associated (§3.6). */
  record WdfDmaTransactionInitializeUsingRequest(
      long requestId, DmaDirection direction, long length, int pageOffset, ActorRef<TransactionDdiReturn> replyTo)
      implements TransactionDdi {
    public String ddi() {
      return "WdfDmaTransactionInitializeUsingRequest";
    }
  }

  record WdfDmaTransactionExecute(ActorRef<TransactionDdiReturn> replyTo) implements TransactionDdi {
    public String ddi() {
      return "WdfDmaTransactionExecute";
    }
  }

  /** The whole current fragment was transferred (§3.5, type Full). */
  record WdfDmaTransactionDmaCompleted(ActorRef<TransactionDdiReturn> replyTo) implements TransactionDdi {
    public String ddi() {
      return "WdfDmaTransactionDmaCompleted";
    }
  }

  /** {@code length} bytes of the current fragment were transferred (§3.5, type Partial). */
  record WdfDmaTransactionDmaCompletedWithLength(long length, ActorRef<TransactionDdiReturn> replyTo)
      implements TransactionDdi {
    public String ddi() {
      return "WdfDmaTransactionDmaCompletedWithLength";
    }
  }

  /** The transaction ends after {@code finalLength} bytes of the current fragment (§3.5, type Abort). */
  record WdfDmaTransactionDmaCompletedFinal(long finalLength, ActorRef<TransactionDdiReturn> replyTo)
      implements TransactionDdi {
    public String ddi() {
      return "WdfDmaTransactionDmaCompletedFinal";
    }
  }

  record WdfDmaTransactionRelease(ActorRef<TransactionDdiReturn> replyTo) implements TransactionDdi {
    public String ddi() {
      return "WdfDmaTransactionRelease";
    }
  }

  /** WdfObjectDelete on the transaction: Dispose (§3.3). */
  record WdfObjectDelete(ActorRef<TransactionDdiReturn> replyTo) implements TransactionDdi {
    public String ddi() {
      return "WdfObjectDelete";
    }
  }

  /** Reserve map registers (and a system channel); 0 = as many as the initialized buffer needs (§5). */
  record WdfDmaTransactionAllocateResources(
      DmaDirection direction, int requiredMapRegisters, ActorRef<TransactionDdiReturn> replyTo)
      implements TransactionDdi {
    public String ddi() {
      return "WdfDmaTransactionAllocateResources";
    }
  }

  record WdfDmaTransactionFreeResources(ActorRef<TransactionDdiReturn> replyTo) implements TransactionDdi {
    public String ddi() {
      return "WdfDmaTransactionFreeResources";
    }
  }

  /** Returns TRUE in {@code value} if the pending allocation was cancelled (§6.1). */
  record WdfDmaTransactionCancel(ActorRef<TransactionDdiReturn> replyTo) implements TransactionDdi {
    public String ddi() {
      return "WdfDmaTransactionCancel";
    }
  }

  record WdfDmaTransactionStopSystemTransfer(ActorRef<TransactionDdiReturn> replyTo) implements TransactionDdi {
    public String ddi() {
      return "WdfDmaTransactionStopSystemTransfer";
    }
  }

  record WdfDmaTransactionSetMaximumLength(long maximumLength, ActorRef<TransactionDdiReturn> replyTo)
      implements TransactionDdi {
    public String ddi() {
      return "WdfDmaTransactionSetMaximumLength";
    }
  }

  record WdfDmaTransactionSetImmediateExecution(boolean immediate, ActorRef<TransactionDdiReturn> replyTo)
      implements TransactionDdi {
    public String ddi() {
      return "WdfDmaTransactionSetImmediateExecution";
    }
  }

  record WdfDmaTransactionSetSingleTransferRequirement(boolean required, ActorRef<TransactionDdiReturn> replyTo)
      implements TransactionDdi {
    public String ddi() {
      return "WdfDmaTransactionSetSingleTransferRequirement";
    }
  }

  /** System profiles: whether the driver registered EvtDmaTransactionDmaTransferComplete. */
  record WdfDmaTransactionSetTransferCompleteCallback(boolean registered, ActorRef<TransactionDdiReturn> replyTo)
      implements TransactionDdi {
    public String ddi() {
      return "WdfDmaTransactionSetTransferCompleteCallback";
    }
  }

  /** System profiles: whether the driver registered EvtDmaTransactionConfigureDmaChannel. */
  record WdfDmaTransactionSetChannelConfigurationCallback(
      boolean registered, ActorRef<TransactionDdiReturn> replyTo)
      implements TransactionDdi {
    public String ddi() {
      return "WdfDmaTransactionSetChannelConfigurationCallback";
    }
  }
}
