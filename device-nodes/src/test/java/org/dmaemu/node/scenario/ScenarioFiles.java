package org.dmaemu.node.scenario;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Where the tests find scenario files: the repository's scenarios/ and the test resources. */
final class ScenarioFiles {

  private ScenarioFiles() {}

  /** The module directory: surefire runs in it and sets {@code basedir}. */
  static Path moduleDir() {
    return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
  }

  static Path examplesDir() {
    return moduleDir().resolve("../scenarios").normalize();
  }

  static Path badDir() {
    return moduleDir().resolve("src/test/resources/scenarios/bad");
  }

  static List<Path> examples() {
    try (Stream<Path> files = Files.list(examplesDir())) {
      return files.filter(p -> p.toString().endsWith(".conf")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path write(Path dir, String name, String text) {
    try {
      return Files.writeString(dir.resolve(name), text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
