package org.dmaemu.node.cluster;

import static org.dmaemu.node.cluster.ClusterTesting.config;
import static org.dmaemu.node.cluster.ClusterTesting.deployDir;
import static org.dmaemu.node.cluster.ClusterTesting.freePort;
import static org.dmaemu.node.cluster.ClusterTesting.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.Address;
import akka.cluster.ClusterEvent;
import akka.cluster.MemberStatus;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.SelfUp;
import akka.cluster.typed.Subscribe;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.security.KeyStore;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.dmaemu.node.cluster.NodeConfig.Setting;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN §9 "TLS with mutual authentication": two nodes with certificates from one CA form a cluster;
 * a third whose certificate comes from another CA can neither join nor deliver a message to an actor
 * on them, although it trusts their CA. A good node's message to the same actor arrives, so the
 * refusal is not the test's doing.
 *
 * <p>Artery's handshake goes both ways (each node answers over its own outbound connection), so the
 * rogue is refused twice: the good nodes ask for its client certificate (mutual authentication) and
 * do not trust its server certificate when they answer. The last part checks the first refusal
 * alone, with a bare TLS client.
 */
class TlsRefusalTest {

  private static final Duration JOIN_WAIT = Duration.ofSeconds(20);
  /** Long enough for a handshake and a join attempt over loopback, many times over. */
  private static final Duration REFUSAL_WAIT = Duration.ofSeconds(4);

  private static final EntityTypeKey<String> ECHO = EntityTypeKey.create(String.class, "tls-echo");

  private final List<ActorTestKit> kits = new ArrayList<>();

  @AfterEach
  void stopAll() {
    // Newest first: the rogue, then the members (each leaves the cluster as it stops).
    for (int i = kits.size() - 1; i >= 0; i--) {
      kits.get(i).shutdownTestKit();
    }
  }

  /** A sharded entity that tells the sink what it got and where it runs. */
  private static Behavior<String> echo(ActorRef<String> sink) {
    return Behaviors.setup(
        context -> {
          String self = ActorRefResolver.get(context.getSystem()).toSerializationFormat(context.getSelf());
          return Behaviors.receiveMessage(
              text -> {
                sink.tell(text + "|" + self);
                return Behaviors.same();
              });
        });
  }

