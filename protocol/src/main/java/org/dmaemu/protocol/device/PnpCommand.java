package org.dmaemu.protocol.device;

import akka.actor.typed.ActorRef;

/**
 * The PnP manager's requests to a device (reference §2). One request runs at a time per device;
 * each is answered with a {@link PnpResult}.
 */
public sealed interface PnpCommand extends DeviceMessage {

  ActorRef<PnpResult> replyTo();

  PnpRequest request();

  /** AddDevice: the driver's EvtDriverDeviceAdd, where it creates its DMA enablers. */
  record AddDevice(ActorRef<PnpResult> replyTo) implements PnpCommand {
    public PnpRequest request() {
      return PnpRequest.ADD;
    }
  }

  /** IRP_MN_START_DEVICE: EvtDevicePrepareHardware, then the D0-entry path of §2.1. */
  record StartDevice(ActorRef<PnpResult> replyTo) implements PnpCommand {
    public PnpRequest request() {
      return PnpRequest.START;
    }
  }

  /** A device power IRP: D0 resumes (§2.1 resume path), D1–D3 go through the D0-exit path (§2.2). */
  record SetDevicePower(DevicePowerState target, ActorRef<PnpResult> replyTo)
      implements PnpCommand {
    public PnpRequest request() {
      return PnpRequest.SET_POWER;
    }
  }

  /** IRP_MN_STOP_DEVICE: D0 exit to D3Final, then EvtDeviceReleaseHardware; may be started again. */
  record StopDevice(ActorRef<PnpResult> replyTo) implements PnpCommand {
    public PnpRequest request() {
      return PnpRequest.STOP;
    }
  }

  /** IRP_MN_REMOVE_DEVICE: D0 exit to D3Final (if in D0), release hardware, self-managed I/O flush and cleanup. */
  record RemoveDevice(ActorRef<PnpResult> replyTo) implements PnpCommand {
    public PnpRequest request() {
      return PnpRequest.REMOVE;
    }
  }

  /** Surprise removal: EvtDeviceSurpriseRemoval first, then the removal path. */
  record SurpriseRemoveDevice(ActorRef<PnpResult> replyTo) implements PnpCommand {
    public PnpRequest request() {
      return PnpRequest.SURPRISE_REMOVE;
    }
  }
}
