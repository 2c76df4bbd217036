package org.dmaemu.node.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.dmaemu.node.run.PowerCycleRun;
import org.dmaemu.node.run.RunHandle;
import org.dmaemu.node.run.RunSummary;
import org.dmaemu.node.workload.DefaultWorkload;
import org.dmaemu.protocol.driver.CallbackKind;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trace file of a whole run, read back as Chrome Trace Event JSON (DESIGN §7). */
class TraceFileTest {

  private static final Pattern STATUS = Pattern.compile("^0x[0-9A-F]{8}$");
  private static final Pattern DEVICE = Pattern.compile("^dev-\\d{6}$");
  private static final Set<String> PNP_NAMES =
      Set.of("AddDevice", "IRP_MN_START_DEVICE", "IRP_MN_SET_POWER", "IRP_MN_REMOVE_DEVICE");

  @Test
  @DisplayName("§7 a run's trace is valid Trace Event JSON named with the exact KMDF names")
  void traceOfASmallRun(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("trace.json");
    PowerCycleRun.Options options = new PowerCycleRun.Options(3, 40, 2, file, 1.0, false);
    RunHandle run =
        PowerCycleRun.start(
            options,
            DefaultWorkload.standard(),
            ConfigFactory.parseString("akka.actor.serialize-messages = on").withFallback(ConfigFactory.load()));
    RunSummary summary = run.summary().toCompletableFuture().get();
    TraceReport report = run.terminate().toCompletableFuture().get();
    assertTrue(report.written(), report.toString());

    JsonNode root = new ObjectMapper().readTree(file.toFile());
    assertEquals("ms", root.get("displayTimeUnit").asText());
    JsonNode events = root.get("traceEvents");
    assertTrue(events.isArray());

    Set<String> kmdfNames = Arrays.stream(CallbackKind.values()).map(CallbackKind::kmdfName).collect(Collectors.toSet());
    Map<Integer, String> trackNames = new HashMap<>();
    Set<String> names = new HashSet<>();
    int processNames = 0;
    long counted = 0;
    long callbackSpans = 0;
    for (JsonNode e : events) {
      String ph = e.get("ph").asText();
      assertTrue(Set.of("X", "i", "M").contains(ph), e.toString());
      assertEquals(1, e.get("pid").asInt(), e.toString());
      assertTrue(e.get("tid").isInt(), e.toString());
      if (ph.equals("M")) {
        if (e.get("name").asText().equals("process_name")) {
          processNames++;
          assertEquals("dmaemu node 1", e.get("args").get("name").asText());
        } else {
          assertEquals("thread_name", e.get("name").asText());
          String device = e.get("args").get("name").asText();
          assertTrue(DEVICE.matcher(device).matches(), device);
          assertEquals(trackNames.size() + 1, e.get("tid").asInt(), "tids in first-seen order");
          trackNames.put(e.get("tid").asInt(), device);
        }
        continue;
      }
      counted++;
      for (String field : new String[] {"name", "ph", "ts", "pid", "tid"}) {
        assertNotNull(e.get(field), field + " missing in " + e);
      }
      assertTrue(e.get("ts").isIntegralNumber() && e.get("ts").asLong() >= 0, e.toString());
      String name = e.get("name").asText();
      names.add(name);
      if (ph.equals("X")) {
        assertTrue(e.get("dur").asLong() >= 0, e.toString());
        assertTrue(kmdfNames.contains(name) || PNP_NAMES.contains(name), name);
        if (kmdfNames.contains(name)) {
          callbackSpans++;
          assertNotNull(e.get("args").get("status"), e.toString());
        }
      } else {
        assertEquals("t", e.get("s").asText(), e.toString());
        assertEquals("WdfDmaEnablerCreate", name);
      }
      JsonNode status = e.get("args").get("status");
      if (status != null) {
        assertTrue(STATUS.matcher(status.asText()).matches() || status.asText().equals("hang"), e.toString());
      }
      // Every event sits on the track of the device it is about.
      assertEquals(trackNames.get(e.get("tid").asInt()), e.get("args").get("device").asText(), e.toString());
    }
    assertEquals(1, processNames);
    assertEquals(40, trackNames.size());
    assertEquals(report.events(), counted);
    assertEquals(summary.callbacks(), callbackSpans, "one span per delivered callback");
    assertTrue(names.contains("EvtDmaEnablerSelfManagedIoStart"));
    assertTrue(names.contains("EvtDeviceD0Entry"));
    assertTrue(names.contains("IRP_MN_SET_POWER"));
  }
}
