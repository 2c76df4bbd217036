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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
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

/**
 * The trace file of a whole run with power-only and DMA devices, read back as Chrome Trace Event
 * JSON (DESIGN §7).
 */
class TraceFileTest {

  private static final Pattern STATUS = Pattern.compile("^0x[0-9A-F]{8}$");
  private static final Pattern DEVICE = Pattern.compile("^dev-\\d{6}$");
  /** A WDM adapter's track: its enabler's handle, with the direction for duplex profiles. */
  private static final Pattern ADAPTER = Pattern.compile("^(dev-\\d{6})/enabler-\\d+(-read|-write)?$");
  private static final Set<String> PNP_NAMES =
      Set.of("AddDevice", "IRP_MN_START_DEVICE", "IRP_MN_SET_POWER", "IRP_MN_REMOVE_DEVICE");
  /** Spans that are neither callbacks nor PnP requests: adapter lock holds and the engine's transfers. */
  private static final Map<String, String> OTHER_SPANS =
      Map.of("AdapterLockHeld", "arbitration", "MapRegistersHeld", "arbitration", "DmaTransfer", "hardware");
  private static final Map<String, String> OTHER_INSTANTS = Map.of("MapRegistersGranted", "arbitration");
  /** Callbacks of the I/O path: not counted in the summary's callbacks, which are the PnP and power paths'. */
  private static final Set<String> IO_CALLBACKS =
      Set.of("EvtProgramDma", "EvtReserveDma", "EvtInterruptIsr", "EvtInterruptDpc",
          "EvtDmaTransactionDmaTransferComplete", "EvtDmaTransactionConfigureDmaChannel");

  /** Enough for every kind of device of the default workload (70% of them do DMA). */
  private static final int DEVICES = 40;

  @Test
  @DisplayName("§7 a run's trace is valid Trace Event JSON named with the exact KMDF names")
  void traceOfASmallRun(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("trace.json");
    PowerCycleRun.Options options = new PowerCycleRun.Options(3, DEVICES, 1, file, 1.0, false);
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
    int deviceTracks = 0;
    int adapterTracks = 0;
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
          String track = e.get("args").get("name").asText();
          if (DEVICE.matcher(track).matches()) {
            deviceTracks++;
          } else {
            assertTrue(ADAPTER.matcher(track).matches(), track);
            adapterTracks++;
          }
          assertEquals(trackNames.size() + 1, e.get("tid").asInt(), "tids in first-seen order");
          trackNames.put(e.get("tid").asInt(), track);
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
      String category = e.get("cat").asText();
      if (ph.equals("X")) {
        assertTrue(e.get("dur").asLong() >= 0, e.toString());
        if (kmdfNames.contains(name)) {
          assertEquals("callback", category, e.toString());
          assertNotNull(e.get("args").get("status"), e.toString());
          if (!IO_CALLBACKS.contains(name)) {
            callbackSpans++;
          }
        } else if (PNP_NAMES.contains(name)) {
          assertEquals("pnp", category, e.toString());
        } else {
          assertEquals(OTHER_SPANS.get(name), category, e.toString());
        }
      } else {
        assertEquals("t", e.get("s").asText(), e.toString());
        if (name.startsWith("Wdf")) {
          assertEquals("ddi", category, e.toString());
        } else {
          // No BugCheck instant: the reference drivers hit no check.
          assertEquals(OTHER_INSTANTS.get(name), category, e.toString());
        }
      }
      JsonNode status = e.get("args").get("status");
      if (status != null) {
        assertTrue(STATUS.matcher(status.asText()).matches() || status.asText().equals("hang"), e.toString());
      }
      String track = trackNames.get(e.get("tid").asInt());
      Matcher adapter = ADAPTER.matcher(track);
      if (adapter.matches()) {
        // Adapter tracks hold the lock's and the map registers' holds, each naming the transaction that held them.
        assertTrue(name.equals("AdapterLockHeld") || name.equals("MapRegistersHeld"), e.toString());
        String transaction = e.get("args").get("transaction").asText();
        assertTrue(transaction.startsWith(track.replaceAll("-(read|write)$", "") + "/tx-"), e.toString());
      } else {
        // Every other event sits on the track of the device it is about.
        assertEquals(track, e.get("args").get("device").asText(), e.toString());
      }
    }
    assertEquals(1, processNames);
    assertEquals(DEVICES, deviceTracks);
    assertTrue(adapterTracks > 0, "the DMA devices' adapters have tracks");
    assertEquals(report.events(), counted);
    assertEquals(summary.callbacks(), callbackSpans, "one span per delivered PnP or power callback");
    for (String expected :
        List.of("EvtDmaEnablerSelfManagedIoStart", "EvtDeviceD0Entry", "IRP_MN_SET_POWER",
            "EvtProgramDma", "WdfDmaTransactionExecute", "AdapterLockHeld", "MapRegistersHeld", "EvtInterruptDpc",
            "DmaTransfer")) {
      assertTrue(names.contains(expected), expected + " missing");
    }
    assertTrue(summary.passedChecks(), summary.failedChecks().toString());
  }
}
