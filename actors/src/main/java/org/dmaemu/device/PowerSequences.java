package org.dmaemu.device;

import static org.dmaemu.device.PowerStep.OnFailure.CONTINUE;
import static org.dmaemu.device.PowerStep.OnFailure.IGNORE;
import static org.dmaemu.device.PowerStep.OnFailure.UNWIND_ENTRY;
import static org.dmaemu.protocol.driver.CallbackKind.*;

import java.util.ArrayList;
import java.util.List;
import org.dmaemu.device.PowerStep.OnFailure;
import org.dmaemu.device.PowerStep.Type;
import org.dmaemu.protocol.device.DevicePowerState;
import org.dmaemu.protocol.device.SelfManagedIoState;
import org.dmaemu.protocol.driver.CallbackKind;

/**
 * The callback paths of reference §2 as step lists: D0 entry (§2.1), D0 exit (§2.2), the D0-entry
 * failure matrix (§2.3) and the PnP teardown that follows a failure. Pure; the device executes
 * the steps.
 */
public final class PowerSequences {
  private PowerSequences() {}

  /** AddDevice: the driver's EvtDriverDeviceAdd. */
  public static List<PowerStep> addDevice() {
    return List.of(PowerStep.callback(EVT_DRIVER_DEVICE_ADD, OnFailure.ABORT));
  }

  /** IRP_MN_START_DEVICE: EvtDevicePrepareHardware, then D0 entry from D3Final. */
  public static List<PowerStep> start(int interrupts, SelfManagedIoState smio) {
    List<PowerStep> steps = new ArrayList<>();
    steps.add(PowerStep.callback(EVT_DEVICE_PREPARE_HARDWARE, UNWIND_ENTRY));
    steps.addAll(d0Entry(DevicePowerState.D3_FINAL, interrupts, smio));
    return steps;
  }

  /**
   * §2.1: EvtDeviceD0Entry → per interrupt (list order) EvtInterruptEnable, EvtInterruptPostEnable →
   * EvtDeviceD0EntryPostInterruptsEnabled → DMA power-up (per enabler Fill, Enable,
   * SelfManagedIoStart) → EvtDeviceSelfManagedIoInit on the first start, …Restart after.
   */
  public static List<PowerStep> d0Entry(DevicePowerState previous, int interrupts, SelfManagedIoState smio) {
    List<PowerStep> steps = new ArrayList<>();
    steps.add(PowerStep.callback(EVT_DEVICE_D0_ENTRY, previous, UNWIND_ENTRY));
    for (int i = 0; i < interrupts; i++) {
      steps.add(PowerStep.interrupt(EVT_INTERRUPT_ENABLE, i, UNWIND_ENTRY));
      steps.add(PowerStep.interrupt(EVT_INTERRUPT_POST_ENABLE, i, UNWIND_ENTRY));
    }
    steps.add(PowerStep.callback(EVT_DEVICE_D0_ENTRY_POST_INTERRUPTS_ENABLED, previous, UNWIND_ENTRY));
    steps.add(PowerStep.dma(Type.DMA_POWER_UP, UNWIND_ENTRY));
    CallbackKind smioStart =
        smio == SelfManagedIoState.CREATED ? EVT_DEVICE_SELF_MANAGED_IO_INIT : EVT_DEVICE_SELF_MANAGED_IO_RESTART;
    steps.add(PowerStep.callback(smioStart, UNWIND_ENTRY));
    return steps;
  }

  /**
   * §2.2: EvtDeviceSelfManagedIoSuspend (only while self-managed I/O is started) → DMA power-down
   * (all enablers, creation order, gated by §2.4) → EvtDeviceD0ExitPreInterruptsDisabled → per
   * interrupt in reverse order EvtInterruptDisable → EvtDeviceD0Exit. Failures are recorded and the
   * path goes on.
   */
  public static List<PowerStep> d0Exit(DevicePowerState target, int interrupts, SelfManagedIoState smio) {
    List<PowerStep> steps = new ArrayList<>();
    if (smio == SelfManagedIoState.STARTED) {
      steps.add(PowerStep.callback(EVT_DEVICE_SELF_MANAGED_IO_SUSPEND, CONTINUE));
    }
    steps.addAll(exitTail(target, interrupts, CONTINUE));
    return steps;
  }

  /** IRP_MN_STOP_DEVICE: D0 exit to D3Final, then EvtDeviceReleaseHardware; the device may start again. */
  public static List<PowerStep> stop(int interrupts, SelfManagedIoState smio) {
    List<PowerStep> steps = new ArrayList<>(d0Exit(DevicePowerState.D3_FINAL, interrupts, smio));
    steps.add(PowerStep.callback(EVT_DEVICE_RELEASE_HARDWARE, CONTINUE));
    return steps;
  }

