package org.dmaemu.protocol.device;

import akka.actor.typed.ActorRef;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;

/**
 * The DDI WdfDmaEnablerCreate, sent by a driver to its device (reference §1.4).
 *
 * @param parentDeviceId WDF_OBJECT_ATTRIBUTES.ParentObject: {@code null} for the default (the
 *     device); any other device's id is rejected for KMDF ≥ 1.11 clients
 */
public record WdfDmaEnablerCreate(
    DmaEnablerConfig config, String parentDeviceId, ActorRef<EnablerCreateResult> replyTo)
    implements DeviceMessage {}
