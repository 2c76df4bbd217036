package org.dmaemu.node.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.dmaemu.fault.Fault;
import org.dmaemu.node.cluster.NodeFaults;
import org.dmaemu.time.NodeClock;

/**
 * The node faults of a {@code dmaemu cluster} run, carried out on the child processes it started:
 * node 1 is the command's own JVM (no fault may hit it), node {@code k ≥ 2} the {@code (k-1)}-th
 * child. A crash is SIGKILL ({@link Process#destroyForcibly()}); a pause is SIGSTOP, then SIGCONT
 * after the pause's real length ({@code kill -STOP/-CONT}, so Linux or macOS). Each action is
 * written to stderr and appended to the node's own log, with the fault's id. {@link #close()}
 * continues every node still paused, so that the nodes can then be stopped.
 */
final class ChildNodeFaults implements NodeFaults, AutoCloseable {

  private final List<String> addresses;
  private final List<Process> children;
  private final List<Path> logs;
  private final PrintWriter err;
  private final Set<Process> paused = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "dmaemu-node-faults");
    t.setDaemon(true);
    return t;
  });

  /**
   * @param addresses every node's address, node 1 first
   * @param children the child processes, node 2 first
   * @param logs their log files, in the same order
   */
  ChildNodeFaults(List<String> addresses, List<Process> children, List<Path> logs, PrintWriter err) {
    this.addresses = List.copyOf(addresses);
    this.children = children;
    this.logs = logs;
    this.err = err;
  }

  @Override
  public List<String> addresses() {
    return addresses;
  }

  @Override
  public CompletionStage<Action> execute(Fault.NodeFault fault, Duration realLength) {
    return CompletableFuture.supplyAsync(() -> act(fault, realLength), worker);
  }

  private Action act(Fault.NodeFault fault, Duration realLength) {
    int k = fault.node() - 2;
    if (k < 0 || k >= children.size()) {
      throw new IllegalArgumentException("node " + fault.node() + " is not a child node of this cluster");
    }
    Process p = children.get(k);
    String where = "node " + fault.node() + " (pid " + p.pid() + ", " + addresses.get(fault.node() - 1) + ")";
    if (!p.isAlive()) {
      throw new IllegalStateException(where + " had exited already, with exit code " + p.exitValue());
    }
    long wall = NodeClock.wallClockMicros();
    String what;
    if (fault.kind() == Fault.NodeFaultKind.CRASH) {
      p.destroyForcibly();
      what = "SIGKILL to " + where;
    } else {
      signal(p, "STOP");
      paused.add(p);
      worker.schedule(() -> resume(fault, p, k), realLength.toNanos(), TimeUnit.NANOSECONDS);
      what = String.format(Locale.ROOT, "SIGSTOP to %s; SIGCONT in %.1f s", where, realLength.toNanos() / 1e9);
    }
    say(k, "fault " + fault.id() + " (" + fault.describe() + "): " + what);
    return new Action(wall, what);
  }

  private void resume(Fault.NodeFault fault, Process p, int k) {
    if (paused.remove(p)) {
      signal(p, "CONT");
      say(k, "fault " + fault.id() + " over: SIGCONT to node " + fault.node() + " (pid " + p.pid() + ")");
    }
  }

  private static void signal(Process p, String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).redirectErrorStream(true).start();
      String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + p.pid() + " failed" + (out.isEmpty() ? "" : ": " + out));
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run kill -" + signal + " (node faults need kill(1)): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending SIG" + signal, e);
    }
  }

  /** One line on stderr and in the node's log (appended: the node writes its log in append mode too). */
  private void say(int k, String line) {
    synchronized (err) {
      err.println("dmaemu cluster: " + line);
      err.flush();
    }
    try {
      Files.writeString(logs.get(k), Instant.now() + " dmaemu cluster: " + line + System.lineSeparator(),
          StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      synchronized (err) {
        err.println("dmaemu cluster: cannot write to " + logs.get(k) + ": " + e.getMessage());
      }
    }
  }

  /** Continues every node still paused; no fault acts after this. */
  @Override
  public void close() {
    worker.shutdownNow();
    for (Process p : paused) {
      if (paused.remove(p) && p.isAlive()) {
        try {
          signal(p, "CONT");
        } catch (IllegalStateException e) {
          // The node is killed next anyway: SIGKILL ends a stopped process too.
        }
      }
    }
  }
}
