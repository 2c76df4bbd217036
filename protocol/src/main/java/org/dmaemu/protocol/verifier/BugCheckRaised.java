package org.dmaemu.protocol.verifier;

import org.dmaemu.protocol.device.DeviceMessage;

/** A framework object of the device hit a check (reference §8); the device applies {@code verifier.on-violation}. */
public record BugCheckRaised(BugCheck bugCheck) implements DeviceMessage {}
