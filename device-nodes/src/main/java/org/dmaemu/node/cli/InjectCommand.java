package org.dmaemu.node.cli;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.dmaemu.node.Main;
import org.dmaemu.node.cluster.ClusterServices;
import org.dmaemu.node.cluster.RunCoordinator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code dmaemu inject --node HOST:PORT FAULT}: adds a fault to the run a cluster is running now.
 * The run's coordinator checks it against the running scenario, as a {@code --fault} flag is
 * checked, names it {@code live-N} unless it names itself, and hands it to every node (an arbiter
 * crash it carries out itself). A node fault goes to the side that owns the nodes' processes
 * ({@code dmaemu cluster}); into a run without one it is refused.
 */
@Command(
    name = "inject",
    description = {
      "Injects FAULT into the run a cluster is running now, as a --fault flag writes",
      "it (TYPE:KEY=VALUE,..., docs/faults.md); node-crash and node-pause only into a",
      "run of 'dmaemu cluster', which owns its nodes. Message and callback faults act",
      "from the devices' next message or callback on; the others 'at' after the",
      "injection (default 0: at once). The fault is checked against the running scenario",
      "(groups, devices, ids), gets the id live-N unless it names one, and is listed",
      "in the run's summary.json with the planned faults. This JVM joins the cluster",
      "through --node as a client for a moment and leaves.",
      "",
      "Exit code: 0 injected, 1 no run is running or the cluster did not answer,",
      "2 bad fault or arguments.",
      ""
    },
    sortOptions = false,
    usageHelpAutoWidth = true)
public final class InjectCommand implements Callable<Integer> {

  private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);

  @Spec private CommandSpec spec;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  private boolean help;

  @Option(names = "--node", required = true, paramLabel = "HOST:PORT,...", description = "A member of the cluster (its remoting address).")
  private String node;

  @Option(names = "--host", paramLabel = "HOST", description = "The address the cluster's nodes reach this JVM at (default: 127.0.0.1).")
  private String host;

  @Parameters(
      index = "0",
      paramLabel = "FAULT",
      description = "The fault, e.g. lost-interrupt:probability=0.01 or "
          + "message:path=interrupts,action=delay,delay=50us,probability=0.1")
  private String fault;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (fault.isBlank()) {
      err.println("dmaemu inject: FAULT is empty: write TYPE:KEY=VALUE,..., e.g. lost-interrupt:probability=0.01");
      return Main.BAD_INPUT;
    }
    ActorSystem<Void> system = ClientNode.join(spec, node, host);
    try {
      CompletableFuture<RunCoordinator.InjectResult> answer =
          AskPattern.<RunCoordinator.Command, RunCoordinator.InjectResult>ask(
                  ClusterServices.start(system).coordinator(),
                  replyTo -> new RunCoordinator.InjectFault(fault, replyTo),
                  ANSWER_TIMEOUT,
                  system.scheduler())
              .toCompletableFuture();
      // A client the cluster does not take (other settings, another CA) stops its own system: no answer then.
      Object first = CompletableFuture.anyOf(answer, system.getWhenTerminated().toCompletableFuture())
          .get(ANSWER_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
      if (!(first instanceof RunCoordinator.InjectResult r)) {
        err.println("dmaemu inject: this JVM could not join the cluster at " + node + " (its log above says why)");
        return Main.RUN_FAILED;
      }
      switch (r.outcome()) {
        case INJECTED:
          out.printf("injected %s (%s) into %d of %d nodes%n", r.faultId(), r.describe(), r.nodesTook(), r.nodes());
          out.flush();
          r.messages().forEach(m -> err.println("dmaemu inject: " + m));
          err.flush();
          return Main.OK;
        case BAD_FAULT:
          r.messages().forEach(m -> err.println("dmaemu inject: " + m));
          err.flush();
          return Main.BAD_INPUT;
        case NO_RUN:
        default:
          r.messages().forEach(m -> err.println("dmaemu inject: " + m));
          err.flush();
          return Main.RUN_FAILED;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("dmaemu inject: interrupted while waiting for the cluster at " + node);
      return Main.RUN_FAILED;
    } catch (ExecutionException | TimeoutException e) {
      err.println("dmaemu inject: the cluster at " + node + " did not answer within " + ANSWER_TIMEOUT.toSeconds()
          + " s (is it up, and is this host reachable from it?)");
      return Main.RUN_FAILED;
    } finally {
      ClientNode.leave(system);
    }
  }
}