  @Test
  @DisplayName("§9 a node with a certificate from another CA is refused: no membership, no message delivered")
  void rogueCertificateIsRefused(@TempDir Path dir) throws Exception {
    Path good = dir.resolve("ca-a");
    Path other = dir.resolve("ca-b");
    makeCerts(good, "good1", "good2");
    makeCerts(other, "rogue");
    // The rogue knows the good CA's certificate (it is public) and trusts it; its own key is signed by
    // the other CA. Only the good nodes' demand for a client certificate keeps it out.
    Path rogueTls = Files.createDirectories(dir.resolve("rogue-tls"));
    for (String file : List.of(NodeConfig.Tls.KEY_STORE, NodeConfig.Tls.KEY_STORE_PASSWORD)) {
      Files.copy(other.resolve("rogue").resolve(file), rogueTls.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    for (String file : List.of(NodeConfig.Tls.TRUST_STORE, NodeConfig.Tls.TRUST_STORE_PASSWORD)) {
      Files.copy(good.resolve("good1").resolve(file), rogueTls.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }

    int port1 = freePort();
    int port2 = freePort();
    int roguePort = freePort();
    String seed = "127.0.0.1:" + port1;
    ActorSystem<Void> good1 = start(node(Setting.PORT, port1, Setting.SEED_NODES, seed, Setting.TLS_DIR, good.resolve("good1")));
    ActorSystem<Void> good2 = start(node(Setting.PORT, port2, Setting.SEED_NODES, seed, Setting.TLS_DIR, good.resolve("good2")));

    // The good nodes form a cluster of two over TLS.
    awaitUp(good1);
    awaitUp(good2);
    TestProbe<Void> waiting = TestProbe.create(good1);
    waiting.awaitAssert(JOIN_WAIT, () -> {
      assertEquals(List.of(MemberStatus.up(), MemberStatus.up()), statuses(good1));
      return null;
    });
    // From here on every membership change on good1 reaches this probe; first, the two members as they are.
    TestProbe<ClusterEvent.MemberEvent> membership = TestProbe.create(good1);
    Cluster.get(good1).subscriptions().tell(Subscribe.create(membership.getRef(), ClusterEvent.MemberEvent.class));
    Set<Address> members = new HashSet<>();
    for (int i = 0; i < 2; i++) {
      members.add(membership.expectMessageClass(ClusterEvent.MemberUp.class, JOIN_WAIT).member().address());
    }
    assertEquals(Set.of(Cluster.get(good1).selfMember().address(), Cluster.get(good2).selfMember().address()), members);

    // One echo entity, on whichever good node sharding puts it; it reports to a probe on good1.
    TestProbe<String> sink = TestProbe.create(good1);
    String sinkPath = ActorRefResolver.get(good1).toSerializationFormat(sink.getRef());
    ClusterSharding.get(good1).init(Entity.of(ECHO, entity -> echo(sink.getRef())));
    ActorRef<String> sinkSeenFrom2 = ActorRefResolver.get(good2).resolveActorRef(sinkPath);
    ClusterSharding.get(good2).init(Entity.of(ECHO, entity -> echo(sinkSeenFrom2)));
    ClusterSharding.get(good1).entityRefFor(ECHO, "e1").tell("hello");
    String reply = sink.expectMessageClass(String.class, JOIN_WAIT);
    assertTrue(reply.startsWith("hello|akka://dmaemu@127.0.0.1:"), reply);
    String entityPath = reply.substring("hello|".length());

    // The rogue starts, tries to join through good1, and never becomes a member on either side.
    ActorSystem<Void> rogue = start(node(Setting.PORT, roguePort, Setting.SEED_NODES, seed,
        Setting.TLS_DIR, rogueTls, Setting.JOIN_TIMEOUT, "60s"));
    TestProbe<SelfUp> rogueUp = TestProbe.create(rogue);
    Cluster.get(rogue).subscriptions().tell(Subscribe.create(rogueUp.getRef(), SelfUp.class));
    rogueUp.expectNoMessage(REFUSAL_WAIT);
    membership.expectNoMessage(Duration.ofMillis(100));
    assertEquals(List.of(MemberStatus.up(), MemberStatus.up()), statuses(good1));
    assertEquals(List.of(MemberStatus.up(), MemberStatus.up()), statuses(good2));
    assertTrue(Cluster.get(rogue).selfMember().status() != MemberStatus.up());

    // The rogue resolves the entity's path and tells it: nothing arrives.
    ActorRefResolver.get(rogue).resolveActorRef(entityPath).tell("from-rogue");
    sink.expectNoMessage(REFUSAL_WAIT);
    assertFalse(rogue.getWhenTerminated().toCompletableFuture().isDone(), "the rogue was still running when it sent");

    // A good node that does not host the entity sends over the same TLS transport: it arrives.
    ActorSystem<Void> sender = entityPath.contains(":" + port1 + "/") ? good2 : good1;
    ActorRefResolver.get(sender).<String>resolveActorRef(entityPath).tell("from-good");
    assertEquals("from-good|" + entityPath, sink.expectMessageClass(String.class, JOIN_WAIT));

    // Mutual authentication alone: a TLS client that trusts the CA completes a handshake with good1's
    // remoting port only with a certificate from that CA.
    assertTrue(handshake(port1, good.resolve("good2"), good.resolve("good2")).isEmpty(), "a good client certificate");
    Optional<String> refused = handshake(port1, rogueTls, rogueTls);
    assertTrue(refused.isPresent(), "the rogue's client certificate was accepted");
  }

  /**
   * A TLS handshake with 127.0.0.1:port using the key store and trust store of these directories,
   * with the settings NodeConfig gives Artery; empty if it completed, else why it failed.
   */
  private static Optional<String> handshake(int port, Path keyDir, Path trustDir) throws Exception {
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    char[] keyPassword = password(keyDir.resolve(NodeConfig.Tls.KEY_STORE_PASSWORD));
    keys.init(store(keyDir.resolve(NodeConfig.Tls.KEY_STORE), keyPassword), keyPassword);
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store(trustDir.resolve(NodeConfig.Tls.TRUST_STORE), password(trustDir.resolve(NodeConfig.Tls.TRUST_STORE_PASSWORD))));
    SSLContext context = SSLContext.getInstance("TLSv1.2");
    context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setSoTimeout((int) JOIN_WAIT.toMillis());
      socket.setEnabledProtocols(new String[] {"TLSv1.2"});
      socket.startHandshake();
      return Optional.empty();
    } catch (IOException e) {
      // the server's alert, or its closing the connection while the client still writes
      return Optional.of(e.toString());
    }
  }

  private static KeyStore store(Path file, char[] password) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, password);
    }
    return store;
  }

  private static char[] password(Path file) throws IOException {
    return Files.readString(file).strip().toCharArray();
  }

  private ActorSystem<Void> start(NodeConfig node) {
    ActorTestKit kit = ActorTestKit.create(NodeConfig.SYSTEM_NAME, config(node));
    kits.add(kit);
    @SuppressWarnings("unchecked")
    ActorSystem<Void> system = (ActorSystem<Void>) (ActorSystem<?>) kit.system();
    return system;
  }

  private static void awaitUp(ActorSystem<?> system) {
    TestProbe<SelfUp> up = TestProbe.create(system);
    Cluster.get(system).subscriptions().tell(Subscribe.create(up.getRef(), SelfUp.class));
    up.expectMessageClass(SelfUp.class, JOIN_WAIT);
  }

  private static List<MemberStatus> statuses(ActorSystem<?> system) {
    List<MemberStatus> statuses = new ArrayList<>();
    Cluster.get(system).state().getMembers().forEach(m -> statuses.add(m.status()));
    return statuses;
  }

  /** Runs deploy/tls/make-certs.sh; skips the test where bash, openssl or keytool is missing. */
  private static void makeCerts(Path out, String... names) throws IOException, InterruptedException {
    for (String tool : List.of("bash", "openssl", "keytool")) {
      Assumptions.assumeTrue(onPath(tool), tool + " is not on PATH: make-certs.sh cannot run, TLS test skipped");
    }
    List<String> command = new ArrayList<>(List.of("bash", deployDir().resolve("tls/make-certs.sh").toString(), out.toString()));
    command.addAll(List.of(names));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    boolean done = process.waitFor(60, TimeUnit.SECONDS);
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!done) {
      process.destroyForcibly();
    }
    assertTrue(done && process.exitValue() == 0, "make-certs.sh failed: " + output);
  }

  private static boolean onPath(String tool) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String d : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }
}
