package org.dmaemu.node.workload;

import java.util.List;
import org.dmaemu.device.DeviceSettings;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;

/**
 * One device of a run: its settings and the enablers its driver creates in EvtDriverDeviceAdd, in
 * creation order (which is also the power-callback order, reference §1.4 step 8).
 */
public record DevicePlan(DeviceSettings settings, List<DmaEnablerConfig> enablers) {
  public DevicePlan {
    enablers = List.copyOf(enablers);
  }
}
