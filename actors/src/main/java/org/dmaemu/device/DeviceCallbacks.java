package org.dmaemu.device;

import akka.actor.typed.ActorRef;
import org.dmaemu.protocol.driver.CallbackReturn;
import org.dmaemu.protocol.driver.DriverCallback;
import org.dmaemu.protocol.hardware.DmaEngineMessage;

/** Builds the message of a device-level callback step. */
final class DeviceCallbacks {
  private DeviceCallbacks() {}

  static DriverCallback message(
      String deviceId, PowerStep step, ActorRef<DmaEngineMessage> hardware, ActorRef<CallbackReturn> replyTo) {
    switch (step.callback()) {
      case EVT_DRIVER_DEVICE_ADD:
        return new DriverCallback.EvtDriverDeviceAdd(deviceId, replyTo);
      case EVT_DEVICE_PREPARE_HARDWARE:
        return new DriverCallback.EvtDevicePrepareHardware(deviceId, hardware, replyTo);
      case EVT_DEVICE_D0_ENTRY:
        return new DriverCallback.EvtDeviceD0Entry(deviceId, step.powerState(), replyTo);
      case EVT_INTERRUPT_ENABLE:
        return new DriverCallback.EvtInterruptEnable(deviceId, step.interrupt(), replyTo);
      case EVT_INTERRUPT_POST_ENABLE:
        return new DriverCallback.EvtInterruptPostEnable(deviceId, step.interrupt(), replyTo);
      case EVT_DEVICE_D0_ENTRY_POST_INTERRUPTS_ENABLED:
        return new DriverCallback.EvtDeviceD0EntryPostInterruptsEnabled(deviceId, step.powerState(), replyTo);
      case EVT_DEVICE_SELF_MANAGED_IO_INIT:
        return new DriverCallback.EvtDeviceSelfManagedIoInit(deviceId, replyTo);
      case EVT_DEVICE_SELF_MANAGED_IO_RESTART:
        return new DriverCallback.EvtDeviceSelfManagedIoRestart(deviceId, replyTo);
      case EVT_DEVICE_SELF_MANAGED_IO_SUSPEND:
        return new DriverCallback.EvtDeviceSelfManagedIoSuspend(deviceId, replyTo);
      case EVT_DEVICE_D0_EXIT_PRE_INTERRUPTS_DISABLED:
        return new DriverCallback.EvtDeviceD0ExitPreInterruptsDisabled(deviceId, step.powerState(), replyTo);
      case EVT_INTERRUPT_DISABLE:
        return new DriverCallback.EvtInterruptDisable(deviceId, step.interrupt(), replyTo);
      case EVT_DEVICE_D0_EXIT:
        return new DriverCallback.EvtDeviceD0Exit(deviceId, step.powerState(), replyTo);
      case EVT_DEVICE_RELEASE_HARDWARE:
        return new DriverCallback.EvtDeviceReleaseHardware(deviceId, replyTo);
      case EVT_DEVICE_SELF_MANAGED_IO_FLUSH:
        return new DriverCallback.EvtDeviceSelfManagedIoFlush(deviceId, replyTo);
      case EVT_DEVICE_SELF_MANAGED_IO_CLEANUP:
        return new DriverCallback.EvtDeviceSelfManagedIoCleanup(deviceId, replyTo);
      case EVT_DEVICE_SURPRISE_REMOVAL:
        return new DriverCallback.EvtDeviceSurpriseRemoval(deviceId, replyTo);
      default:
        throw new IllegalArgumentException(step.callback() + " is an enabler callback; enablers deliver it");
    }
  }
}
