package org.dmaemu.node;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dmaemu.node.cli.CheckCommand;
import org.dmaemu.node.cli.ClusterCommand;
import org.dmaemu.node.cli.InjectCommand;
import org.dmaemu.node.cli.InspectCommand;
import org.dmaemu.node.cli.NodeCommand;
import org.dmaemu.node.cli.RunCommand;
import org.dmaemu.node.cli.SweepCommand;
import org.dmaemu.node.cli.ValidateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code dmaemu}: the command line of a node. Exit codes (DESIGN §8): 0 success, 1 the run failed
 * its checks, 2 bad input — reported as one line on stderr, never as a stack trace.
 */
@Command(
    name = "dmaemu",
    description = "Emulates the Windows KMDF DMA object model for many devices at once.",
    subcommands = {
      RunCommand.class, ValidateCommand.class, SweepCommand.class, ClusterCommand.class, NodeCommand.class, InspectCommand.class,
      CheckCommand.class, InjectCommand.class
    },
    synopsisSubcommandLabel = "COMMAND",
    usageHelpAutoWidth = true)
public final class Main implements Callable<Integer> {

  public static final int OK = 0;
  public static final int RUN_FAILED = 1;
  public static final int BAD_INPUT = 2;

  private static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  @Spec private CommandSpec spec;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  private boolean help;

  public static void main(String[] args) {
    widenCommonPool();
    System.exit(execute(args, System.out, System.err));
  }

  /**
   * Akka's Java API (ask, pipeToSelf) completes CompletableFutures whose callbacks run on
   * CompletableFuture's default executor. When the common pool has a parallelism of 1 (machines with
   * two cores or fewer) that executor starts a new thread per callback, which made a run that asked
   * once per driver callback five times slower. Must run before anything touches the common pool; a
   * value given with -D wins.
   */
  static void widenCommonPool() {
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(
          COMMON_POOL_PARALLELISM,
          Integer.toString(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
    }
  }

  /** Runs the command line with these streams; returns the exit code instead of exiting. */
  public static int execute(String[] args, PrintStream out, PrintStream err) {
    PrintWriter outWriter = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
    PrintWriter errWriter = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
    CommandLine commandLine =
        new CommandLine(new Main())
            .setOut(outWriter)
            .setErr(errWriter)
            .setParameterExceptionHandler(Main::badInput)
            .setExecutionExceptionHandler(Main::internalError);
    try {
      return commandLine.execute(args);
    } finally {
      outWriter.flush();
      errWriter.flush();
    }
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "missing command; see 'dmaemu --help'");
  }

  private static int badInput(ParameterException e, String[] args) {
    String message = oneLine(e.getMessage());
    if (e instanceof UnmatchedArgumentException) {
      message += "; see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'";
    }
    e.getCommandLine().getErr().println("dmaemu: " + message);
    return BAD_INPUT;
  }

  private static int internalError(Exception e, CommandLine commandLine, CommandLine.ParseResult parsed) {
    commandLine.getErr().println("dmaemu: internal error: " + oneLine(String.valueOf(e)));
    if (System.getenv("DMAEMU_DEBUG") != null) {
      e.printStackTrace(commandLine.getErr());
    }
    return RUN_FAILED;
  }

  /** Picocli starts its messages with a capital and may span lines; the node's errors are one lower-case line. */
  private static String oneLine(String message) {
    String m = message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", "; ");
    if (m.length() > 1 && Character.isUpperCase(m.charAt(0)) && Character.isLowerCase(m.charAt(1))) {
      m = m.substring(0, 1).toLowerCase(Locale.ROOT) + m.substring(1);
    }
    return m;
  }
}
