package org.dmaemu.node.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Helpers for tests that start cluster nodes on 127.0.0.1. */
final class ClusterTesting {

  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  private ClusterTesting() {}

  /**
   * A port that was free a moment ago on 127.0.0.1, never the same one twice in this JVM. Seed
   * nodes need a known port, so port 0 will not do.
   */
  static synchronized int freePort() {
    for (int attempt = 0; attempt < 20; attempt++) {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
        int port = socket.getLocalPort();
        if (HANDED_OUT.add(port)) {
          return port;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalStateException("no free port on 127.0.0.1");
  }

  /** Settings for a node on 127.0.0.1: pairs of setting and value, as if given as flags. */
  static NodeConfig node(Object... settingsAndValues) {
    Map<NodeConfig.Setting, String> flags = new EnumMap<>(NodeConfig.Setting.class);
    for (int i = 0; i < settingsAndValues.length; i += 2) {
      flags.put((NodeConfig.Setting) settingsAndValues[i], String.valueOf(settingsAndValues[i + 1]));
    }
    flags.putIfAbsent(NodeConfig.Setting.HOST, "127.0.0.1");
    return NodeConfig.from(flags, Map.of());
  }

  /**
   * The node's whole configuration as a test runs it: messages serialized, the JVM left alone, and
   * several cluster nodes allowed in one JVM.
   */
  static Config config(NodeConfig node) {
    Config test =
        ConfigFactory.parseString("akka.actor.serialize-messages = on\nakka.cluster.jmx.multi-mbeans-in-same-jvm = on");
    return node.resolve(test.withFallback(ConfigFactory.load()), false);
  }

  /** The repository's deploy/ directory (tests run in device-nodes/). */
  static Path deployDir() {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent().resolve("deploy");
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException("no deploy/ directory next to " + System.getProperty("user.dir"));
    }
    return dir;
  }
}
