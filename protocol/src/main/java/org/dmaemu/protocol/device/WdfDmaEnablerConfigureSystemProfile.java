package org.dmaemu.protocol.device;

import akka.actor.typed.ActorRef;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.dmaemu.protocol.enabler.EnablerHandle;
import org.dmaemu.protocol.enabler.SystemProfileConfig;

/**
 * The DDI WdfDmaEnablerConfigureSystemProfile (reference §1.5): gives a System or SystemDuplex
 * enabler its adapter for {@code direction} (for a simplex System enabler, its one adapter). Call
 * from EvtDevicePrepareHardware, before creating the transactions that use it. Answered with the
 * enabler as it is afterwards.
 *
 * @param config {@code null} is STATUS_INVALID_PARAMETER, as a NULL config is in KMDF
 */
public record WdfDmaEnablerConfigureSystemProfile(
    EnablerHandle enabler,
    DmaDirection direction,
    SystemProfileConfig config,
    ActorRef<EnablerCreateResult> replyTo)
    implements DeviceMessage {}
