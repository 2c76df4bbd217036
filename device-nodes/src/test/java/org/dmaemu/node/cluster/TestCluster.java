package org.dmaemu.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Clusters of ActorSystems in this JVM, on 127.0.0.1, every message serialized. */
final class TestCluster implements AutoCloseable {

  private final List<ActorSystem<Void>> nodes = new ArrayList<>();
  private int seedPort;

  /** {@code n} nodes that join the first, each running {@link ClusterServices}; returns once all are Up. */
  static TestCluster start(int n) {
    return start(n, ConfigFactory.empty());
  }

  /** The same, every node with {@code overrides} over the test configuration. */
  static TestCluster start(int n, Config overrides) {
    TestCluster cluster = new TestCluster();
    int[] ports = new int[n];
    for (int i = 0; i < n; i++) {
      ports[i] = freePort();
    }
    cluster.seedPort = ports[0];
    try {
      for (int i = 0; i < n; i++) {
        ActorSystem<Void> system =
            ActorSystem.create(Behaviors.empty(), "dmaemu", overrides.withFallback(config(ports[i], ports[0])));
        cluster.nodes.add(system);
        ClusterServices.start(system);
      }
      cluster.awaitUp();
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** A member with the client role (as {@code dmaemu run --join} makes): it hosts nothing. Closed with the cluster. */
  ActorSystem<Void> joinClient() {
    ActorSystem<Void> client = ActorSystem.create(Behaviors.empty(), "dmaemu",
        ConfigFactory.parseString("akka.cluster.roles = [client]").withFallback(config(freePort(), seedPort)));
    nodes.add(client);
    awaitUp();
    return client;
  }

  static Config config(int port, int seedPort) {
    return ConfigFactory.parseString(
            "akka.actor.provider = cluster\n"
                + "akka.actor.serialize-messages = on\n"
                + "akka.remote.artery.canonical.hostname = \"127.0.0.1\"\n"
                + "akka.remote.artery.canonical.port = " + port + "\n"
                + "akka.cluster.seed-nodes = [\"akka://dmaemu@127.0.0.1:" + seedPort + "\"]\n"
                + "akka.cluster.roles = [\"" + Hosting.ROLE + "\"]\n"
                + "akka.cluster.jmx.multi-mbeans-in-same-jvm = on\n"
                + "akka.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n"
                + "akka.loglevel = WARNING\n"
                + "akka.log-dead-letters = off\n")
        .withFallback(ConfigFactory.load());
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first node's HOST:PORT, as a client names a cluster to join. */
  String seed() {
    return "127.0.0.1:" + seedPort;
  }

  ActorSystem<Void> node(int i) {
    return nodes.get(i);
  }

  int size() {
    return nodes.size();
  }

  /** Every node sees every node Up. */
  private void awaitUp() {
    for (ActorSystem<Void> system : nodes) {
      ActorTestKit kit = ActorTestKit.create(system);
      kit.createTestProbe().awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
        long up = 0;
        for (akka.cluster.Member m : Cluster.get(system).state().getMembers()) {
          if (m.status() == MemberStatus.up()) {
            up++;
          }
        }
        assertEquals(nodes.size(), up, system.address() + " sees members Up");
        return null;
      });
    }
  }

  /** Leaves and terminates the nodes one by one, the seed last, so that each leaves a cluster that is still there. */
  @Override
  public void close() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      ActorSystem<Void> system = nodes.get(i);
      system.terminate();
      try {
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      } catch (ExecutionException | TimeoutException e) {
        throw new IllegalStateException(system.address() + " did not terminate", e);
      }
    }
    nodes.clear();
  }
}
