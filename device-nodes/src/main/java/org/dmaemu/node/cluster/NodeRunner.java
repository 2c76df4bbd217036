package org.dmaemu.node.cluster;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.typed.Cluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dmaemu.arbitration.AdapterDomain;
import org.dmaemu.fault.Fault;
import org.dmaemu.hardware.BusAttachment;
import org.dmaemu.node.metrics.FaultTally;
import org.dmaemu.node.metrics.RunMetrics;
import org.dmaemu.node.metrics.ScenarioMetrics;
import org.dmaemu.node.run.DeviceScript;
import org.dmaemu.node.scenario.Scenario;
import org.dmaemu.node.scenario.ScenarioLoader;
import org.dmaemu.node.scenario.ScenarioWorkload;
import org.dmaemu.node.trace.ActorTraceSink;
import org.dmaemu.node.trace.TraceRelay;
import org.dmaemu.node.trace.TraceWriter;
import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.time.NodeClock;
import org.dmaemu.trace.TraceSink;

/**
 * This node's part in the cluster runs, one run at a time: on the coordinator's word it loads the
 * scenario, aligns the node's clock to the run's epoch, creates the node-local metrics (for the
 * devices and arbiters sharding puts here), the interval sampler and the trace relay; takes the
 * shared arbiters' addresses and builds the workload the devices of this node plan from; reports how
 * many requests ended now and then; hands its metrics in at the end; and forgets the run. One per
 * node, registered with the receptionist under {@link #KEY}.
 */
public final class NodeRunner extends AbstractBehavior<NodeRunner.Command> {

