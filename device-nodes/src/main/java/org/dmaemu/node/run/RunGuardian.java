package org.dmaemu.node.run;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.NoSerializationVerificationNeeded;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Map;
import org.dmaemu.arbitration.AdapterDomain;
import org.dmaemu.node.trace.ActorTraceSink;
import org.dmaemu.node.trace.TraceReport;
import org.dmaemu.node.trace.TraceWriter;
import org.dmaemu.node.workload.Workload;
import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.time.NodeClock;
import org.dmaemu.trace.TraceSink;

/**
 * The guardian of a run's actor system: starts the trace writer and the coordinator, and on
 * shutdown closes the trace before the system stops, so that the file is complete. It owns the
 * run's shared adapter domains (the workload spawns them as its children), so it is where a run
 * crashes one ({@link CrashAdapterDomain}).
 */
public final class RunGuardian extends AbstractBehavior<RunGuardian.Command> {

  /** The node number: the trace's pid. One node until the cluster comes. */
  static final int NODE = 1;

  public sealed interface Command extends CborSerializable {}

  /** Asks the coordinator for the run's summary. */
  public record GetSummary(ActorRef<RunSummary> replyTo) implements Command {}

  /** Stops the devices, closes the trace and stops the system; replies with the trace's report first. */
  public record Shutdown(ActorRef<TraceReport> replyTo) implements Command {}

  /**
   * Fault {@code faultId} (DESIGN §10, an arbiter crash) crashes the shared adapter domain {@code
   * domain} at modeled time {@code at} since the run's start (at once if that has passed): its lock
   * and map-register pool fail, restart and rebuild (see {@code AdapterLock}). A domain the
   * scenario does not have is logged and ignored.
   */
  public record CrashAdapterDomain(String domain, String faultId, Duration at) implements Command {}

  private record CrashDue(AdapterDomain domain, String faultId) implements Command, NoSerializationVerificationNeeded {}

  private record WrappedTraceClosed(TraceReport report) implements Command {}

  private enum CoordinatorStopped implements Command {
    INSTANCE
  }

  private final ActorRef<PowerCycleCoordinator.Command> coordinator;
  private final ActorRef<TraceWriter.Command> writer;
  private final Workload prepared;
  private ActorRef<TraceReport> shutdownReplyTo;

  /** @param trace the opened trace file, or {@code null} for no trace; the writer owns it from here */
  public static Behavior<Command> create(PowerCycleRun.Options options, Workload workload, OutputStream trace) {
    return Behaviors.setup(context -> new RunGuardian(context, options, workload, trace));
  }

  private RunGuardian(
      ActorContext<Command> context, PowerCycleRun.Options options, Workload workload, OutputStream trace) {
    super(context);
    TraceSink sink = TraceSink.NONE;
    if (trace != null) {
      Map<String, String> facts =
          Map.of(
              "seed", Long.toString(options.seed()),
              "devices", Integer.toString(options.devices()),
              "cycles", Integer.toString(options.cycles()),
              "timeScale", Double.toString(options.timeScale()));
      writer =
          context.spawn(
              TraceWriter.create(options.trace().toString(), trace, NODE, "dmaemu node " + NODE, facts),
              "trace-writer",
              TraceWriter.dispatcher());
      sink = new ActorTraceSink(writer);
    } else {
      writer = null;
    }
    prepared = workload.prepare(context, sink);
    coordinator = context.spawn(PowerCycleCoordinator.create(options, prepared, sink), "pnp-manager");
    context.watchWith(coordinator, CoordinatorStopped.INSTANCE);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(GetSummary.class, this::onGetSummary)
        .onMessage(Shutdown.class, this::onShutdown)
        .onMessage(CrashAdapterDomain.class, this::onCrashAdapterDomain)
        .onMessage(CrashDue.class, this::onCrashDue)
        .onMessageEquals(CoordinatorStopped.INSTANCE, this::onCoordinatorStopped)
        .onMessage(WrappedTraceClosed.class, this::onTraceClosed)
        .build();
  }

  private Behavior<Command> onGetSummary(GetSummary get) {
    coordinator.tell(new PowerCycleCoordinator.GetSummary(get.replyTo()));
    return this;
  }

  private Behavior<Command> onCrashAdapterDomain(CrashAdapterDomain crash) {
    AdapterDomain domain = prepared.adapterDomain(crash.domain()).orElse(null);
    if (domain == null) {
      getContext().getLog().warn("fault {}: the run has no adapter domain {}; nothing crashed", crash.faultId(), crash.domain());
      return this;
    }
    NodeClock clock = NodeClock.get(getContext().getSystem());
    Duration wait = crash.at().minus(Duration.ofNanos(clock.nowMicros() * 1000L));
    CrashDue due = new CrashDue(domain, crash.faultId());
    if (wait.isNegative() || wait.isZero()) {
      return onCrashDue(due);
    }
    getContext().scheduleOnce(clock.toReal(wait), getContext().getSelf(), due);
    return this;
  }

  private Behavior<Command> onCrashDue(CrashDue due) {
    due.domain().crash(due.faultId());
    return this;
  }

  private Behavior<Command> onShutdown(Shutdown shutdown) {
    if (shutdownReplyTo != null) {
      return this;
    }
    shutdownReplyTo = shutdown.replyTo();
    // The trace is closed only when every device has stopped (the coordinator's Terminated comes after
    // its children's), so the last events a device sent are in the writer's mailbox before Close.
    getContext().stop(coordinator);
    return this;
  }

  private Behavior<Command> onCoordinatorStopped() {
    if (shutdownReplyTo == null) {
      // The coordinator failed: nothing can account for the devices any more. Stopping the system
      // fails the pending summary; the writer still ends its file when it stops.
      getContext().getLog().error("the run's coordinator stopped before the run was shut down");
      return Behaviors.stopped();
    }
    if (writer == null) {
      shutdownReplyTo.tell(TraceReport.none());
      return Behaviors.stopped();
    }
    writer.tell(new TraceWriter.Close(getContext().messageAdapter(TraceReport.class, WrappedTraceClosed::new)));
    return this;
  }

  private Behavior<Command> onTraceClosed(WrappedTraceClosed closed) {
    shutdownReplyTo.tell(closed.report());
    return Behaviors.stopped();
  }
}
