package org.dmaemu.node.workload;

import java.util.List;
import org.dmaemu.device.DeviceSettings;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;

/**
 * One device of a run: its settings, the enablers its driver creates in EvtDriverDeviceAdd (in
 * creation order, which is also the power-callback order, reference §1.4 step 8), and which
 * reference driver it runs.
 *
 * <ul>
 *   <li>Power only ({@code io == null}): the {@code ReferenceDriver} creates the enablers and
 *       answers the power callbacks; no DMA transfer.
 *   <li>DMA I/O ({@code io != null}): the {@code DmaIoDriver} of {@link DmaIoPlan}, which creates
 *       its one enabler ({@code enablers} is exactly {@code [io.enabler()]}) and its transactions
 *       and runs I/O once the device started. The device needs hardware ({@link
 *       DeviceSettings#hardware()}): the DMA engine its driver programs.
 * </ul>
 */
public record DevicePlan(DeviceSettings settings, List<DmaEnablerConfig> enablers, DmaIoPlan io) {

  public DevicePlan {
    enablers = List.copyOf(enablers);
    if (io != null) {
      if (!enablers.equals(List.of(io.enabler()))) {
        throw new IllegalArgumentException("a DMA I/O device has exactly its driver's enabler, got " + enablers);
      }
      if (settings.hardware() == null) {
        throw new IllegalArgumentException("a DMA I/O device needs hardware (DeviceSettings.withHardware)");
      }
      if (settings.interruptCount() <= settings.hardware().interruptIndex()) {
        throw new IllegalArgumentException(
            "the DMA engine raises interrupt " + settings.hardware().interruptIndex() + " of a device with "
                + settings.interruptCount());
      }
    }
  }

  /** A power-only device (the reference driver). */
  public DevicePlan(DeviceSettings settings, List<DmaEnablerConfig> enablers) {
    this(settings, enablers, null);
  }

  /** A device whose reference DMA driver runs {@code io}. */
  public static DevicePlan dmaIo(DeviceSettings settings, DmaIoPlan io) {
    return new DevicePlan(settings, List.of(io.enabler()), io);
  }

  public boolean doesDma() {
    return io != null;
  }
}
