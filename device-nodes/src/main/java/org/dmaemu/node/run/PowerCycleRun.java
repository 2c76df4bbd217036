package org.dmaemu.node.run;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.dmaemu.node.workload.DefaultWorkload;
import org.dmaemu.node.workload.Workload;

/**
 * An embedded power-cycle run: one actor system named {@value #SYSTEM_NAME} in this JVM, N devices,
 * each sent AddDevice → StartDevice → (SetDevicePower(D3) → SetDevicePower(D0)) × cycles →
 * RemoveDevice by the emulated PnP manager. {@code dmaemu run} and the benchmarks both start runs here.
 *
 * <pre>{@code
 * RunHandle run = PowerCycleRun.start(PowerCycleRun.Options.defaults().withDevices(100));
 * RunSummary summary = run.summary().toCompletableFuture().join();
 * run.terminate().toCompletableFuture().join();
 * }</pre>
 */
public final class PowerCycleRun {

  public static final String SYSTEM_NAME = "dmaemu";

  private static final int TRACE_BUFFER_BYTES = 1 << 16;

  private PowerCycleRun() {}

  /**
   * What to run.
   *
   * @param seed the run seed; the same seed gives the same per-device outcomes
   * @param devices how many devices, at least 1
   * @param cycles D0 → D3 → D0 cycles per device, at least 0
   * @param trace where to write the Chrome Trace Event file, or {@code null} for none
   * @param timeScale emulated microseconds per real microsecond ({@code dmaemu.clock.time-scale})
   * @param stopAfterStart send only AddDevice and StartDevice, and leave the devices alive in D0
   *     until {@link RunHandle#terminate()} (to measure what idle devices cost)
   * @param keepDeviceOutcomes put every device's outcome into the summary
   * @param timeout how long the run waits while no device reaches its final answer before it
   *     counts the rest as unaccounted, whether requests still end or not; {@code null} for half a
   *     minute plus two hang deadlines without a final answer or any request ending
   */
  public record Options(
      long seed,
      int devices,
      int cycles,
      Path trace,
      double timeScale,
      boolean stopAfterStart,
      boolean keepDeviceOutcomes,
      Duration timeout) {

    public Options {
      if (devices < 1) {
        throw new IllegalArgumentException("devices must be at least 1, got " + devices);
      }
      if (cycles < 0) {
        throw new IllegalArgumentException("cycles must not be negative, got " + cycles);
      }
      if (!(timeScale > 0) || Double.isInfinite(timeScale)) {
        throw new IllegalArgumentException("time scale must be a positive number, got " + timeScale);
      }
      if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
        throw new IllegalArgumentException("timeout must be positive, got " + timeout);
      }
    }

    public Options(long seed, int devices, int cycles, Path trace, double timeScale, boolean stopAfterStart) {
      this(seed, devices, cycles, trace, timeScale, stopAfterStart, false, null);
    }

    /** {@code dmaemu run}'s defaults: seed 1, 1000 devices, 3 cycles, no trace, time scale 1. */
    public static Options defaults() {
      return new Options(1, 1000, 3, null, 1.0, false);
    }

    public Options withSeed(long s) {
      return new Options(s, devices, cycles, trace, timeScale, stopAfterStart, keepDeviceOutcomes, timeout);
    }

    public Options withDevices(int n) {
      return new Options(seed, n, cycles, trace, timeScale, stopAfterStart, keepDeviceOutcomes, timeout);
    }

    public Options withCycles(int n) {
      return new Options(seed, devices, n, trace, timeScale, stopAfterStart, keepDeviceOutcomes, timeout);
    }

    public Options withTrace(Path file) {
      return new Options(seed, devices, cycles, file, timeScale, stopAfterStart, keepDeviceOutcomes, timeout);
    }

    public Options withTimeScale(double scale) {
      return new Options(seed, devices, cycles, trace, scale, stopAfterStart, keepDeviceOutcomes, timeout);
    }

    public Options withStopAfterStart(boolean stop) {
      return new Options(seed, devices, cycles, trace, timeScale, stop, keepDeviceOutcomes, timeout);
    }

    public Options withKeepDeviceOutcomes(boolean keep) {
      return new Options(seed, devices, cycles, trace, timeScale, stopAfterStart, keep, timeout);
    }

    public Options withTimeout(Duration d) {
      return new Options(seed, devices, cycles, trace, timeScale, stopAfterStart, keepDeviceOutcomes, d);
    }
  }

  /** Starts a run of the {@link DefaultWorkload} with the configuration on the class path. */
  public static RunHandle start(Options options) throws IOException {
    return start(options, DefaultWorkload.standard(), ConfigFactory.load());
  }

  /**
   * Starts a run; returns at once. The trace file is opened here, so that a path that cannot be
   * written fails before any actor starts.
   *
   * @param config the actor system's configuration; {@code dmaemu.clock.time-scale} is set from the options
   * @throws IOException when the trace file cannot be opened for writing
   */
  public static RunHandle start(Options options, Workload workload, Config config) throws IOException {
    OutputStream trace = options.trace() == null ? null : openTrace(options.trace());
    Config withClock =
        ConfigFactory.parseMap(Map.of("dmaemu.clock.time-scale", options.timeScale())).withFallback(config);
    try {
      ActorSystem<RunGuardian.Command> system =
          ActorSystem.create(RunGuardian.create(options, workload, trace), SYSTEM_NAME, withClock);
      RunHandle handle = new RunHandle(system, options);
      // Akka registers its JVM shutdown hook only once coordinated shutdown is in use: without this
      // task, SIGTERM or Ctrl-C would end the JVM with the trace file cut off mid-event.
      CoordinatedShutdown.get(system)
          .addTask(
              CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
              "dmaemu-close-trace",
              () -> handle.closeTrace().thenApply(report -> Done.getInstance()));
      return handle;
    } catch (RuntimeException e) {
      if (trace != null) {
        trace.close();
      }
      throw e;
    }
  }

  /** Runs to the end and shuts down: the summary, with the trace (if any) closed. */
  public static CompletionStage<RunSummary> run(Options options) throws IOException {
    RunHandle handle = start(options);
    return handle.summary().thenCompose(summary -> handle.terminate().thenApply(trace -> summary));
  }

  /**
   * How long a run waits while no device reaches its final answer and no request ends before it
   * gives up on the rest: {@code dmaemu.stall-after} (half a minute) plus two hang deadlines, many
   * times what a loaded machine needs between answers.
   */
  public static Duration defaultStallTimeout(Config config, Duration realDeadline) {
    return config.getDuration("dmaemu.stall-after").plus(realDeadline.multipliedBy(2));
  }

  private static OutputStream openTrace(Path file) throws IOException {
    if (Files.isDirectory(file)) {
      throw new FileSystemException(file.toString(), null, "is a directory");
    }
    return new BufferedOutputStream(Files.newOutputStream(file), TRACE_BUFFER_BYTES);
  }
}
