package org.dmaemu.node.cluster;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.sharding.ShardRegion;
import akka.cluster.sharding.typed.GetClusterShardingStats;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.actor.Address;
import akka.cluster.ClusterEvent;
import akka.cluster.Member;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dmaemu.fault.Fault;
import org.dmaemu.node.inspect.Inspection;
import org.dmaemu.node.metrics.FaultTally;
import org.dmaemu.node.metrics.RunMetrics;
import org.dmaemu.node.metrics.ScenarioMetrics;
import org.dmaemu.node.run.PowerCycleRun;
import org.dmaemu.node.run.RunSummary;
import org.dmaemu.node.run.RunTally;
import org.dmaemu.node.scenario.AdapterDomainSpec;
import org.dmaemu.node.scenario.BusSpec;
import org.dmaemu.node.scenario.Scenario;
import org.dmaemu.node.scenario.ScenarioLoader;
import org.dmaemu.node.scenario.ScenarioRun;
import org.dmaemu.node.scenario.ScenarioWorkload;
import org.dmaemu.node.trace.TraceWriter;
import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.time.NodeClock;
import org.dmaemu.protocol.trace.TraceEvent;

/**
 * Runs scenarios on the cluster, one at a time (a cluster singleton, DESIGN §3: "RunCoordinator"):
 * loads the scenario a client submits, has every node prepare its part ({@link NodeRunner}), starts
 * the shared adapter domains and buses as sharded entities wherever sharding puts them and tells
 * every node their addresses, starts every device entity, adds up the devices' outcomes as they
 * come, and when every device has answered (or, for the stall timeout, none answered and no request
 * ended) stops the arbiters, collects every node's metrics, merges them and sends the merged result
 * to the client.
 * Then the run is forgotten everywhere, and the cluster can run the next scenario.
 *
 * <p>A step that does not complete in time (a node that does not answer) gives the run up: the
 * client gets {@link RunRejected} with the reason.
 *
 * <p>Faults (DESIGN §10, docs/faults-cluster.md). The coordinator watches every node's {@link
 * NodeRunner}. A node that goes while the devices run (downed by the split brain resolver after a
 * crash, or gone any other way) is dropped from the nodes the run waits for; the devices it had
 * started and that had not answered count as lost with it, and its requests are accounted from its
 * last progress report: the requests it had not ended by then are aborted by the node fault that hit
 * it, or, without one, left unaccounted (the run then fails its checks, as an unplanned loss should).
 * The scenario's node faults are due at their {@code at}, counted from the moment the devices are
 * started; the coordinator has the submitting side carry them out ({@link ExecuteNodeFault}), which
 * owns the nodes' processes, and so knows which node each hit. It refuses to crash a node that holds
 * a shared adapter domain or bus: the devices on the other nodes reach those arbiters directly, not
 * through sharding, so they would wait for them to the end. Faults can be added while the devices
 * run ({@link InjectFault}); they are checked against the running scenario and handed to every
 * node, and an arbiter crash or node fault is carried out from here as a planned one is.
 */
public final class RunCoordinator extends AbstractBehavior<RunCoordinator.Command> {

  public sealed interface Command extends CborSerializable {}

  /**
   * Run a scenario once {@code expectedNodes} nodes take part.
   *
   * @param scenario its resolved HOCON text; every node loads it again
   * @param trace the run's trace writer on the client's node, or {@code null} for no trace
   * @param replyTo gets progress, then the result in pieces, or the rejection
   */
  public record SubmitRun(
      String runId,
      String scenario,
      int expectedNodes,
      ActorRef<TraceWriter.Command> trace,
      ActorRef<ClientEvent> replyTo,
      List<String> nodeAddresses)
      implements Command {
    /**
     * @param nodeAddresses the addresses the scenario's node faults number (element 0 is node 1);
     *     empty when the submitting side cannot carry node faults out
     */
    public SubmitRun {
      nodeAddresses = List.copyOf(nodeAddresses);
    }

    /** A run without node faults. */
    public SubmitRun(
        String runId, String scenario, int expectedNodes, ActorRef<TraceWriter.Command> trace, ActorRef<ClientEvent> replyTo) {
      this(runId, scenario, expectedNodes, trace, replyTo, List.of());
    }
  }

  /**
   * Add a message fault to the running run ({@code dmaemu inject}).
   *
   * @param fault as a {@code --fault} flag takes it: {@code TYPE:KEY=VALUE,...} or a HOCON object
   */
  public record InjectFault(String fault, ActorRef<InjectResult> replyTo) implements Command {}

  /**
   * What became of an injection.
   *
   * @param faultId the id the fault got ({@code live-N} unless it named one); empty unless injected
   * @param describe the fault as the run's summary describes it; empty unless injected
   * @param nodesTook the run's nodes whose devices took the fault
   * @param nodes the run's nodes
   * @param messages for {@code BAD_FAULT} and {@code NO_RUN}: what is wrong, one line each; for
   *     {@code INJECTED}: the nodes that did not take it and why
   */
  public record InjectResult(
      Outcome outcome, String faultId, String describe, int nodesTook, int nodes, List<String> messages)
      implements CborSerializable {
    public InjectResult {
      messages = List.copyOf(messages);
    }

    public enum Outcome {
      INJECTED,
      BAD_FAULT,
      NO_RUN
    }
  }

  /** The submitting side carried out a node fault ({@code error == null}), or could not. */
  public record NodeFaultDone(String runId, String faultId, long wallMicros, String what, String error)
      implements Command {}

  /**
   * The running run as {@code dmaemu inspect} shows it: its shared adapter domains and the devices
   * named (all of them, up to {@code maxDevices}, when none is named).
   */
  public record InspectRun(List<String> devices, int maxDevices, ActorRef<Inspection> replyTo) implements Command {
    public InspectRun {
      devices = List.copyOf(devices);
    }
  }

  /** What the client of a run hears. */
  public sealed interface ClientEvent extends CborSerializable {
    String runId();
  }

  /** Requests ended so far on every node, and the total if the scenario fixes one (else 0). */
  public record RunProgress(String runId, long ended, long expected) implements ClientEvent {}

  /** The run did not start, or was given up. */
  public record RunRejected(String runId, String reason) implements ClientEvent {}

  /** A piece of the run's {@link ClusterResult}. */
  public record ResultChunk(String runId, Chunk chunk) implements ClientEvent {}

  /**
   * Carry out node fault {@code faultId} (planned, or injected while the run runs) now: {@code kind}
   * on node {@code node}; answer {@link NodeFaultDone}.
   *
   * @param atMicros the fault's {@code at}, modeled, for the record
   * @param lengthMicros a pause's modeled length, for the record
   * @param realLengthMillis a pause's length in real time (its modeled length over the time scale)
   */
  public record ExecuteNodeFault(
      String runId, String faultId, Fault.NodeFaultKind kind, int node, long atMicros, long lengthMicros,
      long realLengthMillis)
      implements ClientEvent {}

  private record RunnersListed(Set<ActorRef<NodeRunner.Command>> runners) implements Command {
    RunnersListed {
      runners = Set.copyOf(runners);
    }
  }

  private record WrappedPrepared(NodeRunner.Prepared prepared) implements Command {}

  private record WrappedArbiter(ArbiterReport report) implements Command {}

  private record WrappedDevice(DeviceEntity.Report report) implements Command {}

  private record WrappedProgress(NodeRunner.NodeProgress progress) implements Command {}

  private record WrappedChunk(Chunk chunk) implements Command {}

  private record WrappedStats(String runId, ShardRegion.ClusterShardingStats stats)
      implements Command, NoSerializationVerificationNeeded {}

  private record ClientGone(String runId) implements Command {}

  private record PhaseTimedOut(String runId, Phase phase) implements Command {}

  private record CheckPlacement(String runId) implements Command {}

  private record Poll(String runId) implements Command {}

  private record Stalled(String runId) implements Command {}

  private record RunnerGone(String runId, ActorRef<NodeRunner.Command> runner) implements Command {}

  private record NodeFaultDue(String runId, String faultId) implements Command {}

  private record FaultClockLimit(String runId) implements Command {}

  private record ArbiterCrashDue(String runId, String faultId) implements Command {}

  /** A member left the cluster: an injecting client that a live node fault waits for may be gone. */
  private record MemberGone(Address address) implements Command, NoSerializationVerificationNeeded {}

  /** A live node fault has waited long enough for its injecting client to leave. */
  private record InjectorWaitOver(String runId, String faultId) implements Command {}

