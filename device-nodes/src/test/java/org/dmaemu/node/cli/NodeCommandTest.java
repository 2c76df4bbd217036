package org.dmaemu.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.dmaemu.node.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code dmaemu node} (DESIGN §8, §9). Bad input is checked in this JVM; a node's life runs in child
 * JVMs, since the node exits its JVM when it is done (coordinated shutdown's exit-jvm).
 */
class NodeCommandTest {

  private static final long WAIT_SECONDS = 40;

  private final List<Process> started = new ArrayList<>();
  /** Readers of the children's pipes block, so they get threads of their own, not the common pool's two. */
  private final ExecutorService readers = Executors.newCachedThreadPool();

  @AfterEach
  void stopChildren() throws InterruptedException {
    for (Process p : started) {
      if (p.isAlive()) {
        p.destroyForcibly();
        p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS);
      }
    }
    readers.shutdownNow();
  }

  static Stream<Arguments> badArguments() {
    return Stream.of(
        Arguments.of(List.of("node", "--port", "x"), "dmaemu: --port must be a port number 1-65535 (got 'x')"),
        Arguments.of(List.of("node", "--discovery", "dns"), "dmaemu: --discovery must be config or kubernetes (got 'dns')"),
        Arguments.of(List.of("node", "--seed-nodes", "h"),
            "dmaemu: --seed-nodes must be comma-separated host:port pairs, e.g. 127.0.0.1:25520 (got 'h')"),
        Arguments.of(List.of("node", "--tls-dir", "/nonexistent-dmaemu-tls"),
            "dmaemu: --tls-dir is not a directory (got '/nonexistent-dmaemu-tls')"),
        Arguments.of(List.of("node", "--join-timeout", "soon"),
            "dmaemu: --join-timeout must be a positive duration with a unit, such as 30s or 2m (got 'soon')"),
        Arguments.of(List.of("node", "--bogus"), "dmaemu: unknown option: '--bogus'; see 'dmaemu node --help'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badArguments")
  @DisplayName("§8 bad input: exit code 2, one line on stderr naming the flag, nothing started")
  void badInput(List<String> args, String message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        Main.execute(
            args.toArray(String[]::new),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(Main.BAD_INPUT, exit);
    assertEquals(List.of(message), err.toString(StandardCharsets.UTF_8).lines().toList());
    assertEquals("", out.toString(StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("§9 two nodes form a cluster, each prints its Up line; SIGTERM: each leaves and exits 0")
  void upThenLeaveOnSigterm() throws Exception {
    // Node 1 takes its port from the environment; node 2's flag wins over a bad variable. Node 2 starts once
    // node 1 is up, so it joins through a seed node that is there.
    Up node1 = startUp("dmaemu", port -> node(Map.of("DMAEMU_PORT", Integer.toString(port))));
    Up node2 = startUp("devices,adapters", port -> node(Map.of("DMAEMU_PORT", "not-a-port"), "--port", Integer.toString(port),
        "--seed-nodes", "127.0.0.1:" + node1.port(), "--roles", "devices,adapters"));

    for (Up node : List.of(node2, node1)) {
      node.process().toHandle().destroy(); // SIGTERM on Unix; Process.destroy would also close our end of its pipes
      assertTrue(node.process().waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "the node did not exit after SIGTERM");
      String stderr = node.stderr().get(WAIT_SECONDS, TimeUnit.SECONDS);
      assertEquals(0, node.process().exitValue(), stderr);
      assertTrue(stderr.contains("dmaemu: SIGTERM: leaving the cluster"), stderr);
    }
  }

  @Test
  @DisplayName("§9 a node that cannot join within --join-timeout exits 1 with one line saying so")
  void joinTimeout() throws Exception {
    int deadSeed = freePort();
    Process node = node(Map.of(), "--port", Integer.toString(freePort()), "--seed-nodes", "127.0.0.1:" + deadSeed, "--join-timeout", "2s");
    CompletableFuture<String> out = rest(node.getInputStream());
    CompletableFuture<String> err = rest(node.getErrorStream());
    assertTrue(node.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "the node did not give up");
    String stderr = err.get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertEquals(1, node.exitValue(), stderr);
    assertEquals("", out.get(WAIT_SECONDS, TimeUnit.SECONDS));
    List<String> ours = stderr.lines().filter(l -> l.startsWith("dmaemu: ")).toList();
    assertEquals(
        List.of("dmaemu: could not join the cluster through seed nodes 127.0.0.1:" + deadSeed + " within 2 s; is a seed node"
            + " running and reachable (same TLS CA if --tls-dir is used)?"),
        ours);
  }

  /** A node child that printed its Up line, its port, and all it writes on stderr (drained from its start). */
  private record Up(Process process, int port, CompletableFuture<String> stderr) {}

  private interface NodeOnPort {
    Process start(int port) throws IOException;
  }

  /**
   * Starts a node on a free port and waits for its Up line. The port was free a moment before the node binds
   * it; if something took it in between, the node exits 1 saying "Address already in use", and it is tried
   * again on another port. Any other first line fails the test with the node's stderr.
   */
  private Up startUp(String roles, NodeOnPort start) throws Exception {
    for (int attempt = 1; ; attempt++) {
      int port = freePort();
      Process process = start.start(port);
      CompletableFuture<String> stderr = rest(process.getErrorStream());
      String line = firstLine(process).get(WAIT_SECONDS, TimeUnit.SECONDS);
      String expected = "dmaemu node akka://dmaemu@127.0.0.1:" + port + " up (roles: " + roles + ")";
      if (expected.equals(line)) {
        return new Up(process, port, stderr);
      }
      String err = stderr.completeOnTimeout("(stderr still open)", 5, TimeUnit.SECONDS).get();
      boolean portTaken = err.contains("dmaemu: cannot start the node at 127.0.0.1:" + port + ": ") && err.contains("Address already in use");
      if (attempt == 3 || !portTaken) {
        assertEquals(expected, line, "the node's stderr:\n" + err);
      }
    }
  }

  /** Starts {@code dmaemu node ARGS} in a child JVM with this test's class path, on 127.0.0.1. */
  private Process node(Map<String, String> env, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.add("node");
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().keySet().removeIf(k -> k.startsWith("DMAEMU_"));
    builder.environment().putAll(env);
    Process process = builder.start();
    started.add(process);
    return process;
  }

  private CompletableFuture<String> firstLine(Process process) {
    BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    return CompletableFuture.supplyAsync(() -> {
      try {
        String line = reader.readLine();
        return line == null ? "(stdout closed without a line)" : line;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, readers);
  }

  private CompletableFuture<String> rest(InputStream in) {
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    return CompletableFuture.supplyAsync(() -> reader.lines().collect(Collectors.joining("\n")), readers);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
