package org.dmaemu.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.dmaemu.node.cluster.NodeConfig.Discovery;
import org.dmaemu.node.cluster.NodeConfig.Setting;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** DESIGN §9: a node's settings from flags and environment, and the Akka settings they become. */
class NodeConfigTest {

  @Test
  @DisplayName("defaults: 127.0.0.1:25520, its own seed, role dmaemu, no TLS, no management")
  void defaults() {
    NodeConfig node = NodeConfig.fromEnvironment(Map.of());
    assertEquals("127.0.0.1", node.host());
    assertEquals("127.0.0.1", node.bindHost());
    assertEquals(25520, node.port());
    assertEquals(List.of("127.0.0.1:25520"), node.seedNodes());
    assertEquals(List.of("dmaemu"), node.roles());
    assertNull(node.tlsDir());
    assertEquals(0, node.managementPort());
    assertEquals(Discovery.CONFIG, node.discovery());
    assertEquals(Duration.ofSeconds(30), node.joinTimeout());

    Config c = node.resolve(ConfigFactory.load(), false);
    assertEquals("cluster", c.getString("akka.actor.provider"));
    assertEquals("127.0.0.1", c.getString("akka.remote.artery.canonical.hostname"));
    assertEquals(25520, c.getInt("akka.remote.artery.canonical.port"));
    assertEquals("127.0.0.1", c.getString("akka.remote.artery.bind.hostname"));
    assertEquals("tcp", c.getString("akka.remote.artery.transport"));
    assertEquals(List.of("akka://dmaemu@127.0.0.1:25520"), c.getStringList("akka.cluster.seed-nodes"));
    assertEquals(List.of("dmaemu"), c.getStringList("akka.cluster.roles"));
  }

  @Test
  @DisplayName("the environment sets every setting")
  void environment(@TempDir Path dir) throws IOException {
    Path tls = tlsDir(dir);
    NodeConfig node =
        NodeConfig.fromEnvironment(
            Map.of(
                "DMAEMU_HOST", "node2",
                "DMAEMU_BIND_HOST", "0.0.0.0",
                "DMAEMU_PORT", "25600",
                "DMAEMU_SEED_NODES", "node1:25520, node2:25600",
                "DMAEMU_ROLES", "devices,adapters",
                "DMAEMU_TLS_DIR", tls.toString(),
                "DMAEMU_MANAGEMENT_PORT", "8600",
                "DMAEMU_JOIN_TIMEOUT", "2m"));
    assertEquals(
        new NodeConfig("node2", "0.0.0.0", 25600, List.of("node1:25520", "node2:25600"), List.of("devices", "adapters"),
            tls, 8600, Discovery.CONFIG, 0, Duration.ofMinutes(2)),
        node);
    assertEquals(List.of("akka://dmaemu@node1:25520", "akka://dmaemu@node2:25600"), node.seedAddresses());
  }

  @Test
  @DisplayName("a flag wins over its environment variable; blank variables count as unset")
  void flagsOverrideEnvironment() {
    NodeConfig node =
        NodeConfig.from(
            Map.of(Setting.PORT, "25700", Setting.ROLES, "a"),
            Map.of("DMAEMU_PORT", "25600", "DMAEMU_ROLES", "b", "DMAEMU_HOST", "  ", "DMAEMU_SEED_NODES", "h:1"));
    assertEquals(25700, node.port());
    assertEquals(List.of("a"), node.roles());
    assertEquals("127.0.0.1", node.host());
    assertEquals(List.of("h:1"), node.seedNodes());
  }

