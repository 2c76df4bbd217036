package org.dmaemu.protocol.driver;

import akka.actor.typed.ActorRef;
import org.dmaemu.protocol.device.DevicePowerState;
import java.util.List;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.dmaemu.protocol.hardware.CompletedTransfer;
import org.dmaemu.protocol.hardware.DmaEngineMessage;
import org.dmaemu.protocol.enabler.EnablerHandle;
import org.dmaemu.protocol.transaction.DmaCompletionStatus;
import org.dmaemu.protocol.transaction.ScatterGatherList;
import org.dmaemu.protocol.transaction.TransactionHandle;

/**
 * The framework callbacks of reference §2 and §1.6, one message each, named after the callback.
 * The driver answers each with a {@link CallbackReturn} to {@code replyTo}; a callback left
 * unanswered past the device's deadline is recorded as a hang.
 */
public sealed interface DriverCallback extends DriverMessage {

  CallbackKind kind();

  String deviceId();

  ActorRef<CallbackReturn> replyTo();

  /** The enabler's index for enabler callbacks, else -1. */
  default int enablerIndex() {
    return -1;
  }

  /** The interrupt's index for interrupt callbacks, else -1. */
  default int interruptIndex() {
    return -1;
  }

  /** A callback about one DMA enabler (reference §1.6): its device and index come from the handle. */
  sealed interface EnablerPowerCallback extends DriverCallback {
    EnablerHandle enabler();

    @Override
    default String deviceId() {
      return enabler().deviceId();
    }

    @Override
    default int enablerIndex() {
      return enabler().index();
    }
  }

  /** EvtDriverDeviceAdd: create the device's DMA enablers (WdfDmaEnablerCreate) here. */
  record EvtDriverDeviceAdd(String deviceId, ActorRef<CallbackReturn> replyTo)
      implements DriverCallback {
    public CallbackKind kind() {
      return CallbackKind.EVT_DRIVER_DEVICE_ADD;
    }
  }

  /**
   * EvtDevicePrepareHardware: the driver gets its hardware resources, here the device's DMA engine
   * ({@code null} for a device without one).
   */
  record EvtDevicePrepareHardware(
      String deviceId, ActorRef<DmaEngineMessage> hardware, ActorRef<CallbackReturn> replyTo)
      implements DriverCallback {
    public CallbackKind kind() {
      return CallbackKind.EVT_DEVICE_PREPARE_HARDWARE;
    }
  }

  record EvtDeviceReleaseHardware(String deviceId, ActorRef<CallbackReturn> replyTo)
      implements DriverCallback {
    public CallbackKind kind() {
      return CallbackKind.EVT_DEVICE_RELEASE_HARDWARE;
    }
  }

  /** §2.1 step 1. */
  record EvtDeviceD0Entry(
      String deviceId, DevicePowerState previousState, ActorRef<CallbackReturn> replyTo)
      implements DriverCallback {
    public CallbackKind kind() {
      return CallbackKind.EVT_DEVICE_D0_ENTRY;
    }
  }

  /** §2.1 step 2, per interrupt in list order. */
  record EvtInterruptEnable(String deviceId, int interruptIndex, ActorRef<CallbackReturn> replyTo)
      implements DriverCallback {
    public CallbackKind kind() {
      return CallbackKind.EVT_INTERRUPT_ENABLE;
    }
  }

  /** §2.1 step 2, after the interrupt's EvtInterruptEnable. */
  record EvtInterruptPostEnable(
      String deviceId, int interruptIndex, ActorRef<CallbackReturn> replyTo)
      implements DriverCallback {
    public CallbackKind kind() {
      return CallbackKind.EVT_INTERRUPT_POST_ENABLE;
    }
  }

  /** §2.1 step 3. */
  record EvtDeviceD0EntryPostInterruptsEnabled(
      String deviceId, DevicePowerState previousState, ActorRef<CallbackReturn> replyTo)
      implements DriverCallback {
    public CallbackKind kind() {
      return CallbackKind.EVT_DEVICE_D0_ENTRY_POST_INTERRUPTS_ENABLED;
    }
  }

