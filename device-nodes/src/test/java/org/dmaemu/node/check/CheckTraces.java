package org.dmaemu.node.check;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** The hand-made traces under src/test/resources/check/, and checking one. */
final class CheckTraces {
  private CheckTraces() {}

  static Path file(String name) {
    URL url = CheckTraces.class.getResource("/check/" + name);
    if (url == null) {
      throw new IllegalArgumentException("no test trace check/" + name);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The whole file through one checker, as {@code dmaemu check} reads it. */
  static InvariantReport check(String name) {
    InvariantChecker checker = new InvariantChecker();
    try {
      TraceFile.read(file(name), checker::accept);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return checker.finish();
  }
}