  static Stream<Arguments> badSettings() {
    return Stream.of(
        Arguments.of(Map.of(Setting.PORT, "0"), Map.of(), "--port must be a port number 1-65535 (got '0')"),
        Arguments.of(Map.of(), Map.of("DMAEMU_PORT", "x"), "DMAEMU_PORT must be a port number 1-65535 (got 'x')"),
        Arguments.of(Map.of(Setting.MANAGEMENT_PORT, "70000"), Map.of(),
            "--management-port must be a port number 1-65535, or 0 for none (got '70000')"),
        Arguments.of(Map.of(Setting.SEED_NODES, "127.0.0.1"), Map.of(),
            "--seed-nodes must be comma-separated host:port pairs, e.g. 127.0.0.1:25520 (got '127.0.0.1')"),
        Arguments.of(Map.of(), Map.of("DMAEMU_SEED_NODES", "a:1,,b:2"),
            "DMAEMU_SEED_NODES must be comma-separated host:port pairs, e.g. 127.0.0.1:25520 (got 'a:1,,b:2')"),
        Arguments.of(Map.of(Setting.ROLES, "a b"), Map.of(),
            "--roles must be comma-separated names of letters, digits, '.', '_', '-' (not starting with dc-) (got 'a b')"),
        Arguments.of(Map.of(Setting.DISCOVERY, "dns"), Map.of(), "--discovery must be config or kubernetes (got 'dns')"),
        Arguments.of(Map.of(Setting.JOIN_TIMEOUT, "30"), Map.of(),
            "--join-timeout must be a positive duration with a unit, such as 30s or 2m (got '30')"),
        Arguments.of(Map.of(Setting.HOST, "a b"), Map.of(), "--host must be a host name or IP address (got 'a b')"),
        Arguments.of(Map.of(Setting.TLS_DIR, "/nonexistent-dmaemu-tls"), Map.of(),
            "--tls-dir is not a directory (got '/nonexistent-dmaemu-tls')"),
        Arguments.of(Map.of(Setting.DISCOVERY, "kubernetes", Setting.SEED_NODES, "a:1"), Map.of(),
            "--seed-nodes cannot be used with discovery kubernetes (bootstrap finds the nodes)"),
        Arguments.of(Map.of(Setting.REQUIRED_CONTACT_POINTS, "3"), Map.of(),
            "--required-contact-points applies to discovery kubernetes only"),
        Arguments.of(Map.of(Setting.DISCOVERY, "kubernetes"), Map.of("DMAEMU_MANAGEMENT_PORT", "0"),
            "DMAEMU_MANAGEMENT_PORT must be a port number 1-65535 (got '0')"));
  }

  @ParameterizedTest(name = "{2}")
  @MethodSource("badSettings")
  @DisplayName("§8 a bad setting is refused with a message naming its flag or variable")
  void badSetting(Map<Setting, String> flags, Map<String, String> env, String message) {
    NodeConfig.InvalidSetting e = assertThrows(NodeConfig.InvalidSetting.class, () -> NodeConfig.from(flags, env));
    assertEquals(message, e.getMessage());
  }

  @Test
  @DisplayName("a TLS directory without one of its files is refused, naming the file")
  void tlsDirMissingFile(@TempDir Path dir) throws IOException {
    Path tls = tlsDir(dir);
    Files.delete(tls.resolve(NodeConfig.Tls.TRUST_STORE));
    NodeConfig.InvalidSetting e =
        assertThrows(NodeConfig.InvalidSetting.class, () -> NodeConfig.from(Map.of(Setting.TLS_DIR, tls.toString()), Map.of()));
    assertEquals("--tls-dir has no readable truststore.p12 (deploy/tls/make-certs.sh writes it) (got '" + tls + "')", e.getMessage());
  }

  @Test
  @DisplayName("split brain resolver: keep-majority, stable-after 7 s; a node that cannot join shuts down")
  void downing() {
    Config c = NodeConfig.fromEnvironment(Map.of("DMAEMU_JOIN_TIMEOUT", "45s")).resolve(ConfigFactory.load(), false);
    assertEquals("akka.cluster.sbr.SplitBrainResolverProvider", c.getString("akka.cluster.downing-provider-class"));
    assertEquals("keep-majority", c.getString("akka.cluster.split-brain-resolver.active-strategy"));
    assertEquals(Duration.ofSeconds(7), c.getDuration("akka.cluster.split-brain-resolver.stable-after"));
    assertEquals(Duration.ofSeconds(45), c.getDuration("akka.cluster.shutdown-after-unsuccessful-join-seed-nodes"));
    assertTrue(c.getBoolean("akka.coordinated-shutdown.run-by-jvm-shutdown-hook"));
  }