  /** §1.6: D0 entry, first per enabler. */
  record EvtDmaEnablerFill(EnablerHandle enabler, ActorRef<CallbackReturn> replyTo)
      implements EnablerPowerCallback {
    public CallbackKind kind() {
      return CallbackKind.EVT_DMA_ENABLER_FILL;
    }
  }

  /** §1.6: D0 entry, second per enabler. */
  record EvtDmaEnablerEnable(EnablerHandle enabler, ActorRef<CallbackReturn> replyTo)
      implements EnablerPowerCallback {
    public CallbackKind kind() {
      return CallbackKind.EVT_DMA_ENABLER_ENABLE;
    }
  }

  /** §1.6: D0 entry, third per enabler. */
  record EvtDmaEnablerSelfManagedIoStart(EnablerHandle enabler, ActorRef<CallbackReturn> replyTo)
      implements EnablerPowerCallback {
    public CallbackKind kind() {
      return CallbackKind.EVT_DMA_ENABLER_SELF_MANAGED_IO_START;
    }
  }

  /** §1.6: D0 exit, first per enabler; never gated (§2.4). */
  record EvtDmaEnablerSelfManagedIoStop(EnablerHandle enabler, ActorRef<CallbackReturn> replyTo)
      implements EnablerPowerCallback {
    public CallbackKind kind() {
      return CallbackKind.EVT_DMA_ENABLER_SELF_MANAGED_IO_STOP;
    }
  }

  /** §1.6: D0 exit, second per enabler; skipped after a Fill failure (§2.4). */
  record EvtDmaEnablerDisable(EnablerHandle enabler, ActorRef<CallbackReturn> replyTo)
      implements EnablerPowerCallback {
    public CallbackKind kind() {
      return CallbackKind.EVT_DMA_ENABLER_DISABLE;
    }
  }

  /** §1.6: D0 exit, third per enabler; skipped after a Fill or Enable failure (§2.4). */
  record EvtDmaEnablerFlush(EnablerHandle enabler, ActorRef<CallbackReturn> replyTo)
      implements EnablerPowerCallback {
    public CallbackKind kind() {
      return CallbackKind.EVT_DMA_ENABLER_FLUSH;
    }
  }

  /** §2.1 step 9, first start. */
  record EvtDeviceSelfManagedIoInit(String deviceId, ActorRef<CallbackReturn> replyTo)
      implements DriverCallback {
    public CallbackKind kind() {
      return CallbackKind.EVT_DEVICE_SELF_MANAGED_IO_INIT;
    }
  }

  /** §2.1 step 9, every later start. */
  record EvtDeviceSelfManagedIoRestart(String deviceId, ActorRef<CallbackReturn> replyTo)
      implements DriverCallback {
    public CallbackKind kind() {
      return CallbackKind.EVT_DEVICE_SELF_MANAGED_IO_RESTART;
    }
  }

  /** §2.2 step 1. */
  record EvtDeviceSelfManagedIoSuspend(String deviceId, ActorRef<CallbackReturn> replyTo)
      implements DriverCallback {
    public CallbackKind kind() {
      return CallbackKind.EVT_DEVICE_SELF_MANAGED_IO_SUSPEND;
    }
  }

  /** §2.2 step 6. */
  record EvtDeviceD0ExitPreInterruptsDisabled(
      String deviceId, DevicePowerState targetState, ActorRef<CallbackReturn> replyTo)
      implements DriverCallback {
    public CallbackKind kind() {
      return CallbackKind.EVT_DEVICE_D0_EXIT_PRE_INTERRUPTS_DISABLED;
    }
  }

  /** §2.2 step 7, per interrupt in reverse list order. */
  record EvtInterruptDisable(String deviceId, int interruptIndex, ActorRef<CallbackReturn> replyTo)
      implements DriverCallback {
    public CallbackKind kind() {
      return CallbackKind.EVT_INTERRUPT_DISABLE;
    }
  }

  /** §2.2 step 8. */
  record EvtDeviceD0Exit(
      String deviceId, DevicePowerState targetState, ActorRef<CallbackReturn> replyTo)
      implements DriverCallback {
    public CallbackKind kind() {
      return CallbackKind.EVT_DEVICE_D0_EXIT;
    }
  }

