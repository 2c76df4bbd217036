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
import akka.cluster.typed.Cluster;
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
import org.dmaemu.node.inspect.Inspection;
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

/**
 * Runs scenarios on the cluster, one at a time (a cluster singleton, DESIGN §3: "RunCoordinator"):
 * loads the scenario a client submits, has every node prepare its part ({@link NodeRunner}), starts
 * the shared adapter domains and buses as sharded entities wherever sharding puts them and tells
 * every node their addresses, starts every device entity, adds up the devices' outcomes as they
 * come, and when every device has answered (or none answered for the stall timeout) stops the
 * arbiters, collects every node's metrics, merges them and sends the merged result to the client.
 * Then the run is forgotten everywhere, and the cluster can run the next scenario.
 *
 * <p>A step that does not complete in time (a node that does not answer) gives the run up: the
 * client gets {@link RunRejected} with the reason.
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
      String runId, String scenario, int expectedNodes, ActorRef<TraceWriter.Command> trace, ActorRef<ClientEvent> replyTo)
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
    final Map<String, NodeMetrics> metrics = new LinkedHashMap<>();
    final List<String> problems = new ArrayList<>();
    int notRun;
    long placingSinceNanos;
    long startNanos;
    long tallyWallNanos;

    Run(SubmitRun submit, Scenario scenario) {
      this.submit = submit;
      this.scenario = scenario;
      ScenarioWorkload ids = new ScenarioWorkload(scenario, null);
      for (int i = 1; i <= ids.devices(); i++) {
        deviceIds.add(ids.deviceId(i));
      }
      this.tally = new RunTally(deviceIds.size(), false);
      this.expectedRequests = ScenarioRun.expectedRequests(scenario, deviceIds.size());
      Duration realDeadline =
          Duration.ofNanos((long) (scenario.run().callbackDeadline().toNanos() / scenario.run().timeScale()));
      this.stallTimeout = PowerCycleRun.defaultStallTimeout(realDeadline);
    }

    String id() {
      return submit.runId();
    }

    int arbiters() {
      return scenario.topology().adapterDomains().size() + scenario.topology().buses().size();
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
    ActorRef<Receptionist.Listing> listings = context.messageAdapter(
        Receptionist.Listing.class, listing -> new RunnersListed(listing.getServiceInstances(NodeRunner.KEY)));
    context.getSystem().receptionist().tell(Receptionist.subscribe(NodeRunner.KEY, listings));
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
    run = new Run(submit, loaded.scenario());
    getContext().watchWith(submit.replyTo(), new ClientGone(submit.runId()));
    getContext().getLog().info("run {}: {} devices, waiting for {} nodes", run.id(), run.deviceIds.size(),
        submit.expectedNodes());
    enter(Phase.WAITING_FOR_NODES);
    return prepareIfEnoughNodes();
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
      ordered.get(i).tell(new NodeRunner.PrepareRun(run.id(), text, epoch, i + 1, run.submit.trace(), preparedAdapter));
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
    return this;
  }

  private Behavior<Command> onDevice(WrappedDevice wrapped) {
    DeviceEntity.Report r = wrapped.report();
    if (!isPhase(r.runId(), Phase.RUNNING)) {
      // A late answer after the run stalled: the summary counts the device as unaccounted.
      return this;
    }
    if (r instanceof DeviceEntity.Ended e) {
      run.tally.add(e.outcome());
      run.devicesByNode.merge(e.node(), 1, Integer::sum);
    } else if (r instanceof DeviceEntity.NotRun n) {
      run.notRun++;
      run.problems.add("device " + n.deviceId() + " did not run on " + n.node() + ": " + n.reason());
    }
    if (run.tally.accounted() + run.notRun == run.deviceIds.size()) {
      return stopArbiters();
    }
    timers.startSingleTimer(STALL_TIMER, new Stalled(run.id()), run.stallTimeout);
    return this;
  }

  private Behavior<Command> onPoll(Poll poll) {
    if (!isPhase(poll.runId(), Phase.RUNNING)) {
      return this;
    }
    long ended = run.endedByNode.values().stream().mapToLong(Long::longValue).sum();
    run.submit.replyTo().tell(new RunProgress(run.id(), ended, run.expectedRequests));
    for (ActorRef<NodeRunner.Command> r : run.runners) {
      r.tell(new NodeRunner.GetProgress(run.id(), progressAdapter));
    }
    return this;
  }

  private Behavior<Command> onProgress(WrappedProgress wrapped) {
    NodeRunner.NodeProgress p = wrapped.progress();
    if (run != null && p.runId().equals(run.id())) {
      run.endedByNode.put(p.node(), p.ended());
    }
    return this;
  }

  private Behavior<Command> onStalled(Stalled stalled) {
    if (isPhase(stalled.runId(), Phase.RUNNING)) {
      getContext().getLog().warn("run {}: {} of {} devices gave no final answer; none answered for {} ms",
          run.id(), run.deviceIds.size() - run.tally.accounted() - run.notRun, run.deviceIds.size(),
          run.stallTimeout.toMillis());
      return stopArbiters();
    }
    return this;
  }

  // ---- The end ----------------------------------------------------------------------------------

  private Behavior<Command> stopArbiters() {
    timers.cancel(POLL_TIMER);
    timers.cancel(STALL_TIMER);
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
    return run.answered.size() >= run.runners.size() ? conclude() : this;
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
    List<MetricsData.Interval> merged = MetricsMerge.intervals(intervals);
    RunSummary summary = run.tally.summary(
        run.scenario.run().seed(), run.scenario.power().cycles(), false, Duration.ofNanos(run.tallyWallNanos),
        RunMetrics.summarize(requests));
    ClusterResult result = new ClusterResult(
        run.id(), summary, MetricsData.Totals.of(MetricsMerge.totals(totals)), merged, shares, run.problems);
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
        run.problems.add((run.runners.size() - run.answered.size()) + " nodes did not hand in their metrics");
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
