package org.dmaemu.protocol.device;

import java.util.List;
import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.protocol.enabler.EnablerInfo;
import org.dmaemu.protocol.verifier.BugCheck;

/** A device's state as it is between requests: PnP and power state, self-managed I/O, enablers. */
public record DeviceSnapshot(
    String deviceId,
    DeviceState state,
    DevicePowerState powerState,
    SelfManagedIoState selfManagedIo,
    List<EnablerInfo> enablers,
    boolean busy,
    long callbacksInvoked,
    List<BugCheck> bugChecks)
    implements CborSerializable {

  public DeviceSnapshot {
    enablers = List.copyOf(enablers);
    bugChecks = List.copyOf(bugChecks);
  }
}
