package org.dmaemu.node.cli;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;
import org.dmaemu.node.cluster.NodeConfig;
import org.dmaemu.node.cluster.NodeConfig.Setting;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * A short-lived member of a running cluster for {@code run --join} and {@code inspect}: it joins
 * through the seed nodes with the role {@value #ROLE}, so it hosts no device, adapter or
 * coordinator, and leaves when its system terminates.
 */
final class ClientNode {
  static final String ROLE = "client";

  private ClientNode() {}

  /**
   * @param seeds {@code HOST:PORT,...} of members to join through
   * @param host the address the cluster's nodes reach this JVM at; {@code null}: 127.0.0.1
   */
  static ActorSystem<Void> join(CommandSpec spec, String seeds, String host) {
    Map<Setting, String> flags = new EnumMap<>(Setting.class);
    flags.put(Setting.HOST, host != null ? host : NodeConfig.DEFAULT_HOST);
    flags.put(Setting.SEED_NODES, seeds);
    flags.put(Setting.ROLES, ROLE);
    NodeConfig client;
    try {
      flags.put(Setting.PORT, Integer.toString(ClusterCommand.freePorts(1).get(0)));
      // The environment still counts (DMAEMU_TLS_DIR: a cluster with TLS takes only clients with a certificate).
      client = NodeConfig.from(flags, System.getenv());
    } catch (NodeConfig.InvalidSetting e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    } catch (IOException e) {
      throw new ParameterException(spec.commandLine(), "no free port on 127.0.0.1: " + RunCommand.reason(e));
    }
    // Leaving makes Artery log the closed connections as warnings; a client reports its failures itself.
    return ActorSystem.create(Behaviors.empty(), NodeConfig.SYSTEM_NAME,
        ConfigFactory.parseString("akka.loglevel = ERROR").withFallback(client.resolve(ConfigFactory.load(), false)));
  }

  /** Leaves the cluster and stops. */
  static void leave(ActorSystem<?> system) {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().join();
  }
}