  private record ReclaimGraceOver(String runId) implements Command {}

  private record WrappedReclaim(ReclaimWatch.Reclaimed reclaimed)
      implements Command, NoSerializationVerificationNeeded {}

  private enum Phase {
    WAITING_FOR_NODES(Duration.ofSeconds(60)),
    PREPARING(Duration.ofSeconds(30)),
    PLACING(Duration.ofSeconds(30)),
    STARTING_ARBITERS(Duration.ofSeconds(30)),
    WIRING(Duration.ofSeconds(30)),
    RUNNING(null),
    STOPPING_ARBITERS(Duration.ofSeconds(15)),
    COLLECTING(Duration.ofSeconds(60));

    /** How long the phase may take; {@code null}: the stall timer watches it instead. */
    final Duration limit;

    Phase(Duration limit) {
      this.limit = limit;
    }
  }

  private static final String PHASE_TIMER = "phase";
  private static final String POLL_TIMER = "poll";
  private static final String STALL_TIMER = "stall";
  private static final String NODE_FAULT_TIMER = "node-fault-";
  private static final String ARBITER_CRASH_TIMER = "arbiter-crash-";
  private static final String INJECTOR_TIMER = "injector-";
  /**
   * How long a node fault injected live waits at most for the {@code dmaemu inject} client that sent
   * it to leave the cluster. A member that dies while the client leaves keeps the cluster from
   * converging, so the client could not finish leaving; it would drop out unreachable instead, and
   * two reachability changes close together make the split brain resolver down every node.
   */
  private static final Duration INJECTOR_WAIT = Duration.ofSeconds(20);
  /** How long after a node crash the run waits for the cluster to remove the node before it may count as stalled. */
  private static final Duration NODE_LOSS_PATIENCE = Duration.ofSeconds(90);
  private static final String FAULT_CLOCK_TIMER = "fault-clock";
  /** How long timed faults wait for every device to have started before they count from then anyway. */
  private static final Duration FAULT_CLOCK_LIMIT = Duration.ofSeconds(60);
  /** How long the run waits, after its last device is accounted for by a node loss, for the arbiters to take back the lost node's holds. */
  private static final Duration RECLAIM_GRACE = Duration.ofSeconds(1);
  private static final Duration POLL_EVERY = Duration.ofMillis(500);
  /** How long the devices wait for sharding to know a region on every node before they start anyway. */
  private static final Duration PLACEMENT_LIMIT = Duration.ofSeconds(10);

  /** One run, from submission to result. */
  private static final class Run {
    final SubmitRun submit;
    final Scenario scenario;
    final List<String> deviceIds = new ArrayList<>();
    final RunTally tally;
    final long expectedRequests;
    final Duration stallTimeout;
    Phase phase = Phase.WAITING_FOR_NODES;
    List<ActorRef<NodeRunner.Command>> runners = List.of();
    final Set<String> answered = new HashSet<>();
    final List<ArbiterReport.DomainStarted> domains = new ArrayList<>();
    final List<ArbiterReport.BusStarted> buses = new ArrayList<>();
    final Map<String, Integer> devicesByNode = new HashMap<>();
    final Map<String, List<String>> arbitersByNode = new HashMap<>();
    final Map<String, Long> endedByNode = new HashMap<>();
    /** Requests ended over all nodes at the last progress that showed more: the stall timer counts from then. */
    long endedAtLastAdvance;
    final Map<String, NodeMetrics> metrics = new LinkedHashMap<>();
    final List<String> problems = new ArrayList<>();
    /** Every runner the run watches, lost ones included, to unwatch at the end. */
    final List<ActorRef<NodeRunner.Command>> watched = new ArrayList<>();
    final Map<String, Integer> indexByNode = new HashMap<>();
    /** Devices that answered, by id: a stalled run names some that did not. */
    final Set<String> answeredDevices = new HashSet<>();
    final Map<String, NodeRunner.NodeProgress> lastProgress = new HashMap<>();
    /** Where each device started, as the nodes' progress reports tell; how many each node told. */
    final Map<String, String> placedOn = new HashMap<>();
    final Map<String, Integer> knownStarted = new HashMap<>();
    /** Nodes the run lost while it ran, by address, in the order it lost them. */
    final Map<String, LostNode> lost = new LinkedHashMap<>();
    /** The run's node faults by id, planned (in plan order) then injected. */
    final Map<String, NodeFaultState> nodeFaults = new LinkedHashMap<>();
    /** The run's arbiter crashes by id, planned then injected: the coordinator has the domain's entity crash. */
    final Map<String, Fault.ArbiterCrash> crashesById = new LinkedHashMap<>();
    /** Whether the timed faults' timers (node faults, arbiter crashes) run: once every device has started. */
    boolean faultClockStarted;
    /** Faults injected while the run runs, in injection order. */
    final List<Fault> live = new ArrayList<>();
    int notRun;
    long placingSinceNanos;
    long startNanos;
    long tallyWallNanos;

    Run(SubmitRun submit, Scenario scenario, Config config) {
      this.submit = submit;
      this.scenario = scenario;
      scenario.faultPlan().ofType(Fault.ArbiterCrash.class).forEach(c -> crashesById.put(c.id(), c));
      ScenarioWorkload ids = new ScenarioWorkload(scenario, null);
      for (int i = 1; i <= ids.devices(); i++) {
        deviceIds.add(ids.deviceId(i));
      }
      this.tally = new RunTally(deviceIds.size(), false);
      this.expectedRequests = ScenarioRun.expectedRequests(scenario, deviceIds.size());
      Duration realDeadline =
          Duration.ofNanos((long) (scenario.run().callbackDeadline().toNanos() / scenario.run().timeScale()));
      this.stallTimeout = PowerCycleRun.defaultStallTimeout(config, realDeadline);
    }

    String id() {
      return submit.runId();
    }

    boolean hasTimedFaults() {
      return !nodeFaults.isEmpty() || !crashesById.isEmpty();
    }

    int arbiters() {
      return scenario.topology().adapterDomains().size() + scenario.topology().buses().size();
    }

    int lostDevices() {
      int n = 0;
      for (LostNode l : lost.values()) {
        n += l.devices.size();
      }
      return n;
    }

    boolean allDevicesAnswered() {
      return tally.accounted() + notRun + lostDevices() >= deviceIds.size();
    }

    NodeFaultState faultOn(String node) {
      for (NodeFaultState f : nodeFaults.values()) {
        if (f.executedWallMicros > 0 && f.address.equals(node)) {
          return f;
        }
      }
      return null;
    }
  }

  /** A node the run lost while it ran. */
  private static final class LostNode {
    final String node;
    final NodeRunner.NodeProgress last;
    /** The node fault that took it, or {@code null}. */
    final String faultId;
    /** Devices it had started that had not answered; a late answer takes its device off. */
    final Set<String> devices;

    LostNode(String node, NodeRunner.NodeProgress last, String faultId, Set<String> devices) {
      this.node = node;
      this.last = last;
      this.faultId = faultId;
      this.devices = devices;
    }

    /** Its requests as of its last progress report, the open ones aborted by its fault if it has one. */
    long open() {
      long open = 0;
      if (last != null) {
        for (ScenarioMetrics.RequestCounts c : last.requests()) {
          open += Math.max(0,
              c.submitted() - c.completed() - c.failed() - c.cancelled() - last.faults().aborted(c.group()));
        }
      }
      return open;
    }
  }

  /** One node fault of the scenario, from its plan to its outcome. */
  private static final class NodeFaultState {
    final Fault.NodeFault fault;
    final String address;
    String outcome = "not-due";
    String detail = "the run's devices were done before it was due";
    long executedWallMicros;
    long removedWallMicros;
    long firstReclaimWallMicros;
    final Map<String, long[]> reclaimedByDomain = new HashMap<>();
    ActorRef<ReclaimWatch.Command> watch;
    /** Injected live by a client member still in the cluster: not scheduled until it has left. */
    Address waitsFor;

    NodeFaultState(Fault.NodeFault fault, String address) {
      this.fault = fault;
      this.address = address;
    }

    ClusterResult.NodeFaultRecord record(LostNode lost) {
      long locks = 0;
      long registers = 0;
      for (long[] r : reclaimedByDomain.values()) {
        locks += r[0];
        registers += r[1];
      }
      return new ClusterResult.NodeFaultRecord(
          fault.id(), fault.kind().planName(), fault.node(), address, outcome, detail, executedWallMicros,
          removedWallMicros > 0 ? (removedWallMicros - executedWallMicros) / 1000 : -1,
          firstReclaimWallMicros > 0 ? (firstReclaimWallMicros - executedWallMicros) / 1000 : -1,
          locks, registers, lost == null ? 0 : lost.devices.size(), lost == null ? 0 : lost.open());
    }
  }

