package org.dmaemu.node.run;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.dmaemu.node.trace.TraceReport;

/**
 * A started run. {@link #summary()} completes when every device reached its final answer (with
 * {@code stopAfterStart}: is started and in D0, still alive); {@link #terminate()} stops the
 * devices, closes the trace and terminates the actor system. Between the two a caller may inspect
 * the live system, e.g. measure the heap.
 */
public final class RunHandle {

  // The coordinator answers by its own timeout, and a failed coordinator stops the system, which
  // fails the summary at once: this limit only bounds a wait that cannot otherwise end.
  private static final Duration SUMMARY_LIMIT = Duration.ofDays(1);
  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(60);

  private final ActorSystem<RunGuardian.Command> system;
  private final PowerCycleRun.Options options;
  private CompletionStage<RunSummary> summary;
  private CompletionStage<TraceReport> termination;
  private CompletionStage<TraceReport> traceClosed;

  RunHandle(ActorSystem<RunGuardian.Command> system, PowerCycleRun.Options options) {
    this.system = system;
    this.options = options;
  }

  public ActorSystem<?> system() {
    return system;
  }

  public PowerCycleRun.Options options() {
    return options;
  }

  /**
   * Crashes the run's shared adapter domain {@code domain} (fault {@code faultId}, DESIGN §10) at
   * modeled time {@code at} since the run's start, or at once if that has passed: see {@link
   * RunGuardian.CrashAdapterDomain}.
   */
  public void crashAdapterDomain(String domain, String faultId, Duration at) {
    system.tell(new RunGuardian.CrashAdapterDomain(domain, faultId, at));
  }

  /** The run's summary; fails if the actor system stops before the run ends. */
  public synchronized CompletionStage<RunSummary> summary() {
    if (summary == null) {
      CompletionStage<RunSummary> asked =
          AskPattern.ask(system, RunGuardian.GetSummary::new, SUMMARY_LIMIT, system.scheduler());
      CompletableFuture<RunSummary> stopped = new CompletableFuture<>();
      system.getWhenTerminated().thenRun(() -> stopped.completeExceptionally(stoppedEarly()));
      summary = asked.applyToEither(stopped, s -> s);
    }
    return summary;
  }

  /**
   * Stops the devices, closes the trace file and terminates the actor system; completes after the
   * system terminated, with what the trace writer left on disk. Idempotent.
   */
  public synchronized CompletionStage<TraceReport> terminate() {
    if (termination == null) {
      termination =
          closeTrace()
              .thenCompose(
                  report -> {
                    system.terminate();
                    return system.getWhenTerminated().thenApply(done -> report);
                  });
    }
    return termination;
  }

  /**
   * Stops the devices and closes the trace, which stops the system's guardian. Also run by the
   * system's coordinated shutdown (e.g. on SIGTERM or Ctrl-C), so that an interrupted run still
   * leaves a complete trace file.
   */
  synchronized CompletionStage<TraceReport> closeTrace() {
    if (traceClosed == null && system.getWhenTerminated().toCompletableFuture().isDone()) {
      traceClosed = CompletableFuture.completedFuture(shutdownFailed(stoppedEarly()));
    } else if (traceClosed == null) {
      // The guardian replies before it stops, so in an orderly shutdown the reply always comes first;
      // if the system stops without replying (the guardian failed), the stop ends the wait.
      CompletionStage<TraceReport> stopped =
          system.getWhenTerminated().thenApply(done -> shutdownFailed(stoppedEarly()));
      traceClosed =
          AskPattern.<RunGuardian.Command, TraceReport>ask(
                  system, RunGuardian.Shutdown::new, SHUTDOWN_TIMEOUT, system.scheduler())
              .exceptionally(this::shutdownFailed)
              .applyToEither(stopped, report -> report);
    }
    return traceClosed;
  }

  private static IllegalStateException stoppedEarly() {
    return new IllegalStateException("the run's actor system stopped before the run ended");
  }

  private TraceReport shutdownFailed(Throwable failure) {
    String file = options.trace() == null ? null : options.trace().toString();
    String why =
        failure instanceof TimeoutException || failure.getCause() instanceof TimeoutException
            ? "the trace writer did not close the file within " + SHUTDOWN_TIMEOUT.toSeconds() + " s"
            : "the trace was not closed in order: " + failure.getMessage();
    return file == null ? TraceReport.none() : new TraceReport(file, 0, why);
  }
}
