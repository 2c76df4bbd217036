package org.dmaemu.node.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The terminal summary of a scenario run, from its summary.json. */
class ScenarioTableTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String SUMMARY = "{\"scenario\":{\"name\":\"fault-plan\",\"seed\":11},\"devices\":{\"total\":32},"
      + "\"accounting\":{\"submitted\":1238,\"completed\":1201,\"failed\":0,\"cancelled\":0,\"aborted\":37,\"unaccounted\":0},"
      + "\"run\":{\"checksPassed\":true},\"faults\":["
      + "{\"id\":\"irq\",\"fault\":\"message interrupts drop p=0.01\",\"injected\":7,\"devices\":7,\"abortedRequests\":7},"
      + "{\"id\":\"grants\",\"fault\":\"message grants drop p=0.02\",\"injected\":1045,\"devices\":15,\"abortedRequests\":0},"
      + "{\"id\":\"kill3\",\"fault\":\"node-crash node=3 at=5000us\",\"injected\":1,\"devices\":6,\"abortedRequests\":18}]}";

  @Test
  @DisplayName("DESIGN §10 a fault plan's run says on the terminal, per fault, how often it acted and how many requests it aborted")
  void faultRows() throws Exception {
    String table = ScenarioTable.table(JSON.readTree(SUMMARY), Path.of("runs/x"));
    assertTrue(table.contains("requests: 1,238 submitted = 1,201 completed + 0 failed + 0 cancelled + 37 aborted (0 unaccounted)\n"
        + "fault   injected  devices   aborted  what\n"
        + "irq            7        7         7  message interrupts drop p=0.01\n"
        + "grants     1,045       15         0  message grants drop p=0.02\n"
        + "kill3          1        6        18  node-crash node=3 at=5000us\n"), table);
  }

  @Test
  @DisplayName("a run without faults has no fault rows")
  void noFaults() throws Exception {
    JsonNode s = JSON.readTree(SUMMARY.replaceAll(",\"faults\":\\[.*\\]", ""));
    assertFalse(ScenarioTable.table(s, Path.of("runs/x")).contains("injected"));
  }
}