  /** Only while devices run: before that there is nothing to see, after it nothing is left. */
  private Behavior<Command> onInspect(InspectRun inspect) {
    List<String> up = new ArrayList<>();
    for (akka.cluster.Member m : Cluster.get(getContext().getSystem()).state().getMembers()) {
      if (m.status() == akka.cluster.MemberStatus.up() && m.hasRole(Hosting.ROLE)) {
        up.add(m.address().toString());
      }
    }
    if (run == null || run.phase != Phase.RUNNING) {
      inspect.replyTo().tell(new Inspection("", up, List.of(), List.of(), 0));
      return this;
    }
    List<String> ids = inspect.devices().isEmpty()
        ? run.deviceIds.subList(0, Math.min(run.deviceIds.size(), Math.max(0, inspect.maxDevices())))
        : inspect.devices();
    String name = run.scenario.name() + " (" + run.tally.accounted() + " of " + run.deviceIds.size() + " devices done)";
    getContext().spawnAnonymous(InspectionGatherer.create(name, up, run.domains, ids, inspect.replyTo()));
    return this;
  }

  /** The singleton's behaviour: a coordinator that fails starts afresh (its run is lost; the client times out). */
  public static Behavior<Command> create() {
    return Behaviors.supervise(
            Behaviors.<Command>setup(context -> Behaviors.withTimers(timers -> new RunCoordinator(context, timers))))
        .onFailure(SupervisorStrategy.restart());
  }

  private final TimerScheduler<Command> timers;
  private final ClusterSharding sharding;
  private final ActorRefResolver resolver;
  private final Chunk.Assembly assembly;
  private final ActorRef<NodeRunner.Prepared> preparedAdapter;
  private final ActorRef<ArbiterReport> arbiterAdapter;
  private final ActorRef<DeviceEntity.Report> deviceAdapter;
  private final ActorRef<NodeRunner.NodeProgress> progressAdapter;
  private final ActorRef<Chunk> chunkAdapter;
  private final ActorRef<ReclaimWatch.Reclaimed> reclaimAdapter;
  /** How long a node may miss heartbeats before the cluster counts it unreachable. */
  private final Duration acceptablePause;
  private Set<ActorRef<NodeRunner.Command>> runners = Set.of();
  private Run run;

  private RunCoordinator(ActorContext<Command> context, TimerScheduler<Command> timers) {
    super(context);
    this.timers = timers;
    this.sharding = ClusterSharding.get(context.getSystem());
    this.resolver = ActorRefResolver.get(context.getSystem());
    this.assembly = new Chunk.Assembly(context.getSystem());
    this.preparedAdapter = context.messageAdapter(NodeRunner.Prepared.class, WrappedPrepared::new);
    this.arbiterAdapter = context.messageAdapter(ArbiterReport.class, WrappedArbiter::new);
    this.deviceAdapter = context.messageAdapter(DeviceEntity.Report.class, WrappedDevice::new);
    this.progressAdapter = context.messageAdapter(NodeRunner.NodeProgress.class, WrappedProgress::new);
    this.chunkAdapter = context.messageAdapter(Chunk.class, WrappedChunk::new);
    this.reclaimAdapter = context.messageAdapter(ReclaimWatch.Reclaimed.class, WrappedReclaim::new);
    this.acceptablePause =
        context.getSystem().settings().config().getDuration("akka.cluster.failure-detector.acceptable-heartbeat-pause");
    ActorRef<Receptionist.Listing> listings = context.messageAdapter(
        Receptionist.Listing.class, listing -> new RunnersListed(listing.getServiceInstances(NodeRunner.KEY)));
    context.getSystem().receptionist().tell(Receptionist.subscribe(NodeRunner.KEY, listings));
    ActorRef<ClusterEvent.MemberRemoved> removals =
        context.messageAdapter(ClusterEvent.MemberRemoved.class, removed -> new MemberGone(removed.member().address()));
    Cluster.get(context.getSystem()).subscriptions().tell(Subscribe.create(removals, ClusterEvent.MemberRemoved.class));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(SubmitRun.class, this::onSubmit)
        .onMessage(InspectRun.class, this::onInspect)
        .onMessage(RunnersListed.class, this::onRunnersListed)
        .onMessage(WrappedPrepared.class, this::onPrepared)
        .onMessage(WrappedStats.class, this::onStats)
        .onMessage(CheckPlacement.class, this::onCheckPlacement)
        .onMessage(WrappedArbiter.class, this::onArbiter)
        .onMessage(WrappedDevice.class, this::onDevice)
        .onMessage(Poll.class, this::onPoll)
        .onMessage(WrappedProgress.class, this::onProgress)
        .onMessage(Stalled.class, this::onStalled)
        .onMessage(WrappedChunk.class, this::onChunk)
        .onMessage(PhaseTimedOut.class, this::onPhaseTimedOut)
        .onMessage(ClientGone.class, this::onClientGone)
        .onMessage(RunnerGone.class, this::onRunnerGone)
        .onMessage(NodeFaultDue.class, this::onNodeFaultDue)
        .onMessage(FaultClockLimit.class, this::onFaultClockLimit)
        .onMessage(ArbiterCrashDue.class, this::onArbiterCrashDue)
        .onMessage(MemberGone.class, this::onMemberGone)
        .onMessage(InjectorWaitOver.class, this::onInjectorWaitOver)
        .onMessage(ReclaimGraceOver.class, this::onReclaimGraceOver)
        .onMessage(NodeFaultDone.class, this::onNodeFaultDone)
        .onMessage(WrappedReclaim.class, this::onReclaim)
        .onMessage(InjectFault.class, this::onInjectFault)
        .build();
  }

  // ---- Submission and preparation ---------------------------------------------------------------

  private Behavior<Command> onSubmit(SubmitRun submit) {
    if (run != null) {
      submit.replyTo().tell(new RunRejected(submit.runId(), "the cluster is running " + run.id()));
      return this;
    }
    ScenarioLoader.Loaded loaded = ScenarioLoader.fromText(submit.scenario(), Path.of(submit.runId() + ".conf"));
    if (!loaded.isValid()) {
      submit.replyTo().tell(new RunRejected(submit.runId(), "the scenario does not load: " + loaded.problems()));
      return this;
    }
    String refusal = nodeFaultRefusal(loaded.scenario(), submit.nodeAddresses());
    if (refusal != null) {
      submit.replyTo().tell(new RunRejected(submit.runId(), refusal));
      return this;
    }
    run = new Run(submit, loaded.scenario(), getContext().getSystem().settings().config());
    for (Fault.NodeFault f : loaded.scenario().faultPlan().ofType(Fault.NodeFault.class)) {
      run.nodeFaults.put(f.id(), new NodeFaultState(f, submit.nodeAddresses().get(f.node() - 1)));
    }
    getContext().watchWith(submit.replyTo(), new ClientGone(submit.runId()));
    getContext().getLog().info("run {}: {} devices, waiting for {} nodes", run.id(), run.deviceIds.size(),
        submit.expectedNodes());
    enter(Phase.WAITING_FOR_NODES);
    return prepareIfEnoughNodes();
  }

  /** Why the run's node faults cannot be carried out, or {@code null} if they can. */
  private static String nodeFaultRefusal(Scenario scenario, List<String> addresses) {
    for (Fault.NodeFault f : scenario.faultPlan().ofType(Fault.NodeFault.class)) {
      if (addresses.isEmpty()) {
        return "fault " + f.id() + " (" + f.kind().planName() + ") needs the node processes of 'dmaemu cluster --nodes N'";
      }
      if (f.node() > addresses.size()) {
        return "fault " + f.id() + " (" + f.kind().planName() + ") names node " + f.node() + ", but the run has "
            + addresses.size() + " nodes";
      }
    }
    return null;
  }

  private Behavior<Command> onRunnersListed(RunnersListed listed) {
    runners = listed.runners();
    return run != null && run.phase == Phase.WAITING_FOR_NODES ? prepareIfEnoughNodes() : this;
  }