  /** VOID: removal, only if self-managed I/O was ever initialized. */
  record EvtDeviceSelfManagedIoFlush(String deviceId, ActorRef<CallbackReturn> replyTo)
      implements DriverCallback {
    public CallbackKind kind() {
      return CallbackKind.EVT_DEVICE_SELF_MANAGED_IO_FLUSH;
    }
  }

  /** VOID: removal, after flush. */
  record EvtDeviceSelfManagedIoCleanup(String deviceId, ActorRef<CallbackReturn> replyTo)
      implements DriverCallback {
    public CallbackKind kind() {
      return CallbackKind.EVT_DEVICE_SELF_MANAGED_IO_CLEANUP;
    }
  }

  /** VOID: the device is gone from the bus. */
  record EvtDeviceSurpriseRemoval(String deviceId, ActorRef<CallbackReturn> replyTo)
      implements DriverCallback {
    public CallbackKind kind() {
      return CallbackKind.EVT_DEVICE_SURPRISE_REMOVAL;
    }
  }

  /** A callback about one DMA transaction (reference §3.3): device and enabler come from the handle. */
  sealed interface TransactionCallback extends DriverCallback {
    TransactionHandle transaction();

    @Override
    default String deviceId() {
      return transaction().deviceId();
    }

    @Override
    default int enablerIndex() {
      return transaction().enabler().index();
    }
  }

  /**
   * EvtProgramDma: program the device for one fragment (reference §3.4). Its BOOLEAN is ignored; on
   * a failure the driver itself calls WdfDmaTransactionDmaCompletedFinal. For packet and
   * scatter-gather profiles the adapter is held until this callback returns.
   */
  record EvtProgramDma(
      TransactionHandle transaction, DmaDirection direction, ScatterGatherList sgList, ActorRef<CallbackReturn> replyTo)
      implements TransactionCallback {
    public CallbackKind kind() {
      return CallbackKind.EVT_PROGRAM_DMA;
    }
  }

  /** EvtReserveDma: the map registers (and a system channel) asked for by AllocateResources are reserved (§5). */
  record EvtReserveDma(TransactionHandle transaction, ActorRef<CallbackReturn> replyTo) implements TransactionCallback {
    public CallbackKind kind() {
      return CallbackKind.EVT_RESERVE_DMA;
    }
  }

  /** EvtDmaTransactionConfigureDmaChannel: system profiles, before each mapping; FALSE stops staging (§3.3). */
  record EvtDmaTransactionConfigureDmaChannel(
      TransactionHandle transaction, long offset, long length, ActorRef<CallbackReturn> replyTo)
      implements TransactionCallback {
    public CallbackKind kind() {
      return CallbackKind.EVT_DMA_TRANSACTION_CONFIGURE_DMA_CHANNEL;
    }
  }

  /** EvtDmaTransactionDmaTransferComplete: a system transfer ended with {@code status} (§6.2, §6.3). */
  record EvtDmaTransactionDmaTransferComplete(
      TransactionHandle transaction,
      DmaDirection direction,
      DmaCompletionStatus status,
      ActorRef<CallbackReturn> replyTo)
      implements TransactionCallback {
    public CallbackKind kind() {
      return CallbackKind.EVT_DMA_TRANSACTION_DMA_TRANSFER_COMPLETE;
    }
  }

  /**
   * EvtInterruptIsr at DIRQL: the device raised its interrupt. {@code completed} is what the
   * engine's status registers show. BOOLEAN: TRUE if the interrupt was the device's; an ISR that
   * wants its DPC calls WdfInterruptQueueDpcForIsr (sent to the engine) before it returns.
   */
  record EvtInterruptIsr(
      String deviceId, int interruptIndex, List<CompletedTransfer> completed, ActorRef<CallbackReturn> replyTo)
      implements DriverCallback {
    public EvtInterruptIsr {
      completed = List.copyOf(completed);
    }

    public CallbackKind kind() {
      return CallbackKind.EVT_INTERRUPT_ISR;
    }
  }

  /** EvtInterruptDpc at DISPATCH: queued by the ISR; the driver completes DMA here (DmaCompleted*). VOID. */
  record EvtInterruptDpc(String deviceId, int interruptIndex, ActorRef<CallbackReturn> replyTo)
      implements DriverCallback {
    public CallbackKind kind() {
      return CallbackKind.EVT_INTERRUPT_DPC;
    }
  }
}
