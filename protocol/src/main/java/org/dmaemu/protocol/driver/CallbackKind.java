package org.dmaemu.protocol.driver;

import org.dmaemu.protocol.enabler.EnablerCallback;

/**
 * Every framework callback a device's driver can receive, named exactly as KMDF names it. The
 * emulator's trace and summary use {@link #kmdfName()}.
 */
public enum CallbackKind {
  EVT_DRIVER_DEVICE_ADD("EvtDriverDeviceAdd", true),
  EVT_DEVICE_PREPARE_HARDWARE("EvtDevicePrepareHardware", true),
  EVT_DEVICE_D0_ENTRY("EvtDeviceD0Entry", true),
  EVT_INTERRUPT_ENABLE("EvtInterruptEnable", true),
  EVT_INTERRUPT_POST_ENABLE("EvtInterruptPostEnable", true),
  EVT_DEVICE_D0_ENTRY_POST_INTERRUPTS_ENABLED("EvtDeviceD0EntryPostInterruptsEnabled", true),
  EVT_DMA_ENABLER_FILL("EvtDmaEnablerFill", true),
  EVT_DMA_ENABLER_ENABLE("EvtDmaEnablerEnable", true),
  EVT_DMA_ENABLER_SELF_MANAGED_IO_START("EvtDmaEnablerSelfManagedIoStart", true),
  EVT_DEVICE_SELF_MANAGED_IO_INIT("EvtDeviceSelfManagedIoInit", true),
  EVT_DEVICE_SELF_MANAGED_IO_RESTART("EvtDeviceSelfManagedIoRestart", true),
  EVT_DEVICE_SELF_MANAGED_IO_SUSPEND("EvtDeviceSelfManagedIoSuspend", true),
  EVT_DMA_ENABLER_SELF_MANAGED_IO_STOP("EvtDmaEnablerSelfManagedIoStop", true),
  EVT_DMA_ENABLER_DISABLE("EvtDmaEnablerDisable", true),
  EVT_DMA_ENABLER_FLUSH("EvtDmaEnablerFlush", true),
  EVT_DEVICE_D0_EXIT_PRE_INTERRUPTS_DISABLED("EvtDeviceD0ExitPreInterruptsDisabled", true),
  EVT_INTERRUPT_DISABLE("EvtInterruptDisable", true),
  EVT_DEVICE_D0_EXIT("EvtDeviceD0Exit", true),
  EVT_DEVICE_RELEASE_HARDWARE("EvtDeviceReleaseHardware", true),
  EVT_DEVICE_SELF_MANAGED_IO_FLUSH("EvtDeviceSelfManagedIoFlush", false),
  EVT_DEVICE_SELF_MANAGED_IO_CLEANUP("EvtDeviceSelfManagedIoCleanup", false),
  EVT_DEVICE_SURPRISE_REMOVAL("EvtDeviceSurpriseRemoval", false),
  EVT_PROGRAM_DMA("EvtProgramDma", false),
  EVT_RESERVE_DMA("EvtReserveDma", false),
  EVT_DMA_TRANSACTION_CONFIGURE_DMA_CHANNEL("EvtDmaTransactionConfigureDmaChannel", false),
  EVT_DMA_TRANSACTION_DMA_TRANSFER_COMPLETE("EvtDmaTransactionDmaTransferComplete", false),
  EVT_INTERRUPT_ISR("EvtInterruptIsr", false),
  EVT_INTERRUPT_DPC("EvtInterruptDpc", false);

  private final String kmdfName;
  private final boolean returnsStatus;

  CallbackKind(String kmdfName, boolean returnsStatus) {
    this.kmdfName = kmdfName;
    this.returnsStatus = returnsStatus;
  }

  public String kmdfName() {
    return kmdfName;
  }

  /** False for the VOID callbacks: their reply only says the driver returned. */
  public boolean returnsStatus() {
    return returnsStatus;
  }

  public boolean isEnablerCallback() {
    return name().startsWith("EVT_DMA_ENABLER_");
  }

  /** Callbacks a DMA transaction invokes (reference §3.3): they belong to the transaction, not to power paths. */
  public boolean isTransactionCallback() {
    return this == EVT_PROGRAM_DMA
        || this == EVT_RESERVE_DMA
        || this == EVT_DMA_TRANSACTION_CONFIGURE_DMA_CHANNEL
        || this == EVT_DMA_TRANSACTION_DMA_TRANSFER_COMPLETE;
  }

  public static CallbackKind of(EnablerCallback callback) {
    switch (callback) {
      case FILL:
        return EVT_DMA_ENABLER_FILL;
      case ENABLE:
        return EVT_DMA_ENABLER_ENABLE;
      case SELF_MANAGED_IO_START:
        return EVT_DMA_ENABLER_SELF_MANAGED_IO_START;
      case SELF_MANAGED_IO_STOP:
        return EVT_DMA_ENABLER_SELF_MANAGED_IO_STOP;
      case DISABLE:
        return EVT_DMA_ENABLER_DISABLE;
      default:
        return EVT_DMA_ENABLER_FLUSH;
    }
  }

  /** Looks a callback up by its KMDF name ({@code EvtDmaEnablerSelfManagedIoStart}) or enum name. */
  public static java.util.Optional<CallbackKind> parse(String text) {
    String t = text.trim();
    for (CallbackKind k : values()) {
      if (k.kmdfName.equalsIgnoreCase(t) || k.name().equalsIgnoreCase(t)) {
        return java.util.Optional.of(k);
      }
    }
    return java.util.Optional.empty();
  }
}