  private Behavior<Command> prepareIfEnoughNodes() {
    if (runners.size() < Math.max(1, run.submit.expectedNodes())) {
      return this;
    }
    // Numbered by address, so that a node keeps its number (the trace's pid) from run to run.
    List<ActorRef<NodeRunner.Command>> ordered = new ArrayList<>(runners);
    ordered.sort(Comparator.comparing(resolver::toSerializationFormat));
    run.runners = ordered;
    long epoch = NodeClock.wallClockMicros();
    enter(Phase.PREPARING);
    String text = run.submit.scenario();
    for (int i = 0; i < ordered.size(); i++) {
      ActorRef<NodeRunner.Command> r = ordered.get(i);
      run.indexByNode.put(addressOf(r), i + 1);
      getContext().watchWith(r, new RunnerGone(run.id(), r));
      run.watched.add(r);
      r.tell(new NodeRunner.PrepareRun(run.id(), text, epoch, i + 1, run.submit.trace(), preparedAdapter));
    }
    return this;
  }

  private Behavior<Command> onPrepared(WrappedPrepared wrapped) {
    NodeRunner.Prepared p = wrapped.prepared();
    if (run == null || !p.runId().equals(run.id()) || (run.phase != Phase.PREPARING && run.phase != Phase.WIRING)) {
      return this;
    }
    if (p.error() != null) {
      return abort("node " + p.node() + ": " + p.error());
    }
    run.answered.add(p.node());
    if (run.answered.size() < run.runners.size()) {
      return this;
    }
    return run.phase == Phase.PREPARING ? place() : startDevices();
  }

  /**
   * Waits until sharding knows a device region on every node of the run: a device whose shard is
   * placed before a node's region registered could not land there, and shards never move afterwards.
   */
  private Behavior<Command> place() {
    enter(Phase.PLACING);
    run.placingSinceNanos = System.nanoTime();
    return onCheckPlacement(new CheckPlacement(run.id()));
  }

  private Behavior<Command> onCheckPlacement(CheckPlacement check) {
    if (isPhase(check.runId(), Phase.PLACING)) {
      String runId = run.id();
      sharding.shardState().tell(new GetClusterShardingStats(DeviceEntity.TYPE_KEY, Duration.ofSeconds(5),
          getContext().messageAdapter(ShardRegion.ClusterShardingStats.class, stats -> new WrappedStats(runId, stats))));
    }
    return this;
  }

  private Behavior<Command> onStats(WrappedStats wrapped) {
    if (!isPhase(wrapped.runId(), Phase.PLACING)) {
      return this;
    }
    int regions = wrapped.stats().getRegions().size();
    if (regions >= run.runners.size()) {
      return startArbiters();
    }
    if (System.nanoTime() - run.placingSinceNanos > PLACEMENT_LIMIT.toNanos()) {
      getContext().getLog().warn("run {}: sharding knows device regions on {} of {} nodes; starting anyway",
          run.id(), regions, run.runners.size());
      return startArbiters();
    }
    timers.startSingleTimer(new CheckPlacement(run.id()), Duration.ofMillis(200));
    return this;
  }

  // ---- Arbiters ---------------------------------------------------------------------------------

  private Behavior<Command> startArbiters() {
    enter(Phase.STARTING_ARBITERS);
    if (run.arbiters() == 0) {
      return wire();
    }
    for (AdapterDomainSpec d : run.scenario.topology().adapterDomains()) {
      sharding.entityRefFor(ArbiterEntity.Kind.ADAPTER_DOMAIN.typeKey, d.name()).tell(new ArbiterEntity.Start(run.id(), arbiterAdapter));
    }
    for (BusSpec b : run.scenario.topology().buses()) {
      sharding.entityRefFor(ArbiterEntity.Kind.BUS.typeKey, b.name()).tell(new ArbiterEntity.Start(run.id(), arbiterAdapter));
    }
    return this;
  }

  private Behavior<Command> onArbiter(WrappedArbiter wrapped) {
    ArbiterReport r = wrapped.report();
    if (run == null || !r.runId().equals(run.id())) {
      return this;
    }
    if (run.phase == Phase.STARTING_ARBITERS) {
      if (r instanceof ArbiterReport.NotStarted n) {
        return abort("arbiter " + n.name() + " on " + n.node() + ": " + n.reason());
      } else if (r instanceof ArbiterReport.DomainStarted d && !containsDomain(d.name())) {
        run.domains.add(d);
        run.arbitersByNode.computeIfAbsent(d.node(), k -> new ArrayList<>()).add("domain " + d.name());
      } else if (r instanceof ArbiterReport.BusStarted b && !containsBus(b.name())) {
        run.buses.add(b);
        run.arbitersByNode.computeIfAbsent(b.node(), k -> new ArrayList<>()).add("bus " + b.name());
      }
      return run.domains.size() + run.buses.size() == run.arbiters() ? wire() : this;
    }
    if (run.phase == Phase.STOPPING_ARBITERS && r instanceof ArbiterReport.Stopped) {
      run.answered.add(r.name());
      return run.answered.size() >= run.arbiters() ? collect() : this;
    }
    return this;
  }

  private boolean containsDomain(String name) {
    return run.domains.stream().anyMatch(d -> d.name().equals(name));
  }

  private boolean containsBus(String name) {
    return run.buses.stream().anyMatch(b -> b.name().equals(name));
  }

  /** Every node learns where the arbiters are, and builds its devices' plans with their addresses. */
  private Behavior<Command> wire() {
    enter(Phase.WIRING);
    for (ActorRef<NodeRunner.Command> r : run.runners) {
      r.tell(new NodeRunner.UseArbiters(run.id(), run.domains, run.buses, preparedAdapter));
    }
    return this;
  }

  // ---- Devices ----------------------------------------------------------------------------------

  private Behavior<Command> startDevices() {
    enter(Phase.RUNNING);
    run.startNanos = System.nanoTime();
    for (String id : run.deviceIds) {
      sharding.entityRefFor(DeviceEntity.TYPE_KEY, id).tell(new DeviceEntity.Start(run.id(), deviceAdapter));
    }
    timers.startTimerWithFixedDelay(POLL_TIMER, new Poll(run.id()), POLL_EVERY);
    timers.startSingleTimer(STALL_TIMER, new Stalled(run.id()), run.stallTimeout);
    if (run.hasTimedFaults()) {
      timers.startSingleTimer(FAULT_CLOCK_TIMER, new FaultClockLimit(run.id()), FAULT_CLOCK_LIMIT);
    }
    return this;
  }

  /**
   * Timed faults (node faults, arbiter crashes) count their {@code at} from the moment every device
   * of the run has started (as the nodes' progress reports and the devices' answers tell): sharding
   * places a run's devices over a few seconds, and a node that stops or goes while it does holds up
   * the start of every device still waiting for a place, not only its own.
   */
  private void startFaultClockIfAllStarted() {
    if (run.faultClockStarted || !run.hasTimedFaults()) {
      return;
    }
    int started = run.placedOn.size();
    for (String id : run.answeredDevices) {
      if (!run.placedOn.containsKey(id)) {
        started++;
      }
    }
    if (started >= run.deviceIds.size()) {
      startFaultClock();
    }
  }

  private void startFaultClock() {
    run.faultClockStarted = true;
    timers.cancel(FAULT_CLOCK_TIMER);
    getContext().getLog().info("run {}: timed faults count from now", run.id());
    for (NodeFaultState f : run.nodeFaults.values()) {
      if (f.waitsFor == null) {
        scheduleNodeFault(f.fault);
      }
    }
    for (Fault.ArbiterCrash c : run.crashesById.values()) {
      scheduleArbiterCrash(c);
    }
  }

  private void scheduleNodeFault(Fault.NodeFault f) {
    timers.startSingleTimer(NODE_FAULT_TIMER + f.id(), new NodeFaultDue(run.id(), f.id()), real(f.at()));
  }

  private void scheduleArbiterCrash(Fault.ArbiterCrash c) {
    timers.startSingleTimer(ARBITER_CRASH_TIMER + c.id(), new ArbiterCrashDue(run.id(), c.id()), real(c.at()));
  }

  /** {@code address} if it is a member that hosts nothing (a client, which leaves when it is done), else {@code null}. */
  private Address leavingClient(Address address) {
    for (Member m : Cluster.get(getContext().getSystem()).state().getMembers()) {
      if (m.address().equals(address) && !m.hasRole(Hosting.ROLE)) {
        return address;
      }
    }
    return null;
  }

