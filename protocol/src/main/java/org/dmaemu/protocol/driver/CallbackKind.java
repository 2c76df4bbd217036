package org.dmaemu.protocol.driver;

import org.dmaemu.protocol.enabler.EnablerCallback;

/**
 * Every framework callback a device's driver can receive, named exactly as KMDF names it. The
 * emulator's trace and summary use {@link #kmdfName()}.
 */
public enum CallbackKind {
  EVT_DRIVER_DEVICE_ADD("EvtDriverDeviceAdd", Returns.NTSTATUS),
  EVT_DEVICE_PREPARE_HARDWARE("EvtDevicePrepareHardware", Returns.NTSTATUS),
  EVT_DEVICE_D0_ENTRY("EvtDeviceD0Entry", Returns.NTSTATUS),
  EVT_INTERRUPT_ENABLE("EvtInterruptEnable", Returns.NTSTATUS),
  EVT_INTERRUPT_POST_ENABLE("EvtInterruptPostEnable", Returns.NTSTATUS),
  EVT_DEVICE_D0_ENTRY_POST_INTERRUPTS_ENABLED("EvtDeviceD0EntryPostInterruptsEnabled", Returns.NTSTATUS),
  EVT_DMA_ENABLER_FILL("EvtDmaEnablerFill", Returns.NTSTATUS),
  EVT_DMA_ENABLER_ENABLE("EvtDmaEnablerEnable", Returns.NTSTATUS),
  EVT_DMA_ENABLER_SELF_MANAGED_IO_START("EvtDmaEnablerSelfManagedIoStart", Returns.NTSTATUS),
  EVT_DEVICE_SELF_MANAGED_IO_INIT("EvtDeviceSelfManagedIoInit", Returns.NTSTATUS),
  EVT_DEVICE_SELF_MANAGED_IO_RESTART("EvtDeviceSelfManagedIoRestart", Returns.NTSTATUS),
  EVT_DEVICE_SELF_MANAGED_IO_SUSPEND("EvtDeviceSelfManagedIoSuspend", Returns.NTSTATUS),
  EVT_DMA_ENABLER_SELF_MANAGED_IO_STOP("EvtDmaEnablerSelfManagedIoStop", Returns.NTSTATUS),
  EVT_DMA_ENABLER_DISABLE("EvtDmaEnablerDisable", Returns.NTSTATUS),
  EVT_DMA_ENABLER_FLUSH("EvtDmaEnablerFlush", Returns.NTSTATUS),
  EVT_DEVICE_D0_EXIT_PRE_INTERRUPTS_DISABLED("EvtDeviceD0ExitPreInterruptsDisabled", Returns.NTSTATUS),
  EVT_INTERRUPT_DISABLE("EvtInterruptDisable", Returns.NTSTATUS),
  EVT_DEVICE_D0_EXIT("EvtDeviceD0Exit", Returns.NTSTATUS),
  EVT_DEVICE_RELEASE_HARDWARE("EvtDeviceReleaseHardware", Returns.NTSTATUS),
  EVT_DEVICE_SELF_MANAGED_IO_FLUSH("EvtDeviceSelfManagedIoFlush", Returns.VOID),
  EVT_DEVICE_SELF_MANAGED_IO_CLEANUP("EvtDeviceSelfManagedIoCleanup", Returns.VOID),
  EVT_DEVICE_SURPRISE_REMOVAL("EvtDeviceSurpriseRemoval", Returns.VOID),
  EVT_PROGRAM_DMA("EvtProgramDma", Returns.BOOLEAN),
  EVT_RESERVE_DMA("EvtReserveDma", Returns.VOID),
  EVT_DMA_TRANSACTION_CONFIGURE_DMA_CHANNEL("EvtDmaTransactionConfigureDmaChannel", Returns.BOOLEAN),
  EVT_DMA_TRANSACTION_DMA_TRANSFER_COMPLETE("EvtDmaTransactionDmaTransferComplete", Returns.VOID),
  EVT_INTERRUPT_ISR("EvtInterruptIsr", Returns.BOOLEAN),
  EVT_INTERRUPT_DPC("EvtInterruptDpc", Returns.VOID);

  /** What a callback returns to the framework, as its KMDF signature declares it (reference §3.3). */
  public enum Returns {
    NTSTATUS,
    BOOLEAN,
    VOID
  }

  private final String kmdfName;
  private final Returns returns;

  CallbackKind(String kmdfName, Returns returns) {
    this.kmdfName = kmdfName;
    this.returns = returns;
  }

  public String kmdfName() {
    return kmdfName;
  }

  /** True for the NTSTATUS callbacks; a BOOLEAN or VOID callback's status is not looked at. */
  public boolean returnsStatus() {
    return returns == Returns.NTSTATUS;
  }

  /**
   * True for the VOID callbacks: their reply only says the driver returned, so nothing the driver
   * does there can be a failure the framework sees (a hang still can).
   */
  public boolean returnsNothing() {
    return returns == Returns.VOID;
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
