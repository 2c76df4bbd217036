package org.dmaemu.protocol;

/**
 * Marker for every message that may cross nodes. Bound to Akka's jackson-cbor serializer in
 * this module's {@code reference.conf}; a test round-trips every implementation (DESIGN §4).
 */
public interface CborSerializable {}
