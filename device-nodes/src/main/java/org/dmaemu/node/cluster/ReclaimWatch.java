package org.dmaemu.node.cluster;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dmaemu.protocol.arbitration.AdapterLockMessage;
import org.dmaemu.protocol.arbitration.AdapterLockSnapshot;
import org.dmaemu.protocol.arbitration.MapRegisterMessage;
import org.dmaemu.protocol.arbitration.MapRegisterSnapshot;
import org.dmaemu.time.NodeClock;

/**
 * Measures how long the shared adapter domains take to get back what a crashed node's transactions
 * held (a short-lived child of the coordinator, one per node crash): reads every domain's lock and
 * map-register pool every {@link #EVERY}, from just before the crash, and reports each time a
 * domain's count of holders it reclaimed from the dead (locks taken back, map registers taken back)
 * has grown since the first reading. The arbiters take back what a holder held when the cluster
 * tells them the holder is gone: once the crashed node has been downed and removed.
 */
final class ReclaimWatch extends AbstractBehavior<ReclaimWatch.Command> {

  sealed interface Command {}

  /**
   * Since the watch began, {@code domain} took back {@code locks} adapter locks and {@code
   * registers} map registers from holders that died; read at {@code wallMicros}.
   */
  record Reclaimed(String runId, String faultId, String domain, long wallMicros, long locks, long registers)
      implements NoSerializationVerificationNeeded {}

  private record WrappedLock(String domain, AdapterLockSnapshot lock) implements Command, NoSerializationVerificationNeeded {}

  private record WrappedRegisters(String domain, MapRegisterSnapshot registers)
      implements Command, NoSerializationVerificationNeeded {}

  private enum Tick implements Command {
    INSTANCE
  }

  /** How often the domains are read: the measurement's resolution. */
  static final Duration EVERY = Duration.ofMillis(50);

  private final String runId;
  private final String faultId;
  private final List<ArbiterReport.DomainStarted> domains;
  private final ActorRef<Reclaimed> replyTo;
  private final Map<String, Long> lockBase = new HashMap<>();
  private final Map<String, Long> registerBase = new HashMap<>();
  private final Map<String, Long> locks = new HashMap<>();
  private final Map<String, Long> registers = new HashMap<>();
  private final Map<String, ActorRef<AdapterLockSnapshot>> lockAdapters = new HashMap<>();
  private final Map<String, ActorRef<MapRegisterSnapshot>> registerAdapters = new HashMap<>();

  static Behavior<Command> create(
      String runId, String faultId, List<ArbiterReport.DomainStarted> domains, ActorRef<Reclaimed> replyTo) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, EVERY);
      return new ReclaimWatch(context, runId, faultId, domains, replyTo);
    }));
  }

  private ReclaimWatch(
      ActorContext<Command> context,
      String runId,
      String faultId,
      List<ArbiterReport.DomainStarted> domains,
      ActorRef<Reclaimed> replyTo) {
    super(context);
    this.runId = runId;
    this.faultId = faultId;
    this.domains = List.copyOf(domains);
    this.replyTo = replyTo;
    for (ArbiterReport.DomainStarted d : this.domains) {
      lockAdapters.put(d.name(), context.messageAdapter(AdapterLockSnapshot.class, s -> new WrappedLock(d.name(), s)));
      registerAdapters.put(
          d.name(), context.messageAdapter(MapRegisterSnapshot.class, s -> new WrappedRegisters(d.name(), s)));
    }
    read();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessage(WrappedLock.class, this::onLock)
        .onMessage(WrappedRegisters.class, this::onRegisters)
        .build();
  }

  private Behavior<Command> onTick() {
    read();
    return this;
  }

  private void read() {
    for (ArbiterReport.DomainStarted d : domains) {
      d.lock().tell(new AdapterLockMessage.GetAdapterLockState(lockAdapters.get(d.name())));
      d.registers().tell(new MapRegisterMessage.GetMapRegisterState(registerAdapters.get(d.name())));
    }
  }

  private Behavior<Command> onLock(WrappedLock w) {
    Long base = lockBase.putIfAbsent(w.domain(), w.lock().reclaimed());
    if (base != null && w.lock().reclaimed() - base > locks.getOrDefault(w.domain(), 0L)) {
      locks.put(w.domain(), w.lock().reclaimed() - base);
      report(w.domain());
    }
    return this;
  }

  private Behavior<Command> onRegisters(WrappedRegisters w) {
    Long base = registerBase.putIfAbsent(w.domain(), w.registers().leakedRegisters());
    if (base != null && w.registers().leakedRegisters() - base > registers.getOrDefault(w.domain(), 0L)) {
      registers.put(w.domain(), w.registers().leakedRegisters() - base);
      report(w.domain());
    }
    return this;
  }

  private void report(String domain) {
    replyTo.tell(new Reclaimed(runId, faultId, domain, NodeClock.wallClockMicros(), locks.getOrDefault(domain, 0L),
        registers.getOrDefault(domain, 0L)));
  }
}
