package org.dmaemu.protocol.device;

import org.dmaemu.protocol.CborSerializable;

/** Everything a device actor receives. Open: the device adds private messages of its own. */
public interface DeviceMessage extends CborSerializable {}
