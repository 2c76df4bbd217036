package org.dmaemu.node.scenario;

/**
 * One thing wrong with a scenario (DESIGN §6): where it is and what is wrong.
 *
 * @param file the scenario file as the user named it, or {@code --set key=value} for a problem in an override
 * @param line 1-based line in {@code file}; 0 when there is none (an override, a file that cannot be read)
 * @param path the HOCON key path, e.g. {@code topology.groups.nic.count}; empty for a problem of the whole file
 * @param message what is wrong, ending in {@code (got X)} where a value was given
 */
public record Problem(String file, int line, String path, String message) {

  public Problem {
    if (file == null || path == null || message == null) {
      throw new IllegalArgumentException("a problem needs a file, a key path and a message");
    }
  }

  /** {@code FILE:LINE: key.path: what is wrong (got X)}; the line and the path are left out where there is none. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(file);
    if (line > 0) {
      b.append(':').append(line);
    }
    b.append(": ");
    if (!path.isEmpty()) {
      b.append(path).append(": ");
    }
    return b.append(message).toString();
  }
}
