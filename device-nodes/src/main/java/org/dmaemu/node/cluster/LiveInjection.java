package org.dmaemu.node.cluster;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.dmaemu.fault.Fault;

/**
 * One {@code dmaemu inject} into a running run (a short-lived child of the coordinator): hands the
 * checked fault to every node of the run, gathers which nodes' devices took it, and answers the
 * injecting client with the count. A node that does not answer within {@link #PATIENCE} counts as
 * not having taken it.
 */
final class LiveInjection extends AbstractBehavior<LiveInjection.Command> {

  sealed interface Command {}

  private record WrappedTaken(NodeRunner.FaultTaken taken) implements Command, NoSerializationVerificationNeeded {}

  private enum GiveUp implements Command {
    INSTANCE
  }

  static final Duration PATIENCE = Duration.ofSeconds(5);

  private final Fault fault;
  private final int nodes;
  private final ActorRef<RunCoordinator.InjectResult> replyTo;
  private final Set<String> answered = new HashSet<>();
  private final List<String> refusals = new ArrayList<>();
  private int took;

  static Behavior<Command> create(
      String runId,
      Fault fault,
      List<ActorRef<NodeRunner.Command>> runners,
      ActorRef<RunCoordinator.InjectResult> replyTo) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startSingleTimer(GiveUp.INSTANCE, PATIENCE);
      ActorRef<NodeRunner.FaultTaken> adapter = context.messageAdapter(NodeRunner.FaultTaken.class, WrappedTaken::new);
      for (ActorRef<NodeRunner.Command> r : runners) {
        r.tell(new NodeRunner.InjectFault(runId, LiveFault.of(fault), adapter));
      }
      return new LiveInjection(context, fault, runners.size(), replyTo);
    }));
  }

  private LiveInjection(
      ActorContext<Command> context, Fault fault, int nodes, ActorRef<RunCoordinator.InjectResult> replyTo) {
    super(context);
    this.fault = fault;
    this.nodes = nodes;
    this.replyTo = replyTo;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(WrappedTaken.class, this::onTaken)
        .onMessageEquals(GiveUp.INSTANCE, this::answer)
        .build();
  }

  private Behavior<Command> onTaken(WrappedTaken w) {
    NodeRunner.FaultTaken t = w.taken();
    if (!answered.add(t.node())) {
      return this;
    }
    if (t.error() == null) {
      took++;
    } else {
      refusals.add(t.node() + ": " + t.error());
    }
    return answered.size() >= nodes ? answer() : this;
  }

  private Behavior<Command> answer() {
    List<String> notes = new ArrayList<>(refusals);
    if (answered.size() < nodes) {
      notes.add((nodes - answered.size()) + " of " + nodes + " nodes did not answer within " + PATIENCE.toSeconds() + " s");
    }
    replyTo.tell(new RunCoordinator.InjectResult(
        RunCoordinator.InjectResult.Outcome.INJECTED, fault.id(), fault.describe(), took, nodes, notes));
    return Behaviors.stopped();
  }
}