  private Behavior<Command> onMemberGone(MemberGone gone) {
    if (run != null) {
      for (NodeFaultState f : run.nodeFaults.values()) {
        if (gone.address().equals(f.waitsFor)) {
          releaseLiveNodeFault(f);
        }
      }
    }
    return this;
  }

  private Behavior<Command> onInjectorWaitOver(InjectorWaitOver over) {
    NodeFaultState f = run == null || !run.id().equals(over.runId()) ? null : run.nodeFaults.get(over.faultId());
    if (f != null && f.waitsFor != null) {
      getContext().getLog().warn("run {}: fault {}: the client that injected it is still a member after {} s; acting anyway",
          run.id(), f.fault.id(), INJECTOR_WAIT.toSeconds());
      releaseLiveNodeFault(f);
    }
    return this;
  }

  /** The live node fault's client is gone (or waited for long enough): its {@code at} counts from now. */
  private void releaseLiveNodeFault(NodeFaultState f) {
    f.waitsFor = null;
    timers.cancel(INJECTOR_TIMER + f.fault.id());
    if (run.faultClockStarted) {
      scheduleNodeFault(f.fault);
    }
  }

  /** An arbiter crash is due: the domain's entity crashes its lock and pool, which rebuild. */
  private Behavior<Command> onArbiterCrashDue(ArbiterCrashDue due) {
    if (!isPhase(due.runId(), Phase.RUNNING)) {
      return this;
    }
    Fault.ArbiterCrash c = run.crashesById.get(due.faultId());
    if (c != null) {
      getContext().getLog().info("run {}: fault {} due: {}", run.id(), c.id(), c.describe());
      sharding.entityRefFor(ArbiterEntity.Kind.ADAPTER_DOMAIN.typeKey, c.adapterDomain())
          .tell(new ArbiterEntity.Crash(run.id(), c.id()));
    }
    return this;
  }

  private Behavior<Command> onFaultClockLimit(FaultClockLimit limit) {
    if (isPhase(limit.runId(), Phase.RUNNING) && !run.faultClockStarted) {
      getContext().getLog().warn("run {}: the nodes reported {} of {} devices started within {} s; timed faults count from now",
          run.id(), run.placedOn.size(), run.deviceIds.size(), FAULT_CLOCK_LIMIT.toSeconds());
      startFaultClock();
    }
    return this;
  }

  /** Real time for a modeled duration of this run. */
  private Duration real(Duration modeled) {
    return Duration.ofNanos((long) (modeled.toNanos() / run.scenario.run().timeScale()));
  }

  private Behavior<Command> onDevice(WrappedDevice wrapped) {
    DeviceEntity.Report r = wrapped.report();
    if (!isPhase(r.runId(), Phase.RUNNING)) {
      // A late answer after the run stalled: the summary counts the device as unaccounted.
      return this;
    }
    String deviceId = r instanceof DeviceEntity.Ended ended ? ended.outcome().deviceId() : ((DeviceEntity.NotRun) r).deviceId();
    if (run.answeredDevices.contains(deviceId)) {
      // A device started again after a node loss that had in fact answered already: counted once.
      return this;
    }
    if (r instanceof DeviceEntity.Ended e) {
      run.tally.add(e.outcome());
      run.devicesByNode.merge(e.node(), 1, Integer::sum);
      run.answeredDevices.add(e.outcome().deviceId());
    } else {
      DeviceEntity.NotRun n = (DeviceEntity.NotRun) r;
      run.notRun++;
      run.problems.add("device " + n.deviceId() + " did not run on " + n.node() + ": " + n.reason());
      run.answeredDevices.add(n.deviceId());
    }
    for (LostNode lost : run.lost.values()) {
      // Its answer overtook the news of its node's loss: it is accounted, not lost.
      lost.devices.remove(deviceId);
    }
    if (run.allDevicesAnswered()) {
      return stopArbiters();
    }
    startFaultClockIfAllStarted();
    timers.startSingleTimer(STALL_TIMER, new Stalled(run.id()), run.stallTimeout);
    return this;
  }

  private Behavior<Command> onPoll(Poll poll) {
    if (!isPhase(poll.runId(), Phase.RUNNING)) {
      return this;
    }
    long ended = run.endedByNode.values().stream().mapToLong(Long::longValue).sum();
    run.submit.replyTo().tell(new RunProgress(run.id(), ended, run.expectedRequests));
    if (!run.lost.isEmpty()) {
      startUnplaced();
    }
    for (ActorRef<NodeRunner.Command> r : run.runners) {
      r.tell(new NodeRunner.GetProgress(run.id(), progressAdapter, run.knownStarted.getOrDefault(addressOf(r), 0)));
    }
    return this;
  }

  private Behavior<Command> onProgress(WrappedProgress wrapped) {
    NodeRunner.NodeProgress p = wrapped.progress();
    if (run != null && p.runId().equals(run.id()) && !run.lost.containsKey(p.node())) {
      run.endedByNode.put(p.node(), p.ended());
      long ended = run.endedByNode.values().stream().mapToLong(Long::longValue).sum();
      if (ended > run.endedAtLastAdvance && run.phase == Phase.RUNNING) {
        // Requests still end: the run is not stalled, however long its devices take to finish.
        run.endedAtLastAdvance = ended;
        timers.startSingleTimer(STALL_TIMER, new Stalled(run.id()), run.stallTimeout);
      }
      run.lastProgress.put(p.node(), p);
      int known = run.knownStarted.getOrDefault(p.node(), 0);
      List<String> started = p.started();
      for (int i = Math.max(0, known - p.startedFrom()); i < started.size(); i++) {
        run.placedOn.put(started.get(i), p.node());
      }
      run.knownStarted.put(p.node(), Math.max(known, p.startedFrom() + started.size()));
      if (run.phase == Phase.RUNNING) {
        startFaultClockIfAllStarted();
      }
    }
    return this;
  }

  private Behavior<Command> onStalled(Stalled stalled) {
    if (isPhase(stalled.runId(), Phase.RUNNING) && nodeLossPending()) {
      // Devices wait for what a killed node held until the cluster removes it and the arbiters take it back.
      timers.startSingleTimer(STALL_TIMER, new Stalled(run.id()), run.stallTimeout);
      return this;
    }
    if (isPhase(stalled.runId(), Phase.RUNNING)) {
      List<String> silent = run.deviceIds.stream().filter(id -> !run.answeredDevices.contains(id)).limit(10).toList();
      getContext().getLog().warn("run {}: {} of {} devices gave no final answer; none answered and no request ended for {} ms (e.g. {})",
          run.id(), run.deviceIds.size() - run.tally.accounted() - run.notRun - run.lostDevices(), run.deviceIds.size(),
          run.stallTimeout.toMillis(), String.join(", ", silent));
      return stopArbiters();
    }
    return this;
  }

  // ---- Lost nodes and node faults ---------------------------------------------------------------

  /**
   * Whether a node crash was carried out and the cluster has not removed its node yet, within
   * {@link #NODE_LOSS_PATIENCE} of the signal: the failure detector and the split brain resolver
   * take their time, and the run waits for them rather than counting as stalled.
   */
  private boolean nodeLossPending() {
    long now = NodeClock.wallClockMicros();
    for (NodeFaultState f : run.nodeFaults.values()) {
      if (f.fault.kind() == Fault.NodeFaultKind.CRASH && f.executedWallMicros > 0 && !run.lost.containsKey(f.address)
          && now - f.executedWallMicros < NODE_LOSS_PATIENCE.toNanos() / 1000) {
        return true;
      }
    }
    return false;
  }

  /**
   * A node's runner is gone: the node left or was downed and removed. Before the devices start the
   * run cannot go on without it; after, the run goes on with the others and accounts for it.
   */
  /**
   * The trace learns which devices a node fault took, one {@code FaultInjected} instant each: their
   * events stop there, and the invariant check counts what they left unfinished as injected.
   */
  private void traceLoss(Fault.NodeFault fault, String node, Set<String> lostIds) {
    ActorRef<TraceWriter.Command> trace = run.submit.trace();
    if (trace == null) {
      return;
    }
    long now = NodeClock.get(getContext().getSystem()).nowMicros();
    String what = fault.kind().planName() + ": lost with node " + node;
    lostIds.stream().sorted().forEach(id -> trace.tell(new TraceWriter.Record(
        new TraceEvent("FaultInjected", "i", now, 0, id, Map.of("fault", fault.id(), "device", id, "what", what)))));
  }