  /**
   * IRP_MN_REMOVE_DEVICE, or surprise removal (EvtDeviceSurpriseRemoval first): D0 exit to D3Final
   * when the device is in D0, then the teardown, then the device's objects are deleted.
   */
  public static List<PowerStep> removal(
      boolean surprise, boolean inD0, boolean ownsHardware, int interrupts, SelfManagedIoState smio) {
    List<PowerStep> steps = new ArrayList<>();
    if (surprise) {
      steps.add(PowerStep.callback(EVT_DEVICE_SURPRISE_REMOVAL, CONTINUE));
    }
    if (inD0) {
      steps.addAll(d0Exit(DevicePowerState.D3_FINAL, interrupts, smio));
    }
    steps.addAll(teardown(ownsHardware, smio, CONTINUE));
    steps.add(PowerStep.dma(Type.DISPOSE_OBJECTS, CONTINUE));
    return steps;
  }

  /**
   * The PnP teardown of a device that failed or is removed: EvtDeviceReleaseHardware while it owns
   * its hardware, then self-managed I/O flush and cleanup, which KMDF calls only if
   * EvtDeviceSelfManagedIoInit was ever invoked (selfmanagediostatemachine.cpp, Created state).
   */
  public static List<PowerStep> teardown(boolean ownsHardware, SelfManagedIoState smio, OnFailure onFailure) {
    List<PowerStep> steps = new ArrayList<>();
    if (ownsHardware) {
      steps.add(PowerStep.callback(EVT_DEVICE_RELEASE_HARDWARE, onFailure));
    }
    if (smio != SelfManagedIoState.CREATED) {
      steps.add(PowerStep.callback(EVT_DEVICE_SELF_MANAGED_IO_FLUSH, onFailure));
      steps.add(PowerStep.callback(EVT_DEVICE_SELF_MANAGED_IO_CLEANUP, onFailure));
    }
    return steps;
  }

  /**
   * §2.3, the D0-entry failure matrix: what runs after {@code failed} failed on the way to D0.
   *
   * @param interruptsEnabled interrupts whose EvtInterruptEnable had succeeded
   * @param smio self-managed I/O state after the failure
   */
  public static List<PowerStep> entryFailure(
      PowerStep failed, int interrupts, int interruptsEnabled, SelfManagedIoState smio) {
    List<PowerStep> steps = new ArrayList<>();
    if (failed.type() == Type.DMA_POWER_UP
        || failed.callback() == EVT_DEVICE_SELF_MANAGED_IO_INIT
        || failed.callback() == EVT_DEVICE_SELF_MANAGED_IO_RESTART) {
      // Rows 3 and 5: DMA power-down on all enablers, then the rest of the exit path to D3Final.
      steps.addAll(exitTail(DevicePowerState.D3_FINAL, interrupts, IGNORE));
    } else if (failed.callback() == EVT_INTERRUPT_ENABLE
        || failed.callback() == EVT_INTERRUPT_POST_ENABLE
        || failed.callback() == EVT_DEVICE_D0_ENTRY_POST_INTERRUPTS_ENABLED) {
      // Row 2: the enabled interrupts are disabled, then EvtDeviceD0Exit(D3Final); no DMA callback.
      for (int i = interruptsEnabled - 1; i >= 0; i--) {
        steps.add(PowerStep.interrupt(EVT_INTERRUPT_DISABLE, i, IGNORE));
      }
      steps.add(PowerStep.callback(EVT_DEVICE_D0_EXIT, DevicePowerState.D3_FINAL, IGNORE));
    }
    // Row 1 (EvtDeviceD0Entry) and a failed EvtDevicePrepareHardware: no power callback at all.
    steps.addAll(teardown(true, smio, IGNORE));
    return steps;
  }

  private static List<PowerStep> exitTail(DevicePowerState target, int interrupts, OnFailure onFailure) {
    List<PowerStep> steps = new ArrayList<>();
    steps.add(PowerStep.dma(Type.DMA_POWER_DOWN, onFailure));
    steps.add(PowerStep.callback(EVT_DEVICE_D0_EXIT_PRE_INTERRUPTS_DISABLED, target, onFailure));
    for (int i = interrupts - 1; i >= 0; i--) {
      steps.add(PowerStep.interrupt(EVT_INTERRUPT_DISABLE, i, onFailure));
    }
    steps.add(PowerStep.callback(EVT_DEVICE_D0_EXIT, target, onFailure));
    return steps;
  }
}
