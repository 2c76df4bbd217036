package org.dmaemu.node.cluster;

import static org.dmaemu.node.cluster.ClusterTesting.config;
import static org.dmaemu.node.cluster.ClusterTesting.freePort;
import static org.dmaemu.node.cluster.ClusterTesting.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.SelfUp;
import akka.cluster.typed.Subscribe;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.dmaemu.node.cluster.NodeConfig.Setting;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §9: akka-management's health checks as Kubernetes probes use them. A node that is Up is
 * ready; a node that cannot join is alive but not ready.
 */
class ManagementHealthTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private static NodeConfig upNode;
  private static NodeConfig lonelyNode;
  private static ActorTestKit up;
  private static ActorTestKit lonely;

  @BeforeAll
  static void start() {
    int port = freePort();
    upNode = node(Setting.PORT, port, Setting.MANAGEMENT_PORT, freePort());
    up = ActorTestKit.create(NodeConfig.SYSTEM_NAME, config(upNode));
    // Its only seed is a port nobody listens on: it never joins (and gives up after a minute).
    lonelyNode = node(Setting.PORT, freePort(), Setting.SEED_NODES, "127.0.0.1:" + freePort(),
        Setting.MANAGEMENT_PORT, freePort(), Setting.JOIN_TIMEOUT, "60s");
    lonely = ActorTestKit.create(NodeConfig.SYSTEM_NAME, config(lonelyNode));
    upNode.startManagement(up.system()).toCompletableFuture().join();
    lonelyNode.startManagement(lonely.system()).toCompletableFuture().join();
  }

  @AfterAll
  static void stop() {
    lonely.shutdownTestKit();
    up.shutdownTestKit();
  }

  @Test
  @DisplayName("§9 /alive answers 200, and /ready 200 once the node is Up")
  void readyOnceUp() {
    TestProbe<SelfUp> selfUp = up.createTestProbe();
    Cluster.get(up.system()).subscriptions().tell(Subscribe.create(selfUp.getRef(), SelfUp.class));
    selfUp.expectMessageClass(SelfUp.class, WAIT);
    selfUp.awaitAssert(WAIT, () -> {
      assertEquals(200, status(upNode, "/alive"));
      assertEquals(200, status(upNode, "/ready"));
      return null;
    });
  }

  @Test
  @DisplayName("§9 a node that has not joined is alive (200) but not ready (500, akka-management's failed check)")
  void notReadyUntilJoined() throws Exception {
    TestProbe<Void> probe = lonely.createTestProbe();
    probe.awaitAssert(WAIT, () -> {
      assertEquals(200, status(lonelyNode, "/alive"));
      return null;
    });
    HttpResponse<String> ready = get(lonelyNode, "/ready");
    assertEquals(500, ready.statusCode(), ready.body());
    assertTrue(ready.body().contains("Not Healthy"), ready.body());
  }

  private static int status(NodeConfig node, String path) throws Exception {
    return get(node, path).statusCode();
  }

  private static HttpResponse<String> get(NodeConfig node, String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.managementPort() + path)).timeout(Duration.ofSeconds(2)).build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