  private Behavior<Command> onRunnerGone(RunnerGone gone) {
    if (run == null || !run.id().equals(gone.runId())) {
      return this;
    }
    String node = addressOf(gone.runner());
    if (run.lost.containsKey(node) || !run.runners.contains(gone.runner())) {
      return this;
    }
    NodeFaultState fault = run.faultOn(node);
    if (fault != null) {
      fault.removedWallMicros = NodeClock.wallClockMicros();
    }
    if (run.phase.compareTo(Phase.RUNNING) < 0) {
      return abort("node " + node + " left the cluster before the devices started"
          + (fault == null ? "" : " (fault " + fault.fault.id() + ")"));
    }
    List<ActorRef<NodeRunner.Command>> remaining = new ArrayList<>(run.runners);
    remaining.remove(gone.runner());
    run.runners = remaining;
    if (run.metrics.containsKey(node)) {
      // It handed its metrics in before it went: nothing of it is lost.
      return allRunnersAnswered() && run.phase == Phase.COLLECTING ? conclude() : this;
    }
    NodeRunner.NodeProgress last = run.lastProgress.get(node);
    Set<String> lostIds = new HashSet<>();
    List<String> unplaced = new ArrayList<>();
    for (String id : run.deviceIds) {
      if (run.answeredDevices.contains(id)) {
        continue;
      }
      String on = run.placedOn.get(id);
      if (node.equals(on)) {
        lostIds.add(id);
      } else if (on == null) {
        unplaced.add(id);
      }
    }
    int lostDevices = lostIds.size();
    LostNode lost = new LostNode(node, last, fault == null ? null : fault.fault.id(), lostIds);
    run.lost.put(node, lost);
    if (fault != null) {
      traceLoss(fault.fault, node, lostIds);
    }
    getContext().getLog().warn("run {}: node {} is gone ({}): {} devices lost with it, {} requests open at its last report; "
            + "{} devices whose start no node has reported are started again",
        run.id(), node, fault == null ? "no fault of the run explains it" : "fault " + fault.fault.id(), lostDevices,
        lost.open(), unplaced.size());
    if (run.phase == Phase.RUNNING) {
      startUnplaced();
    }
    if (fault == null) {
      run.problems.add("node " + node + " left the run while it ran, and no node fault of the scenario explains it: "
          + lostDevices + " devices and their " + lost.open() + " open requests are unaccounted");
    }
    if (!run.arbitersByNode.getOrDefault(node, List.of()).isEmpty()) {
      run.problems.add("node " + node + " held " + String.join(", ", run.arbitersByNode.get(node))
          + " when it was lost: the devices on the other nodes that use them could not go on");
    }
    switch (run.phase) {
      case RUNNING:
        if (!run.allDevicesAnswered()) {
          return this;
        }
        if (fault != null && fault.watch != null) {
          // The arbiters hear of the loss when this coordinator does: give the reclaim watch a moment to see them act.
          timers.startSingleTimer(new ReclaimGraceOver(run.id()), RECLAIM_GRACE);
          return this;
        }
        return stopArbiters();
      case COLLECTING:
        return allRunnersAnswered() ? conclude() : this;
      default:
        return this;
    }
  }

  private Duration pauseLength(Fault.NodeFault fault) {
    return fault.kind() == Fault.NodeFaultKind.PAUSE ? real(fault.length()) : Duration.ZERO;
  }

  /** Why the node fault cannot be carried out on the node at {@code address} now, or {@code null}. */
  private String nodeFaultObstacle(Fault.NodeFault fault, String address) {
    Duration length = pauseLength(fault);
    List<String> held = run.arbitersByNode.getOrDefault(address, List.of());
    if (run.lost.containsKey(address)) {
      return "node " + fault.node() + " (" + address + ") was lost already";
    } else if (!held.isEmpty() && (fault.kind() == Fault.NodeFaultKind.CRASH || length.compareTo(acceptablePause) >= 0)) {
      return "node " + fault.node() + " (" + address + ") holds " + String.join(", ", held)
          + ": devices on the other nodes reach a shared arbiter directly, so they would wait for it to the end "
          + "(sharding would start it again elsewhere only empty, and no device would learn its new address)"
          + (fault.kind() == Fault.NodeFaultKind.PAUSE
              ? "; a pause of " + length.toMillis() + " ms there is not shorter than the failure detector's "
                  + acceptablePause.toMillis() + " ms, so the node would be downed"
              : "");
    }
    return null;
  }

  private Behavior<Command> onNodeFaultDue(NodeFaultDue due) {
    if (run == null || !run.id().equals(due.runId())) {
      return this;
    }
    NodeFaultState f = run.nodeFaults.get(due.faultId());
    if (run.phase != Phase.RUNNING || f == null) {
      return this;
    }
    Duration length = pauseLength(f.fault);
    String why = nodeFaultObstacle(f.fault, f.address);
    if (why != null) {
      f.outcome = "refused";
      f.detail = why;
      getContext().getLog().warn("run {}: fault {} ({}) refused: {}", run.id(), f.fault.id(), f.fault.describe(), why);
      return this;
    }
    f.outcome = "due";
    f.detail = "sent to the submitting side to carry out";
    f.executedWallMicros = NodeClock.wallClockMicros();
    if (f.fault.kind() == Fault.NodeFaultKind.CRASH && !run.domains.isEmpty()) {
      f.watch = getContext().spawnAnonymous(ReclaimWatch.create(run.id(), f.fault.id(), run.domains, reclaimAdapter));
    }
    getContext().getLog().info("run {}: fault {} due: {} on {}", run.id(), f.fault.id(), f.fault.describe(), f.address);
    run.submit.replyTo().tell(new ExecuteNodeFault(run.id(), f.fault.id(), f.fault.kind(), f.fault.node(),
        f.fault.at().toNanos() / 1000, f.fault.length().toNanos() / 1000, length.toMillis()));
    return this;
  }

  private Behavior<Command> onNodeFaultDone(NodeFaultDone done) {
    if (run == null || !run.id().equals(done.runId()) || !run.nodeFaults.containsKey(done.faultId())) {
      return this;
    }
    NodeFaultState f = run.nodeFaults.get(done.faultId());
    if (done.error() != null) {
      f.outcome = "failed";
      f.detail = done.error();
      f.executedWallMicros = 0;
      if (f.watch != null) {
        getContext().stop(f.watch);
        f.watch = null;
      }
      run.problems.add("fault " + f.fault.id() + " (" + f.fault.describe() + ") could not be carried out: " + done.error());
      return this;
    }
    f.outcome = "executed";
    f.detail = done.what();
    f.executedWallMicros = done.wallMicros();
    return this;
  }

  private Behavior<Command> onReclaim(WrappedReclaim wrapped) {
    ReclaimWatch.Reclaimed r = wrapped.reclaimed();
    if (run == null || !run.id().equals(r.runId()) || !run.nodeFaults.containsKey(r.faultId())) {
      return this;
    }
    NodeFaultState f = run.nodeFaults.get(r.faultId());
    if (f.firstReclaimWallMicros == 0) {
      f.firstReclaimWallMicros = r.wallMicros();
      getContext().getLog().info("run {}: adapter domain {} took back what holders on {} held, {} ms after fault {}",
          run.id(), r.domain(), f.address, (r.wallMicros() - f.executedWallMicros) / 1000, f.fault.id());
    }
    f.reclaimedByDomain.put(r.domain(), new long[] {r.locks(), r.registers()});
    return this;
  }

  private Behavior<Command> onReclaimGraceOver(ReclaimGraceOver over) {
    return isPhase(over.runId(), Phase.RUNNING) ? stopArbiters() : this;
  }

  private void stopReclaimWatches() {
    for (NodeFaultState f : run.nodeFaults.values()) {
      if (f.watch != null) {
        getContext().stop(f.watch);
        f.watch = null;
      }
    }
  }

  /**
   * A lost node's share of the run's totals: its requests as of its last progress report, the
   * ones open then aborted by the fault that took the node (without one they stay unaccounted).
   * Its latencies, waits, intervals and per-device numbers went with it.
   */
  private ScenarioMetrics.Totals lostShare(LostNode l) {
    List<ScenarioMetrics.GroupWindow> groups = new ArrayList<>();
    FaultTally faults = FaultTally.NONE;
    if (l.last != null) {
      Map<String, Map<String, Long>> aborted = new LinkedHashMap<>();
      for (ScenarioMetrics.RequestCounts c : l.last.requests()) {
        groups.add(new ScenarioMetrics.GroupWindow(
            c.group(), c.submitted(), c.completed(), c.failed(), c.cancelled(), 0, 0, Map.of()));
        long open = c.submitted() - c.completed() - c.failed() - c.cancelled() - l.last.faults().aborted(c.group());
        if (l.faultId != null && open > 0) {
          aborted.put(c.group(), Map.of(l.faultId, open));
        }
      }
      faults = l.last.faults().plus(new FaultTally(aborted, Map.of(), Map.of()));
    }
    return new ScenarioMetrics.Totals(groups, List.of(), Map.of(), Map.of(), null, 0, 0, faults);
  }

