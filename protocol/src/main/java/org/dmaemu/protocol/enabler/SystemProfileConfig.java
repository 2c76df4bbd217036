package org.dmaemu.protocol.enabler;

import org.dmaemu.protocol.CborSerializable;

/**
 * WDF_DMA_SYSTEM_PROFILE_CONFIG (reference §1.5): what WdfDmaEnablerConfigureSystemProfile passes
 * for one direction of a System or SystemDuplex enabler.
 *
 * @param dmaDescriptorGiven the DMA resource descriptor (CmResourceTypeDma) was passed; NULL is
 *     STATUS_INVALID_PARAMETER
 * @param dmaChannel the descriptor's channel
 * @param requestLine the descriptor's port (the DMA request line)
 * @param demandMode DEVICE_DESCRIPTION.DemandMode
 * @param loopedTransfer DEVICE_DESCRIPTION.AutoInitialize
 * @param deviceAddress the device's address for the controller (plus the transaction's offset)
 */
public record SystemProfileConfig(
    boolean dmaDescriptorGiven,
    int dmaChannel,
    int requestLine,
    boolean demandMode,
    boolean loopedTransfer,
    long deviceAddress)
    implements CborSerializable {

  public static SystemProfileConfig of(int dmaChannel, int requestLine) {
    return new SystemProfileConfig(true, dmaChannel, requestLine, false, false, 0);
  }
}
