package org.dmaemu.node.check;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The request accounting of a run's {@code summary.json} (docs/outputs.md): every request that
 * arrived ended once, {@code submitted = completed + failed + cancelled + aborted}, and none is
 * left {@code unaccounted} (DESIGN §10: every transaction accounted for exactly once).
 */
public record RunAccounting(long submitted, long completed, long failed, long cancelled, long aborted, long unaccounted) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public boolean balanced() {
    return submitted == completed + failed + cancelled + aborted && unaccounted == 0;
  }

  /** What is wrong, in one line, or {@code null} when balanced. */
  public String problem() {
    if (balanced()) {
      return null;
    }
    long ended = completed + failed + cancelled + aborted;
    if (submitted != ended) {
      return "summary.json accounting does not balance: submitted " + submitted + " != completed " + completed
          + " + failed " + failed + " + cancelled " + cancelled + " + aborted " + aborted + " (= " + ended + ")";
    }
    return "summary.json accounting: " + unaccounted + " requests unaccounted";
  }

  /**
   * Reads {@code accounting} from a summary file. {@code submitted}, {@code completed}, {@code
   * failed} and {@code cancelled} must be integers; {@code aborted} and {@code unaccounted} count 0
   * when absent.
   *
   * @throws FileFormatException the file is not JSON or has no such accounting
   */
  public static RunAccounting read(Path summary) throws IOException {
    JsonNode root;
    try (InputStream in = Files.newInputStream(summary)) {
      root = JSON.readTree(in);
    } catch (JsonProcessingException e) {
      long offset = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
      throw new FileFormatException(summary, offset, "not valid JSON: " + e.getOriginalMessage());
    }
    JsonNode a = root == null ? null : root.get("accounting");
    if (a == null || !a.isObject()) {
      throw new FileFormatException(summary, -1, "no \"accounting\" object");
    }
    return new RunAccounting(
        count(summary, a, "submitted", true), count(summary, a, "completed", true), count(summary, a, "failed", true),
        count(summary, a, "cancelled", true), count(summary, a, "aborted", false),
        count(summary, a, "unaccounted", false));
  }

  private static long count(Path file, JsonNode a, String key, boolean required) throws FileFormatException {
    JsonNode v = a.get(key);
    if (v == null || v.isNull()) {
      if (required) {
        throw new FileFormatException(file, -1, "accounting." + key + " is missing");
      }
      return 0;
    }
    if (!v.isIntegralNumber()) {
      throw new FileFormatException(file, -1, "accounting." + key + " is not an integer (got " + v + ")");
    }
    return v.asLong();
  }
}