  /** The node faults that were carried out, as the run's fault tally counts them: once each, with the devices they took. */
  private ScenarioMetrics.Totals nodeFaultTally() {
    Map<String, Long> injected = new LinkedHashMap<>();
    Map<String, Long> devices = new LinkedHashMap<>();
    for (NodeFaultState f : run.nodeFaults.values()) {
      if (f.executedWallMicros > 0) {
        injected.put(f.fault.id(), 1L);
        LostNode l = run.lost.get(f.address);
        devices.put(f.fault.id(), l == null ? 0L : (long) l.devices.size());
      }
    }
    return new ScenarioMetrics.Totals(
        List.of(), List.of(), Map.of(), Map.of(), null, 0, 0, new FaultTally(Map.of(), injected, devices));
  }

  /**
   * After a node loss: Start again every device that has not answered and that no node has reported
   * starting. Its Start may have been on its way to the lost node (or waiting for a shard home
   * there), or it may have started there after the node's last report; its shard now moves to a
   * node that is left, where it starts. Sent again at every poll until a node reports it, since a
   * Start sent before sharding has noticed the loss goes to the lost node too. A device that runs
   * elsewhere ignores the repeated Start, and one that ran on a node and answered is not run there
   * again ({@link StartedDevices}).
   */
  private void startUnplaced() {
    for (String id : run.deviceIds) {
      if (!run.answeredDevices.contains(id) && !run.placedOn.containsKey(id)) {
        sharding.entityRefFor(DeviceEntity.TYPE_KEY, id).tell(new DeviceEntity.Start(run.id(), deviceAdapter));
      }
    }
  }

  /** The address of the node an actor lives on, as that node names itself ({@code akka://dmaemu@HOST:PORT}). */
  private String addressOf(ActorRef<?> ref) {
    String s = resolver.toSerializationFormat(ref);
    int slash = s.indexOf('/', s.indexOf("://") + 3);
    return slash < 0 ? s : s.substring(0, slash);
  }

  // ---- Live injection ----------------------------------------------------------------------------

  /**
   * Checks the fault against the running scenario as a {@code --fault} flag would be checked, with
   * the faults injected before it: it must read, name what exists, and have an id of its own
   * ({@code live-N} if it names none). A timed fault's {@code at} counts from now (or from when every
   * device has started, if later), 0 if not given. A node fault needs a submitting side that owns
   * the nodes' processes, and a node it may hit.
   */
  private Behavior<Command> onInjectFault(InjectFault inject) {
    if (run == null || run.phase != Phase.RUNNING) {
      inject.replyTo().tell(new InjectResult(InjectResult.Outcome.NO_RUN, "", "", 0, 0, List.of(run == null
          ? "no run is running on this cluster"
          : "run " + run.id() + " (" + run.scenario.name() + ") is not running its devices now ("
              + run.phase.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + ")")));
      return this;
    }
    String base = ScenarioLoader.resolved(run.scenario.withFaults(List.copyOf(run.live)));
    Path source = Path.of(run.scenario.name() + ".conf");
    String flag = TIMED_TYPES.contains(typeOf(inject.fault())) ? withDefaults(inject.fault(), "at = 0ms") : inject.fault();
    ScenarioLoader.Loaded asGiven = ScenarioLoader.fromText(base, source, List.of(flag));
    if (!asGiven.isValid()) {
      return badFault(inject, asGiven);
    }
    Fault given = asGiven.scenario().faults().get(asGiven.scenario().faults().size() - 1);
    if (given instanceof Fault.NodeFault n) {
      String refusal = liveNodeFaultRefusal(n);
      if (refusal != null) {
        inject.replyTo().tell(new InjectResult(InjectResult.Outcome.BAD_FAULT, "", "", 0, 0, List.of(refusal)));
        return this;
      }
    }
    ScenarioLoader.Loaded named =
        ScenarioLoader.fromText(base, source, List.of(withDefaults(flag, "id = \"live-" + (run.live.size() + 1) + "\"")));
    if (!named.isValid()) {
      return badFault(inject, named);
    }
    Fault fault = named.scenario().faults().get(named.scenario().faults().size() - 1);
    run.live.add(fault);
    getContext().getLog().info("run {}: fault {} injected: {}", run.id(), fault.id(), fault.describe());
    // A timed fault counts its at from now, or from when every device has started if that is later.
    if (fault instanceof Fault.ArbiterCrash crash) {
      run.crashesById.put(crash.id(), crash);
      if (run.faultClockStarted) {
        scheduleArbiterCrash(crash);
      }
    } else if (fault instanceof Fault.NodeFault n) {
      NodeFaultState state = new NodeFaultState(n, run.submit.nodeAddresses().get(n.node() - 1));
      run.nodeFaults.put(n.id(), state);
      state.waitsFor = leavingClient(inject.replyTo().path().address());
      if (state.waitsFor != null) {
        timers.startSingleTimer(INJECTOR_TIMER + n.id(), new InjectorWaitOver(run.id(), n.id()), INJECTOR_WAIT);
      } else if (run.faultClockStarted) {
        scheduleNodeFault(n);
      }
    }
    if (!run.faultClockStarted && run.hasTimedFaults() && !timers.isTimerActive(FAULT_CLOCK_TIMER)) {
      timers.startSingleTimer(FAULT_CLOCK_TIMER, new FaultClockLimit(run.id()), FAULT_CLOCK_LIMIT);
    }
    getContext().spawnAnonymous(LiveInjection.create(run.id(), fault, run.runners, inject.replyTo()));
    return this;
  }

  private Behavior<Command> badFault(InjectFault inject, ScenarioLoader.Loaded loaded) {
    List<String> problems = new ArrayList<>();
    loaded.problems().forEach(p -> problems.add(p.toString()));
    inject.replyTo().tell(new InjectResult(InjectResult.Outcome.BAD_FAULT, "", "", 0, 0, problems));
    return this;
  }

  /** The fault types whose {@code at} an injection may leave out (0: at once). */
  private static final Set<String> TIMED_TYPES =
      Set.of("surprise-removal", "power-cycle", "arbiter-crash", "node-crash", "node-pause");

  /**
   * Why a node fault cannot join the running run, or {@code null}: only the side that owns the
   * nodes' processes ({@code dmaemu cluster}) can carry one out, on a node it started that is still
   * there and holds no shared arbiter (checked again when the fault is due).
   */
  private String liveNodeFaultRefusal(Fault.NodeFault fault) {
    List<String> addresses = run.submit.nodeAddresses();
    String what = "a " + fault.kind().planName() + " fault";
    if (addresses.isEmpty()) {
      return what + " cannot be injected into this run: only 'dmaemu cluster' owns its nodes' processes and can "
          + "carry one out; on a cluster you started yourself, stop or kill a node's process (docs/faults-cluster.md)";
    }
    if (fault.node() > addresses.size()) {
      return what + " names node " + fault.node() + ", but the run has " + addresses.size() + " nodes";
    }
    String obstacle = nodeFaultObstacle(fault, addresses.get(fault.node() - 1));
    return obstacle == null ? null : what + " cannot be carried out now: " + obstacle;
  }

  /** The {@code type} a {@code --fault} flag names, or {@code ""} if it names none readably (the reader then says why). */
  static String typeOf(String flag) {
    String text = flag.strip();
    if (!text.startsWith("{")) {
      int colon = text.indexOf(':');
      return (colon < 0 ? text : text.substring(0, colon)).strip();
    }
    try {
      Config c = ConfigFactory.parseString(text);
      return c.hasPath("type") ? c.getString("type") : "";
    } catch (ConfigException e) {
      return "";
    }
  }

