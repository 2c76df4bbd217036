package org.dmaemu.node.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.dmaemu.node.scenario.Scenario;

/** Where a run writes when {@code --out} does not say: {@code run.output/NAME-yyyyMMdd-HHmmss}, never an existing directory. */
final class RunDirectories {
  private RunDirectories() {}

  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);

  static Path fresh(Scenario scenario) {
    return fresh(scenario.run().output(), scenario.name());
  }

  static Path fresh(Path parent, String name) {
    String base = name + "-" + LocalDateTime.now().format(STAMP);
    Path dir = parent.resolve(base);
    for (int i = 2; Files.exists(dir); i++) {
      dir = parent.resolve(base + "-" + i);
    }
    return dir;
  }
}
