package org.dmaemu.node.cli;

import java.io.PrintWriter;
import java.time.Duration;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.dmaemu.node.scenario.ScenarioRun;

/**
 * The progress of a scenario run on stderr: a bar on a terminal, a plain line every ten seconds
 * otherwise; nothing for runs that end within {@link #QUIET_START}, and nothing with {@code --quiet}.
 * Counts DMA requests ended (of the total when the scenario fixes a request count).
 */
final class ProgressReporter implements ScenarioRun.Progress, AutoCloseable {

  static final Duration QUIET_START = Duration.ofSeconds(3);

  private final PrintWriter err;
  private final boolean silent;
  private final long startNanos = System.nanoTime();
  private ProgressBar bar;

  private ProgressReporter(PrintWriter err, boolean silent) {
    this.err = err;
    this.silent = silent;
  }

  static ProgressReporter open(PrintWriter err, boolean silent) {
    return new ProgressReporter(err, silent);
  }

  @Override
  public void update(long ended, long expected) {
    if (silent || System.nanoTime() - startNanos < QUIET_START.toNanos()) {
      return;
    }
    if (bar == null) {
      boolean terminal = System.console() != null;
      ProgressBarBuilder builder = new ProgressBarBuilder()
          .setTaskName("requests")
          .setInitialMax(expected > 0 ? expected : -1)
          .setStyle(ProgressBarStyle.ASCII)
          .setUpdateIntervalMillis(terminal ? 250 : 10_000)
          .showSpeed();
      builder.setConsumer(terminal
          ? new ConsoleProgressBarConsumer(System.err)
          : new DelegatingProgressBarConsumer(line -> {
              err.println(line.strip());
              err.flush();
            }));
      bar = builder.build();
    }
    bar.stepTo(ended);
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