  /**
   * The flag as a HOCON object with {@code defaults} (HOCON fields) first: a key given twice in one
   * object keeps its later value, so the flag's own keys win.
   */
  static String withDefaults(String flag, String defaults) {
    String text = flag.strip();
    String body;
    if (text.startsWith("{")) {
      int end = text.lastIndexOf('}');
      body = text.substring(1, end < 0 ? text.length() : end);
    } else {
      int colon = text.indexOf(':');
      String type = colon < 0 ? text : text.substring(0, colon);
      String rest = colon < 0 ? "" : text.substring(colon + 1).strip();
      body = "type = " + type + (rest.isEmpty() ? "" : ", " + rest);
    }
    return "{ " + defaults + ", " + body + " }";
  }

  // ---- The end ----------------------------------------------------------------------------------

  private Behavior<Command> stopArbiters() {
    timers.cancel(POLL_TIMER);
    timers.cancel(STALL_TIMER);
    stopReclaimWatches();
    run.tallyWallNanos = System.nanoTime() - run.startNanos;
    enter(Phase.STOPPING_ARBITERS);
    if (run.arbiters() == 0) {
      return collect();
    }
    tellArbitersToStop();
    return this;
  }

  private void tellArbitersToStop() {
    for (AdapterDomainSpec d : run.scenario.topology().adapterDomains()) {
      sharding.entityRefFor(ArbiterEntity.Kind.ADAPTER_DOMAIN.typeKey, d.name()).tell(new ArbiterEntity.Stop(run.id(), arbiterAdapter));
    }
    for (BusSpec b : run.scenario.topology().buses()) {
      sharding.entityRefFor(ArbiterEntity.Kind.BUS.typeKey, b.name()).tell(new ArbiterEntity.Stop(run.id(), arbiterAdapter));
    }
  }

  private Behavior<Command> collect() {
    enter(Phase.COLLECTING);
    for (ActorRef<NodeRunner.Command> r : run.runners) {
      r.tell(new NodeRunner.CollectMetrics(run.id(), chunkAdapter));
    }
    return this;
  }

  private Behavior<Command> onChunk(WrappedChunk wrapped) {
    Object whole = assembly.add(wrapped.chunk());
    if (!(whole instanceof NodeMetrics m) || !isPhase(m.runId(), Phase.COLLECTING)) {
      return this;
    }
    if (m.error() != null) {
      run.problems.add("node " + m.node() + " handed in no metrics: " + m.error());
    } else {
      run.metrics.put(m.node(), m);
    }
    run.answered.add(m.node());
    return allRunnersAnswered() ? conclude() : this;
  }

  private boolean allRunnersAnswered() {
    for (ActorRef<NodeRunner.Command> r : run.runners) {
      if (!run.answered.contains(addressOf(r))) {
        return false;
      }
    }
    return true;
  }

  private Behavior<Command> conclude() {
    if (run.metrics.isEmpty()) {
      return abort("no node handed in its metrics");
    }
    List<ScenarioMetrics.Totals> totals = new ArrayList<>();
    List<List<MetricsData.Interval>> intervals = new ArrayList<>();
    RunMetrics.Totals requests = RunMetrics.Totals.none();
    List<ClusterResult.NodeShare> shares = new ArrayList<>();
    for (NodeMetrics m : run.metrics.values()) {
      ScenarioMetrics.Totals t = m.totals().decoded();
      totals.add(t);
      intervals.add(m.intervals());
      requests = requests.plus(m.run().decoded());
      shares.add(new ClusterResult.NodeShare(
          m.node(), m.nodeIndex(), run.devicesByNode.getOrDefault(m.node(), 0),
          run.arbitersByNode.getOrDefault(m.node(), List.of()), m.ended(),
          count(t, ScenarioMetrics.Metric.ADAPTER_LOCK_WAIT), count(t, ScenarioMetrics.Metric.MAP_REGISTER_WAIT),
          count(t, ScenarioMetrics.Metric.BUS_WAIT)));
    }
    int explained = 0;
    for (LostNode l : run.lost.values()) {
      if (run.metrics.containsKey(l.node)) {
        continue;
      }
      totals.add(lostShare(l));
      if (l.faultId != null) {
        explained += l.devices.size();
      }
      shares.add(new ClusterResult.NodeShare(
          l.node, run.indexByNode.getOrDefault(l.node, 0), run.devicesByNode.getOrDefault(l.node, 0) + l.devices.size(),
          run.arbitersByNode.getOrDefault(l.node, List.of()), l.last == null ? 0 : l.last.ended(), 0, 0, 0, l.devices.size(),
          l.open(), l.faultId == null ? "unplanned" : l.faultId));
    }
    totals.add(nodeFaultTally());
    run.tally.lostWithNode(explained);
    List<MetricsData.Interval> merged = MetricsMerge.intervals(intervals);
    RunSummary summary = run.tally.summary(
        run.scenario.run().seed(), run.scenario.power().cycles(), false, Duration.ofNanos(run.tallyWallNanos),
        RunMetrics.summarize(requests));
    List<String> liveFaults = new ArrayList<>();
    for (Fault f : run.live) {
      liveFaults.add(ScenarioLoader.faultFlag(f));
    }
    List<ClusterResult.NodeFaultRecord> nodeFaults = new ArrayList<>();
    for (NodeFaultState f : run.nodeFaults.values()) {
      nodeFaults.add(f.record(run.lost.get(f.address)));
    }
    ClusterResult result = new ClusterResult(
        run.id(), summary, MetricsData.Totals.of(MetricsMerge.totals(totals)), merged, shares, run.problems, liveFaults,
        nodeFaults);
    ActorRef<ClientEvent> client = run.submit.replyTo();
    for (Chunk c : Chunk.split(getContext().getSystem(), run.id() + "/result", result, Chunk.SIZE)) {
      client.tell(new ResultChunk(run.id(), c));
    }
    getContext().getLog().info("run {}: {} devices accounted on {} nodes", run.id(), run.tally.accounted(),
        run.metrics.size());
    return forget();
  }

  private static long count(ScenarioMetrics.Totals t, ScenarioMetrics.Metric metric) {
    long n = 0;
    for (ScenarioMetrics.GroupWindow g : t.groups()) {
      n += g.histograms().get(metric).getTotalCount();
    }
    return n;
  }

  private Behavior<Command> onPhaseTimedOut(PhaseTimedOut timedOut) {
    if (!isPhase(timedOut.runId(), timedOut.phase())) {
      return this;
    }
    switch (timedOut.phase()) {
      case STOPPING_ARBITERS:
        run.problems.add("the arbiters did not confirm that they stopped");
        return collect();
      case COLLECTING:
        run.problems.add(run.runners.stream().filter(r -> !run.answered.contains(addressOf(r))).count()
            + " nodes did not hand in their metrics");
        return conclude();
      case WAITING_FOR_NODES:
        return abort(runners.size() + " of " + run.submit.expectedNodes() + " node runners registered after "
            + timedOut.phase().limit.toSeconds() + " s");
      default:
        return abort(timedOut.phase().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " took longer than "
            + timedOut.phase().limit.toSeconds() + " s (" + run.answered.size() + " of " + run.runners.size()
            + " nodes answered)");
    }
  }

  private Behavior<Command> onClientGone(ClientGone gone) {
    if (run != null && run.id().equals(gone.runId())) {
      getContext().getLog().warn("run {}: its client went away; giving the run up", run.id());
      return abort("the client went away");
    }
    return this;
  }

  private Behavior<Command> abort(String reason) {
    getContext().getLog().warn("run {} given up: {}", run.id(), reason);
    stopReclaimWatches();
    run.submit.replyTo().tell(new RunRejected(run.id(), reason));
    if (run.phase.compareTo(Phase.STARTING_ARBITERS) >= 0 && run.phase.compareTo(Phase.STOPPING_ARBITERS) < 0) {
      tellArbitersToStop();
    }
    return forget();
  }

  /** Every node forgets the run; the coordinator is free for the next. */
  private Behavior<Command> forget() {
    for (ActorRef<NodeRunner.Command> r : run.runners) {
      r.tell(new NodeRunner.EndRun(run.id()));
    }
    getContext().unwatch(run.submit.replyTo());
    run.watched.forEach(getContext()::unwatch);
    timers.cancelAll();
    assembly.clear();
    run = null;
    return this;
  }

  private void enter(Phase phase) {
    run.phase = phase;
    run.answered.clear();
    timers.cancel(PHASE_TIMER);
    if (phase.limit != null) {
      timers.startSingleTimer(PHASE_TIMER, new PhaseTimedOut(run.id(), phase), phase.limit);
    }
  }

  private boolean isPhase(String runId, Phase phase) {
    return run != null && run.id().equals(runId) && run.phase == phase;
  }
}
