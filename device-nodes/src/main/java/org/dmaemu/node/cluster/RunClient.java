package org.dmaemu.node.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.ClusterEvent;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.dmaemu.fault.Fault;
import org.dmaemu.node.trace.TraceWriter;
import org.dmaemu.protocol.CborSerializable;

/**
 * The submitting side of one cluster run: waits until the cluster has the nodes the run asks for
 * (members Up, each with its {@link NodeRunner} registered), submits the scenario to the {@link
 * RunCoordinator}, keeps the progress where the caller's thread reads it, puts the result's pieces
 * together and completes {@code result} — or fails it with the coordinator's reason. Stops then.
 * When the coordinator says a node fault is due, it has {@link NodeFaults} carry it out and tells
 * the coordinator when it was done. When the cluster downs this JVM's own member (the split brain
 * resolver found it on the minority side) or its actor system stops, it fails {@code result} at
 * once with the reason: the run cannot be followed from here any more, and nothing else would end
 * the caller's wait.
 */
final class RunClient extends AbstractBehavior<RunClient.Command> {

  sealed interface Command extends CborSerializable {}

  private enum CheckNodes implements Command {
    INSTANCE
  }

  private record RunnersListed(int runners) implements Command {}

  private record WrappedEvent(RunCoordinator.ClientEvent event) implements Command {}

  private enum Silence implements Command {
    INSTANCE
  }

  /** A member was downed; this JVM's own is what matters. */
  private record Downed(Member member) implements Command, akka.actor.NoSerializationVerificationNeeded {}

  private record NodeFaultCarriedOut(String faultId, NodeFaults.Action action, String error)
      implements Command, akka.actor.NoSerializationVerificationNeeded {}

  /** What the caller's thread reads while the run goes. */
  record Progress(AtomicLong ended, AtomicLong expected) {
    Progress() {
      this(new AtomicLong(), new AtomicLong());
    }
  }

  /** How long the client waits for the nodes to come up. */
  static final Duration NODES_LIMIT = Duration.ofMinutes(5);
  /** How long the coordinator may say nothing: it sends progress twice a second while devices run. */
  static final Duration SILENCE_LIMIT = Duration.ofMinutes(5);

  private static final String SILENCE_TIMER = "silence";

  private final ActorRef<RunCoordinator.Command> coordinator;
  private final String runId;
  private final String scenario;
  private final int expectedNodes;
  private final ActorRef<TraceWriter.Command> trace;
  private final CompletableFuture<ClusterResult> result;
  private final Progress progress;
  private final TimerScheduler<Command> timers;
  private final Chunk.Assembly assembly;
  private final NodeFaults nodeFaults;
  private final long sinceNanos = System.nanoTime();
  private int runners;
  private boolean submitted;

