package org.dmaemu.node.cluster;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dmaemu.node.inspect.Inspection;
import org.dmaemu.protocol.arbitration.AdapterLockMessage;
import org.dmaemu.protocol.arbitration.AdapterLockSnapshot;
import org.dmaemu.protocol.arbitration.MapRegisterMessage;
import org.dmaemu.protocol.arbitration.MapRegisterSnapshot;

/**
 * One {@code dmaemu inspect} of a running run (a short-lived child of the coordinator): asks every
 * shared adapter domain for its map registers and lock, and each chosen device entity for its
 * device and transactions, wherever they live; answers with what came back within the patience.
 */
final class InspectionGatherer extends AbstractBehavior<InspectionGatherer.Command> {

  sealed interface Command {}

  private record WrappedLock(String domain, AdapterLockSnapshot lock) implements Command, NoSerializationVerificationNeeded {}

  private record WrappedRegisters(String domain, MapRegisterSnapshot registers)
      implements Command, NoSerializationVerificationNeeded {}

  private record WrappedDevice(Inspection.DeviceEntry entry) implements Command, NoSerializationVerificationNeeded {}

  private enum GiveUp implements Command {
    INSTANCE
  }

  /** Real time the gatherer waits for answers; a device's own inspection waits less. */
  static final Duration PATIENCE = Duration.ofSeconds(5);

  private final String run;
  private final List<String> nodes;
  private final List<ArbiterReport.DomainStarted> domains;
  private final ActorRef<Inspection> replyTo;
  private final Map<String, AdapterLockSnapshot> locks = new HashMap<>();
  private final Map<String, MapRegisterSnapshot> registers = new HashMap<>();
  private final List<Inspection.DeviceEntry> devices = new ArrayList<>();
  private final int devicesAsked;

  static Behavior<Command> create(
      String run,
      List<String> nodes,
      List<ArbiterReport.DomainStarted> domains,
      List<String> deviceIds,
      ActorRef<Inspection> replyTo) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startSingleTimer(GiveUp.INSTANCE, PATIENCE);
      return new InspectionGatherer(context, run, nodes, domains, deviceIds, replyTo);
    }));
  }

  private InspectionGatherer(
      ActorContext<Command> context,
      String run,
      List<String> nodes,
      List<ArbiterReport.DomainStarted> domains,
      List<String> deviceIds,
      ActorRef<Inspection> replyTo) {
    super(context);
    this.run = run;
    this.nodes = List.copyOf(nodes);
    this.domains = List.copyOf(domains);
    this.replyTo = replyTo;
    this.devicesAsked = deviceIds.size();
    for (ArbiterReport.DomainStarted d : domains) {
      d.lock().tell(new AdapterLockMessage.GetAdapterLockState(
          context.messageAdapter(AdapterLockSnapshot.class, s -> new WrappedLock(d.name(), s))));
      d.registers().tell(new MapRegisterMessage.GetMapRegisterState(
          context.messageAdapter(MapRegisterSnapshot.class, s -> new WrappedRegisters(d.name(), s))));
    }
    ActorRef<Inspection.DeviceEntry> deviceAdapter = context.messageAdapter(Inspection.DeviceEntry.class, WrappedDevice::new);
    ClusterSharding sharding = ClusterSharding.get(context.getSystem());
    for (String id : deviceIds) {
      sharding.entityRefFor(DeviceEntity.TYPE_KEY, id).tell(new DeviceEntity.Inspect(deviceAdapter));
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(WrappedLock.class, this::onLock)
        .onMessage(WrappedRegisters.class, this::onRegisters)
        .onMessage(WrappedDevice.class, this::onDevice)
        .onMessageEquals(GiveUp.INSTANCE, this::answer)
        .build();
  }

  private Behavior<Command> onLock(WrappedLock w) {
    locks.put(w.domain(), w.lock());
    return answerIfComplete();
  }

  private Behavior<Command> onRegisters(WrappedRegisters w) {
    registers.put(w.domain(), w.registers());
    return answerIfComplete();
  }

  private Behavior<Command> onDevice(WrappedDevice w) {
    devices.add(w.entry());
    return answerIfComplete();
  }

  private Behavior<Command> answerIfComplete() {
    boolean complete =
        locks.size() == domains.size() && registers.size() == domains.size() && devices.size() == devicesAsked;
    return complete ? answer() : this;
  }

  private Behavior<Command> answer() {
    List<Inspection.AdapterEntry> adapters = new ArrayList<>();
    for (ArbiterReport.DomainStarted d : domains) {
      if (locks.containsKey(d.name()) && registers.containsKey(d.name())) {
        adapters.add(new Inspection.AdapterEntry(d.node(), registers.get(d.name()), locks.get(d.name())));
      }
    }
    devices.sort(Comparator.comparing(e -> e.device().device().deviceId()));
    replyTo.tell(new Inspection(run, nodes, adapters, devices, devicesAsked - devices.size()));
    return Behaviors.stopped();
  }
}
