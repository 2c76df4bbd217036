package org.dmaemu.protocol.driver;

import org.dmaemu.protocol.CborSerializable;

/**
 * Everything a driver actor receives: framework callbacks ({@link DriverCallback}) and the replies
 * to the DDI calls it made. Open so that each driver model may add its own private messages.
 */
public interface DriverMessage extends CborSerializable {}