  static Behavior<Command> create(
      ActorRef<RunCoordinator.Command> coordinator,
      String runId,
      String scenario,
      int expectedNodes,
      ActorRef<TraceWriter.Command> trace,
      CompletableFuture<ClusterResult> result,
      Progress progress,
      NodeFaults nodeFaults) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> new RunClient(
        context, timers, coordinator, runId, scenario, expectedNodes, trace, result, progress, nodeFaults)));
  }

  private RunClient(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      ActorRef<RunCoordinator.Command> coordinator,
      String runId,
      String scenario,
      int expectedNodes,
      ActorRef<TraceWriter.Command> trace,
      CompletableFuture<ClusterResult> result,
      Progress progress,
      NodeFaults nodeFaults) {
    super(context);
    this.nodeFaults = nodeFaults;
    this.timers = timers;
    this.coordinator = coordinator;
    this.runId = runId;
    this.scenario = scenario;
    this.expectedNodes = Math.max(1, expectedNodes);
    this.trace = trace;
    this.result = result;
    this.progress = progress;
    this.assembly = new Chunk.Assembly(context.getSystem());
    ActorRef<Receptionist.Listing> listings = context.messageAdapter(
        Receptionist.Listing.class, listing -> new RunnersListed(listing.getServiceInstances(NodeRunner.KEY).size()));
    context.getSystem().receptionist().tell(Receptionist.subscribe(NodeRunner.KEY, listings));
    timers.startTimerWithFixedDelay(CheckNodes.INSTANCE, Duration.ofMillis(200));
    ActorRef<ClusterEvent.MemberDowned> downs = context.messageAdapter(
        ClusterEvent.MemberDowned.class, downed -> new Downed(downed.member()));
    Cluster.get(context.getSystem()).subscriptions().tell(Subscribe.create(downs, ClusterEvent.MemberDowned.class));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(RunnersListed.class, this::onRunnersListed)
        .onMessageEquals(CheckNodes.INSTANCE, this::onCheckNodes)
        .onMessage(WrappedEvent.class, this::onEvent)
        .onMessageEquals(Silence.INSTANCE, this::onSilence)
        .onMessage(NodeFaultCarriedOut.class, this::onNodeFaultCarriedOut)
        .onMessage(Downed.class, this::onDowned)
        .onSignal(PostStop.class, stopped -> onStopped())
        .build();
  }

  private Behavior<Command> onRunnersListed(RunnersListed listed) {
    runners = listed.runners();
    return onCheckNodes();
  }

  private Behavior<Command> onCheckNodes() {
    if (submitted) {
      return this;
    }
    int up = upMembers();
    if (up >= expectedNodes && runners >= expectedNodes) {
      submitted = true;
      timers.cancel(CheckNodes.INSTANCE);
      coordinator.tell(new RunCoordinator.SubmitRun(runId, scenario, expectedNodes, trace,
          getContext().messageAdapter(RunCoordinator.ClientEvent.class, WrappedEvent::new), nodeFaults.addresses()));
      timers.startSingleTimer(SILENCE_TIMER, Silence.INSTANCE, SILENCE_LIMIT);
      return this;
    }
    if (System.nanoTime() - sinceNanos > NODES_LIMIT.toNanos()) {
      return fail(up + " of " + expectedNodes + " cluster members are up and " + runners + " node runners registered after "
          + NODES_LIMIT.toMinutes() + " minutes");
    }
    return this;
  }

  private int upMembers() {
    int up = 0;
    for (akka.cluster.Member m : Cluster.get(getContext().getSystem()).state().getMembers()) {
      if (m.status() == MemberStatus.up()) {
        up++;
      }
    }
    return up;
  }

  private Behavior<Command> onEvent(WrappedEvent wrapped) {
    RunCoordinator.ClientEvent event = wrapped.event();
    if (!event.runId().equals(runId)) {
      return this;
    }
    timers.startSingleTimer(SILENCE_TIMER, Silence.INSTANCE, SILENCE_LIMIT);
    if (event instanceof RunCoordinator.RunProgress p) {
      progress.ended().set(p.ended());
      progress.expected().set(p.expected());
      return this;
    }
    if (event instanceof RunCoordinator.RunRejected r) {
      return fail("the cluster gave run " + runId + " up: " + r.reason());
    }
    if (event instanceof RunCoordinator.ExecuteNodeFault e) {
      return onExecuteNodeFault(e);
    }
    Object whole = assembly.add(((RunCoordinator.ResultChunk) event).chunk());
    if (whole instanceof ClusterResult done) {
      result.complete(done);
      return Behaviors.stopped();
    }
    return this;
  }

  private Behavior<Command> onExecuteNodeFault(RunCoordinator.ExecuteNodeFault execute) {
    Fault.NodeFault fault = new Fault.NodeFault(execute.faultId(), execute.kind(), execute.node(),
        Duration.ofNanos(execute.atMicros() * 1000), Duration.ofNanos(execute.lengthMicros() * 1000));
    getContext().pipeToSelf(
        nodeFaults.execute(fault, Duration.ofMillis(execute.realLengthMillis())),
        (action, failure) -> new NodeFaultCarriedOut(execute.faultId(), action,
            failure == null ? null : reason(failure)));
    return this;
  }

  private static String reason(Throwable failure) {
    Throwable t = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  private Behavior<Command> onNodeFaultCarriedOut(NodeFaultCarriedOut done) {
    coordinator.tell(done.error() == null
        ? new RunCoordinator.NodeFaultDone(runId, done.faultId(), done.action().wallMicros(), done.action().what(), null)
        : new RunCoordinator.NodeFaultDone(runId, done.faultId(), 0, "", done.error()));
    return this;
  }

  private Behavior<Command> onDowned(Downed downed) {
    Cluster cluster = Cluster.get(getContext().getSystem());
    if (!downed.member().uniqueAddress().equals(cluster.selfMember().uniqueAddress())) {
      return this;
    }
    ClusterEvent.CurrentClusterState state = cluster.state();
    int members = 0;
    for (Member ignored : state.getMembers()) {
      members++;
    }
    String unreachable = state.getUnreachable().stream()
        .map(m -> m.address().toString())
        .sorted()
        .collect(Collectors.joining(", "));
    return fail("the cluster downed this JVM's member " + cluster.selfMember().address()
        + (unreachable.isEmpty()
            ? ""
            : " while it could not reach " + state.getUnreachable().size() + " of the " + members + " members ("
                + unreachable + "): the split brain resolver downs the side with fewer than half of the members,"
                + " and every member when no side keeps more")
        + "; the run is lost from here (docs/faults-cluster.md, Limits)");
  }

  /** The actor system stops under the run (e.g. after this member was downed): nothing else would end the wait. */
  private Behavior<Command> onStopped() {
    if (!result.isDone()) {
      result.completeExceptionally(new IllegalStateException(
          "this JVM's actor system stopped before the run's result arrived (see the log above for why)"));
    }
    return this;
  }

  private Behavior<Command> onSilence() {
    return fail("the run's coordinator said nothing for " + SILENCE_LIMIT.toMinutes() + " minutes");
  }

  private Behavior<Command> fail(String why) {
    result.completeExceptionally(new IllegalStateException(why));
    return Behaviors.stopped();
  }
}
