package org.dmaemu.node.cli;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import org.dmaemu.node.Main;
import org.dmaemu.node.cluster.ClusterServices;
import org.dmaemu.node.cluster.RunCoordinator;
import org.dmaemu.node.inspect.InspectText;
import org.dmaemu.node.inspect.Inspection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code dmaemu inspect --node HOST:PORT}: what a running cluster's run looks like now — each shared
 * adapter's map registers and lock holder, each device's power state and transactions — in the
 * spirit of the kernel debugger's {@code !dma} and {@code !wdfdmaenabler}.
 */
@Command(
    name = "inspect",
    description = {
      "Shows a running cluster's run now: each shared adapter domain's map registers",
      "(free, held, reserved, waiting) and lock holder, and per device its PnP and",
      "power state, enablers and transactions with their states, what they hold and",
      "what they wait for. This JVM joins the cluster through --node as a client for a",
      "moment (it hosts nothing) and leaves.",
      "",
      "Exit code: 0 shown, 1 the cluster did not answer, 2 bad input.",
      ""
    },
    sortOptions = false,
    usageHelpAutoWidth = true)
public final class InspectCommand implements Callable<Integer> {

  private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);

  @Spec private CommandSpec spec;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  private boolean help;

  @Option(names = "--node", required = true, paramLabel = "HOST:PORT,...", description = "A member of the cluster (its remoting address).")
  private String node;

  @Option(names = "--device", paramLabel = "ID", description = "Show this device (repeatable); default: the first --devices devices.")
  private List<String> devices = new ArrayList<>();

  @Option(names = "--devices", paramLabel = "N", defaultValue = "10", description = "How many devices to show when none is named (default: ${DEFAULT-VALUE}).")
  private int maxDevices;

  @Option(names = "--host", paramLabel = "HOST", description = "The address the cluster's nodes reach this JVM at (default: 127.0.0.1).")
  private String host;

  @Option(names = "--json", description = "Print the inspection as JSON.")
  private boolean json;

  @Override
  public Integer call() {
    if (maxDevices < 0) {
      throw new ParameterException(spec.commandLine(), "--devices must not be negative (got " + maxDevices + ")");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ActorSystem<Void> system = ClientNode.join(spec, node, host);
    try {
      Inspection inspection = AskPattern.<RunCoordinator.Command, Inspection>ask(
              ClusterServices.start(system).coordinator(),
              replyTo -> new RunCoordinator.InspectRun(devices, maxDevices, replyTo),
              ANSWER_TIMEOUT,
              system.scheduler())
          .toCompletableFuture()
          .join();
      out.print(json ? toJson(inspection) + "\n" : InspectText.render(inspection));
      out.flush();
      return Main.OK;
    } catch (CompletionException e) {
      err.println("dmaemu inspect: the cluster at " + node + " did not answer within " + ANSWER_TIMEOUT.toSeconds()
          + " s (is it up, and is this host reachable from it?)");
      return Main.RUN_FAILED;
    } finally {
      ClientNode.leave(system);
    }
  }

  private static String toJson(Inspection inspection) {
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(inspection);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an inspection that Jackson cannot write", e);
    }
  }
}