  @Test
  @DisplayName("exit-jvm only where asked; downed or never joined exits 1")
  void exitJvm() {
    NodeConfig node = NodeConfig.fromEnvironment(Map.of());
    assertFalse(node.resolve(ConfigFactory.load(), false).getBoolean("akka.coordinated-shutdown.exit-jvm"));
    Config cli = node.resolve(ConfigFactory.load(), true);
    assertTrue(cli.getBoolean("akka.coordinated-shutdown.exit-jvm"));
    for (String reason : List.of("ClusterDowningReason$", "ClusterJoinUnsuccessfulReason$")) {
      assertEquals(1, cli.getInt("akka.coordinated-shutdown.reason-overrides.\"akka.actor.CoordinatedShutdown$" + reason + "\".exit-code"));
    }
    assertEquals(0, cli.getInt("akka.coordinated-shutdown.exit-code"));
  }

  @Test
  @DisplayName("TLS: tls-tcp, PKCS12 stores from the directory, passwords from its files, mutual authentication")
  void tls(@TempDir Path dir) throws IOException {
    Path tls = tlsDir(dir);
    Config c = NodeConfig.fromEnvironment(Map.of("DMAEMU_TLS_DIR", tls.toString())).resolve(ConfigFactory.load(), false);
    String engine = "akka.remote.artery.ssl.config-ssl-engine.";
    assertEquals("tls-tcp", c.getString("akka.remote.artery.transport"));
    assertEquals(tls.resolve("keystore.p12").toString(), c.getString(engine + "key-store"));
    assertEquals(tls.resolve("truststore.p12").toString(), c.getString(engine + "trust-store"));
    assertEquals("key-secret", c.getString(engine + "key-store-password"));
    assertEquals("key-secret", c.getString(engine + "key-password"));
    assertEquals("trust-secret", c.getString(engine + "trust-store-password"));
    assertTrue(c.getBoolean(engine + "require-mutual-authentication"));
  }

  @Test
  @DisplayName("kubernetes: management on 8558, bootstrap through the API with label app=dmaemu, no seed nodes")
  void kubernetes() {
    NodeConfig node =
        NodeConfig.fromEnvironment(Map.of("DMAEMU_DISCOVERY", "kubernetes", "DMAEMU_HOST", "10.1.2.3", "DMAEMU_REQUIRED_CONTACT_POINTS", "3"));
    assertEquals(8558, node.managementPort());
    assertEquals(List.of(), node.seedNodes());
    Config c = node.resolve(ConfigFactory.load(), false);
    assertEquals(List.of(), c.getStringList("akka.cluster.seed-nodes"));
    assertEquals("10.1.2.3", c.getString("akka.management.http.hostname"));
    assertEquals(8558, c.getInt("akka.management.http.port"));
    String bootstrap = "akka.management.cluster.bootstrap.contact-point-discovery.";
    assertEquals("kubernetes-api", c.getString(bootstrap + "discovery-method"));
    assertEquals("management", c.getString(bootstrap + "port-name"));
    assertEquals(3, c.getInt(bootstrap + "required-contact-point-nr"));
    assertEquals("app=dmaemu", c.getString("akka.discovery.kubernetes-api.pod-label-selector"));
    assertEquals("akka.management.HealthCheckRoutes", c.getString("akka.management.http.routes.health-checks"));
    assertEquals(
        "akka.management.cluster.scaladsl.ClusterMembershipCheck",
        c.getString("akka.management.health-checks.readiness-checks.cluster-membership"));
  }

  @Test
  @DisplayName("a system property still wins over the node's settings")
  void systemPropertyWins() {
    String key = "akka.cluster.split-brain-resolver.stable-after";
    System.setProperty(key, "10s");
    try {
      ConfigFactory.invalidateCaches();
      Config c = NodeConfig.fromEnvironment(Map.of()).resolve(ConfigFactory.load(), false);
      assertEquals(Duration.ofSeconds(10), c.getDuration(key));
    } finally {
      System.clearProperty(key);
      ConfigFactory.invalidateCaches();
    }
  }

  private static Path tlsDir(Path parent) throws IOException {
    Path tls = Files.createDirectories(parent.resolve("tls"));
    Files.writeString(tls.resolve(NodeConfig.Tls.KEY_STORE), "not read here");
    Files.writeString(tls.resolve(NodeConfig.Tls.TRUST_STORE), "not read here");
    Files.writeString(tls.resolve(NodeConfig.Tls.KEY_STORE_PASSWORD), "key-secret\n");
    Files.writeString(tls.resolve(NodeConfig.Tls.TRUST_STORE_PASSWORD), "trust-secret\n");
    return tls;
  }
}