  public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "dmaemu-node-runner");

  public sealed interface Command extends CborSerializable {}

  /**
   * Take part in run {@code runId}.
   *
   * @param scenario the scenario's resolved HOCON text ({@link ScenarioLoader#resolved})
   * @param epochMicros the wall-clock moment (µs since 1970) that is modeled time 0 on every node
   * @param nodeIndex this node's number in the run, from 1 (the trace's pid)
   * @param trace the run's trace writer, or {@code null} for no trace
   */
  public record PrepareRun(
      String runId,
      String scenario,
      long epochMicros,
      int nodeIndex,
      ActorRef<TraceWriter.Command> trace,
      ActorRef<Prepared> replyTo)
      implements Command {}

  /** The node is ready for the arbiters ({@code error == null}), or cannot take part and says why. */
  public record Prepared(String runId, String node, String error) implements CborSerializable {}

  /** Where the run's shared arbiters live: every adapter domain and bus of the scenario. */
  public record UseArbiters(
      String runId,
      List<ArbiterReport.DomainStarted> domains,
      List<ArbiterReport.BusStarted> buses,
      ActorRef<Prepared> replyTo)
      implements Command {
    public UseArbiters {
      domains = List.copyOf(domains);
      buses = List.copyOf(buses);
    }
  }

  /**
   * Report this node's progress.
   *
   * @param knownStarted how many of this node's started devices the coordinator knows already
   */
  public record GetProgress(String runId, ActorRef<NodeProgress> replyTo, int knownStarted) implements Command {}

  /**
   * This node's devices so far: what the run accounts for the node if it loses it before the end.
   *
   * @param ended requests that ended
   * @param startedFrom how many started devices come before {@code started} (the request's {@code knownStarted})
   * @param started the devices whose script started here after the first {@code startedFrom}; read
   *     after {@code requests}, so that every device whose requests are counted is listed
   * @param requests per group: requests submitted, completed, failed and cancelled
   * @param faults what the faults did here (requests aborted by each, per group); read before {@code
   *     requests}, so that no group's ends add up to more than its submissions
   */
  public record NodeProgress(
      String runId,
      String node,
      long ended,
      int startedFrom,
      List<String> started,
      List<ScenarioMetrics.RequestCounts> requests,
      FaultTally faults)
      implements CborSerializable {
    public NodeProgress {
      started = List.copyOf(started);
      requests = List.copyOf(requests);
    }
  }

  /** Add a fault to this node's devices while the run runs ({@code dmaemu inject}). */
  public record InjectFault(String runId, LiveFault fault, ActorRef<FaultTaken> replyTo) implements Command {}

  /** Whether this node's devices took the injected fault: {@code error == null}, or why not. */
  public record FaultTaken(String runId, String node, String faultId, String error) implements CborSerializable {}

  /** Hand in this node's metrics ({@link NodeMetrics}, in {@link Chunk}s); the trace is flushed first. */
  public record CollectMetrics(String runId, ActorRef<Chunk> replyTo) implements Command {}

  /** Forget the run. */
  public record EndRun(String runId) implements Command {}

  private record TraceFlushed(String runId) implements Command {}

  private record WrappedSampled(String runId, IntervalSampler.Sampled sampled)
      implements Command, NoSerializationVerificationNeeded {}

  /** How long a flush of the trace may take before the metrics go without it. */
  private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(30);

  public static Behavior<Command> create() {
    return Behaviors.setup(NodeRunner::new);
  }

  private final String node;
  private final NodeClock clock;
  private final LocalRuns runs;
  private NodeRun run;
  private ActorRef<IntervalSampler.Command> sampler;
  private ActorRef<TraceWriter.Command> relay;
  private ActorRef<Chunk> collectReplyTo;
  private int spawned;

  private NodeRunner(ActorContext<Command> context) {
    super(context);
    this.node = Cluster.get(context.getSystem()).selfMember().address().toString();
    this.clock = NodeClock.get(context.getSystem());
    this.runs = LocalRuns.get(context.getSystem());
    context.getSystem().receptionist().tell(Receptionist.register(KEY, context.getSelf()));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(PrepareRun.class, this::onPrepareRun)
        .onMessage(UseArbiters.class, this::onUseArbiters)
        .onMessage(GetProgress.class, this::onGetProgress)
        .onMessage(InjectFault.class, this::onInjectFault)
        .onMessage(CollectMetrics.class, this::onCollectMetrics)
        .onMessage(TraceFlushed.class, this::onTraceFlushed)
        .onMessage(WrappedSampled.class, this::onSampled)
        .onMessage(EndRun.class, this::onEndRun)
        .build();
  }

  private Behavior<Command> onPrepareRun(PrepareRun prepare) {
    if (run != null) {
      // A coordinator that gave a run up may not have reached this node: the new run replaces it.
      end();
    }
    ScenarioLoader.Loaded loaded = ScenarioLoader.fromText(prepare.scenario(), Path.of(prepare.runId() + ".conf"));
    if (!loaded.isValid()) {
      prepare.replyTo().tell(new Prepared(prepare.runId(), node, "the scenario does not load here: " + loaded.problems()));
      return this;
    }
    Scenario scenario = loaded.scenario();
    clock.alignTo(prepare.epochMicros(), scenario.run().timeScale());
    ScenarioMetrics metrics = ScenarioWorkload.metricsOn(scenario, clock);
    TraceSink trace = TraceSink.NONE;
    spawned++;
    if (prepare.trace() != null) {
      relay = getContext().spawn(
          TraceRelay.create(prepare.trace(), prepare.nodeIndex(), "dmaemu node " + prepare.nodeIndex() + " " + node),
          "trace-relay-" + spawned);
      trace = new ActorTraceSink(relay);
      metrics.traceTo(trace);
    }
    sampler = getContext().spawn(IntervalSampler.create(metrics, clock, scenario.run().interval()), "sampler-" + spawned);
    run = new NodeRun(prepare.runId(), node, prepare.nodeIndex(), scenario, metrics, new RunMetrics(), trace, null, new StartedDevices());
    runs.put(run);
    prepare.replyTo().tell(new Prepared(prepare.runId(), node, null));
    return this;
  }

  private Behavior<Command> onUseArbiters(UseArbiters use) {
    if (!isCurrent(use.runId())) {
      use.replyTo().tell(new Prepared(use.runId(), node, "this node has no part in run " + use.runId()));
      return this;
    }
    Map<String, AdapterDomain> domains = new HashMap<>();
    for (ArbiterReport.DomainStarted d : use.domains()) {
      domains.put(d.name(), new AdapterDomain(d.name(), d.mapRegisters(), d.lock(), d.registers()));
    }
    Map<String, BusAttachment> buses = new HashMap<>();
    for (ArbiterReport.BusStarted b : use.buses()) {
      buses.put(b.name(), new BusAttachment(b.name(), b.bus()));
    }
    run = run.withWorkload(ScenarioWorkload.withShared(run.scenario(), null, domains, buses, run.metrics()));
    runs.put(run);
    use.replyTo().tell(new Prepared(use.runId(), node, null));
    return this;
  }

  private Behavior<Command> onGetProgress(GetProgress get) {
    if (!isCurrent(get.runId())) {
      get.replyTo().tell(new NodeProgress(get.runId(), node, 0, get.knownStarted(), List.of(), List.of(), FaultTally.NONE));
      return this;
    }
    ScenarioMetrics m = run.metrics();
    FaultTally faults = m.faultTally();
    List<ScenarioMetrics.RequestCounts> requests = m.requestCounts();
    List<String> started = run.started().after(get.knownStarted());
    get.replyTo().tell(new NodeProgress(get.runId(), node, m.ended(), get.knownStarted(), started, requests, faults));
    return this;
  }

  /**
   * Reads the injected fault against the run's scenario and adds it to this node's live faults: the
   * devices' gates and drivers apply message and callback faults from their next message or callback
   * on. A surprise removal or power cycle goes to the selected devices that started here, to act
   * {@code at} after now.
   */
  private Behavior<Command> onInjectFault(InjectFault inject) {
    String id = inject.fault().id();
    if (!isCurrent(inject.runId()) || run.workload() == null) {
      inject.replyTo().tell(new FaultTaken(inject.runId(), node, id, "this node's devices are not running run " + inject.runId()));
      return this;
    }
    Fault fault;
    try {
      fault = inject.fault().read(run.scenario());
      run.workload().liveFaults().add(fault);
    } catch (IllegalArgumentException e) {
      inject.replyTo().tell(new FaultTaken(inject.runId(), node, id, e.getMessage()));
      return this;
    }
    String told = "";
    if (fault instanceof Fault.DeviceEvent event) {
      int devices = 0;
      ClusterSharding sharding = ClusterSharding.get(getContext().getSystem());
      for (String deviceId : run.started().after(0)) {
        if (run.scenario().faultPlan().selects(event, deviceId, ScenarioWorkload.groupOf(deviceId))) {
          sharding.entityRefFor(DeviceEntity.TYPE_KEY, deviceId).tell(new DeviceEntity.InjectEvent(run.runId(),
              new DeviceScript.InjectEvent(event.kind(), event.id(), event.at().toNanos() / 1000)));
          devices++;
        }
      }
      told = " (" + devices + " devices started here)";
    }
    getContext().getLog().warn("run {}: fault {} injected into this node's devices{}: {}", run.runId(), id, told,
        fault.describe());
    inject.replyTo().tell(new FaultTaken(inject.runId(), node, id, null));
    return this;
  }

  private Behavior<Command> onCollectMetrics(CollectMetrics collect) {
    if (!isCurrent(collect.runId()) || collectReplyTo != null) {
      String why = collectReplyTo != null ? "its metrics are being collected already" : "it has no part in the run";
      send(collect.replyTo(), new NodeMetrics(collect.runId(), node, 0, 0, null, List.of(), null, why));
      return this;
    }
    collectReplyTo = collect.replyTo();
    if (relay == null) {
      return onTraceFlushed(new TraceFlushed(run.runId()));
    }
    String runId = run.runId();
    // Through the relay: every event of this node's devices is in the file before the metrics are handed in.
    getContext().ask(
        TraceWriter.Flushed.class, relay, FLUSH_TIMEOUT, TraceWriter.Flush::new, (flushed, failure) -> {
          if (failure != null) {
            getContext().getLog().warn("run {}: the trace writer did not confirm the flush: {}", runId, failure.getMessage());
          }
          return new TraceFlushed(runId);
        });
    return this;
  }

  private Behavior<Command> onTraceFlushed(TraceFlushed flushed) {
    if (isCurrent(flushed.runId()) && sampler != null) {
      String runId = flushed.runId();
      sampler.tell(new IntervalSampler.Finish(getContext().messageAdapter(
          IntervalSampler.Sampled.class, sampled -> new WrappedSampled(runId, sampled))));
      sampler = null;
    }
    return this;
  }

  private Behavior<Command> onSampled(WrappedSampled wrapped) {
    if (!isCurrent(wrapped.runId()) || collectReplyTo == null) {
      return this;
    }
    IntervalSampler.Sampled s = wrapped.sampled();
    NodeMetrics metrics = new NodeMetrics(
        run.runId(), node, run.nodeIndex(), run.metrics().ended(), MetricsData.Totals.of(s.totals()), s.intervals(),
        MetricsData.Run.of(run.runMetrics().totals()), null);
    send(collectReplyTo, metrics);
    collectReplyTo = null;
    return this;
  }

  private void send(ActorRef<Chunk> to, NodeMetrics metrics) {
    for (Chunk c : Chunk.split(getContext().getSystem(), metrics.runId() + "/" + node, metrics, Chunk.SIZE)) {
      to.tell(c);
    }
  }

  private Behavior<Command> onEndRun(EndRun endRun) {
    if (isCurrent(endRun.runId())) {
      end();
    }
    return this;
  }

  private void end() {
    runs.remove(run.runId());
    if (sampler != null) {
      getContext().stop(sampler);
    }
    if (relay != null) {
      getContext().stop(relay);
    }
    sampler = null;
    relay = null;
    collectReplyTo = null;
    run = null;
  }

  private boolean isCurrent(String runId) {
    return run != null && run.runId().equals(runId);
  }
}
