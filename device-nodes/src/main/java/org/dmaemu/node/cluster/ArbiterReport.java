package org.dmaemu.node.cluster;

import akka.actor.typed.ActorRef;
import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.protocol.arbitration.AdapterLockMessage;
import org.dmaemu.protocol.arbitration.MapRegisterMessage;
import org.dmaemu.protocol.hardware.BusMessage;

/** What an arbiter entity ({@link ArbiterEntity}) answers the run's coordinator. */
public sealed interface ArbiterReport extends CborSerializable {

  String runId();

  String name();

  /**
   * A shared adapter domain's lock and map-register pool are running on {@code node}: every node's
   * devices of the run send to these addresses directly.
   */
  record DomainStarted(
      String runId,
      String name,
      String node,
      int mapRegisters,
      ActorRef<AdapterLockMessage> lock,
      ActorRef<MapRegisterMessage> registers)
      implements ArbiterReport {}

  /** A shared bus is running on {@code node}. */
  record BusStarted(String runId, String name, String node, ActorRef<BusMessage> bus) implements ArbiterReport {}

  /** The arbiter could not start: the run cannot go on. */
  record NotStarted(String runId, String name, String node, String reason) implements ArbiterReport {}

  /** The arbiter's actors have stopped: nothing of it reports to its node's metrics any more. */
  record Stopped(String runId, String name) implements ArbiterReport {}
}
