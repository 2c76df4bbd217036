package org.dmaemu.node.check;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The request accounting of a run's {@code summary.json} (docs/outputs.md): every request that
 * arrived ended once, {@code submitted = completed + failed + cancelled + aborted}, and none is
 * left {@code unaccounted} (DESIGN §10: every transaction accounted for exactly once). The trace's
 * own record of the request ends ({@link RequestLedger}) must say the same, outcome by outcome.
 *
 * @param abortedByFault {@code accounting.abortedByFault}: requests aborted, per fault id
 * @param lostWithNode devices the run lost with a node ({@code devices.lostWithNode}), plus the
 *     requests node faults aborted ({@code nodeFaults[].requestsAborted}): what is accounted from a
 *     lost node's last progress report, not from the trace
 */
public record RunAccounting(
    long submitted, long completed, long failed, long cancelled, long aborted, long unaccounted,
    Map<String, Long> abortedByFault, long lostWithNode) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public RunAccounting {
    abortedByFault = Map.copyOf(abortedByFault);
  }

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
   * Where the trace's request ends ({@code Request} spans, {@code RequestsAborted} instants) and
   * this accounting differ, outcome by outcome, in one line; {@code null} when they agree.
   */
  public String disagreement(RequestLedger.Tally trace) {
    List<String> differences = new ArrayList<>();
    differ(differences, "completed", trace.completed(), completed);
    differ(differences, "failed", trace.failed(), failed);
    differ(differences, "cancelled", trace.cancelled(), cancelled);
    TreeSet<String> faults = new TreeSet<>(abortedByFault.keySet());
    faults.addAll(trace.abortedByFault().keySet());
    for (String fault : faults) {
      differ(differences, "aborted by " + fault, trace.abortedByFault().getOrDefault(fault, 0L),
          abortedByFault.getOrDefault(fault, 0L));
    }
    if (abortedByFault.isEmpty()) {
      differ(differences, "aborted", trace.aborted(), aborted);
    }
    return differences.isEmpty()
        ? null
        : "the trace's request ends and summary.json's accounting differ: " + String.join("; ", differences);
  }

  private static void differ(List<String> differences, String what, long inTrace, long inSummary) {
    if (inTrace != inSummary) {
      differences.add(String.format(Locale.ROOT, "%s %,d in the trace, %,d in summary.json", what, inTrace, inSummary));
    }
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
    Map<String, Long> byFault = new TreeMap<>();
    JsonNode faults = a.get("abortedByFault");
    if (faults != null && faults.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = faults.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        if (!f.getValue().isIntegralNumber()) {
          throw new FileFormatException(summary, -1,
              "accounting.abortedByFault." + f.getKey() + " is not an integer (got " + f.getValue() + ")");
        }
        byFault.put(f.getKey(), f.getValue().asLong());
      }
    }
    long lost = root.path("devices").path("lostWithNode").asLong(0);
    for (JsonNode nodeFault : root.path("nodeFaults")) {
      lost += nodeFault.path("requestsAborted").asLong(0);
    }
    return new RunAccounting(
        count(summary, a, "submitted", true), count(summary, a, "completed", true), count(summary, a, "failed", true),
        count(summary, a, "cancelled", true), count(summary, a, "aborted", false),
        count(summary, a, "unaccounted", false), byFault, lost);
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
