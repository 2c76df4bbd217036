package org.dmaemu.driver;

import akka.actor.typed.Behavior;
import org.dmaemu.protocol.driver.DriverMessage;

/**
 * A driver model: makes the driver actor of one device. The device spawns it when it has work for
 * the driver (a PnP request) and stops it when idle, so a model keeps nothing across requests that
 * its {@link DriverContext} cannot give back.
 */
@FunctionalInterface
public interface DriverModel {
  Behavior<DriverMessage> create(DriverContext context);
}
