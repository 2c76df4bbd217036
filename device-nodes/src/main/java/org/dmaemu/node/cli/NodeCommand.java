package org.dmaemu.node.cli;

import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.Member;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.dmaemu.node.Main;
import org.dmaemu.node.cluster.ClusterServices;
import org.dmaemu.node.cluster.NodeConfig;
import org.dmaemu.node.cluster.NodeConfig.Setting;
import org.dmaemu.node.cluster.NodeShutdown;
import org.dmaemu.node.cluster.SelfUpWatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/**
 * {@code dmaemu node}: one member of a dmaemu cluster (DESIGN §9). Runs until SIGTERM or SIGINT, then
 * leaves the cluster gracefully and exits 0. docs/deploy.md walks through running several.
 */
@Command(
    name = "node",
    description = {
      "Runs one node of a dmaemu cluster until SIGTERM or Ctrl-C.",
      "On either signal the node leaves the cluster gracefully and exits 0. It prints",
      "one line on stdout when it is Up. The first node needs no --seed-nodes (it is",
      "its own seed); the others name it. See docs/deploy.md.",
      "",
      "Every option can also be set with the environment variable named after it",
      "(DMAEMU_HOST, DMAEMU_SEED_NODES, ...); an option given here wins.",
      "",
      "Exit code: 0 left after SIGTERM/SIGINT; 1 could not join within --join-timeout,",
      "was downed, or could not start; 2 bad input.",
      ""
    },
    sortOptions = false,
    usageHelpAutoWidth = true)
public final class NodeCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  private boolean help;

  @Option(names = "--host", paramLabel = "HOST", description = "Address other nodes reach this node at (default: 127.0.0.1).")
  private String host;

  @Option(names = "--port", paramLabel = "PORT", description = "Remoting port (default: 25520).")
  private String port;

  @Option(
      names = "--seed-nodes",
      paramLabel = "HOST:PORT,...",
      description = "Seed nodes to join (default: this node itself, i.e. start a new cluster).")
  private String seedNodes;

  @Option(names = "--roles", paramLabel = "ROLE,...", description = "Cluster roles (default: dmaemu).")
  private String roles;

  @Option(
      names = "--tls-dir",
      paramLabel = "DIR",
      description = "Remoting over TLS with mutual authentication; DIR holds keystore.p12, truststore.p12"
          + " and their .password files (deploy/tls/make-certs.sh).")
  private String tlsDir;

  @Option(
      names = "--management-port",
      paramLabel = "PORT",
      description = "akka-management HTTP port: /ready, /alive, /cluster/members (default: 0 = none;"
          + " 8558 with --discovery kubernetes).")
  private String managementPort;

  @Option(
      names = "--discovery",
      paramLabel = "config|kubernetes",
      description = "config: join --seed-nodes; kubernetes: cluster bootstrap through the Kubernetes API (default: config).")
  private String discovery;

  @Option(
      names = "--required-contact-points",
      paramLabel = "N",
      description = "Kubernetes only: nodes bootstrap must find before forming a cluster (default: 1; set it to the replicas).")
  private String requiredContactPoints;

  @Option(
      names = "--bind-host",
      paramLabel = "HOST",
      description = "Interface to listen on, if not --host (e.g. 0.0.0.0 in a container).")
  private String bindHost;

  @Option(
      names = "--join-timeout",
      paramLabel = "DURATION",
      description = "Give up and exit 1 if not joined after this long (default: 30s).")
  private String joinTimeout;

  @Override
  public Integer call() {
    NodeConfig node;
    try {
      node = NodeConfig.from(flags(), System.getenv());
    } catch (NodeConfig.InvalidSetting e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Config config = node.resolve(ConfigFactory.load(), true);

    ActorSystem<Void> system;
    try {
      system = ActorSystem.create(Behaviors.empty(), NodeConfig.SYSTEM_NAME, config);
    } catch (RuntimeException e) {
      err.println("dmaemu: cannot start the node at " + node.host() + ":" + node.port() + ": " + rootCause(e));
      return Main.RUN_FAILED;
    }
    NodeShutdown.reportWith(system, node, line -> err.println("dmaemu: " + line));
    leaveOn("TERM", system);
    leaveOn("INT", system);

    // The node's part of every run: sharded devices and adapters, its node runner, the coordinator singleton.
    ClusterServices.start(system);

    CompletableFuture<Member> up = new CompletableFuture<>();
    system.systemActorOf(SelfUpWatch.create(up), "dmaemu-self-up", Props.empty());
    node.startManagement(system)
        .whenComplete(
            (bound, failure) -> {
              if (failure != null) {
                CoordinatedShutdown.get(system)
                    .runAll(new NodeShutdown.StartFailed(
                        "cannot start akka-management on " + node.host() + ":" + node.managementPort() + ": " + rootCause(failure)));
              }
            });

    // The edge of the actor system: this thread only waits.
    CompletableFuture<?> terminated = system.getWhenTerminated().toCompletableFuture();
    CompletableFuture.anyOf(up, terminated).join();
    if (up.isDone() && !terminated.isDone()) {
      out.println("dmaemu node " + up.join().address() + " up (roles: " + String.join(",", node.roles()) + ")");
      out.flush();
    }
    terminated.join();
    // With exit-jvm on, coordinated shutdown exits the JVM with the same code; whichever comes first.
    return NodeShutdown.exitCode(CoordinatedShutdown.get(system).getShutdownReason().orElse(null));
  }

  private Map<Setting, String> flags() {
    Map<Setting, String> flags = new EnumMap<>(Setting.class);
    put(flags, Setting.HOST, host);
    put(flags, Setting.BIND_HOST, bindHost);
    put(flags, Setting.PORT, port);
    put(flags, Setting.SEED_NODES, seedNodes);
    put(flags, Setting.ROLES, roles);
    put(flags, Setting.TLS_DIR, tlsDir);
    put(flags, Setting.MANAGEMENT_PORT, managementPort);
    put(flags, Setting.DISCOVERY, discovery);
    put(flags, Setting.REQUIRED_CONTACT_POINTS, requiredContactPoints);
    put(flags, Setting.JOIN_TIMEOUT, joinTimeout);
    return flags;
  }

  private static void put(Map<Setting, String> flags, Setting setting, String value) {
    if (value != null) {
      flags.put(setting, value);
    }
  }

  /**
   * Handles the signal by running coordinated shutdown with a reason of its own, which leaves the
   * cluster and (exit-jvm) exits 0. Without this, Akka's JVM shutdown hook still leaves the cluster,
   * but the JVM then reports the signal (exit 143 for SIGTERM). Where the signal cannot be handled
   * (e.g. -Xrs), that hook remains.
   */
  @SuppressWarnings("sunapi")
  private static void leaveOn(String name, ActorSystem<?> system) {
    try {
      Signal.handle(new Signal(name), signal -> CoordinatedShutdown.get(system).runAll(new NodeShutdown.Signalled(name)));
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      // not handled on this platform: the JVM shutdown hook leaves the cluster instead
    }
  }

  private static String rootCause(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message = cause.getMessage();
    return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message.strip().replaceAll("\\s*\\R\\s*", "; ");
  }
}
