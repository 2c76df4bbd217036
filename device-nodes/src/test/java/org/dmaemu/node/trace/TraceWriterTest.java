package org.dmaemu.node.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.BehaviorTestKit;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dmaemu.node.check.Invariant;
import org.dmaemu.protocol.trace.TraceEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The trace writer on its own: the Chrome Trace Event records of DESIGN §7. */
class TraceWriterTest {

  private static ActorTestKit testKit;
  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() {
    testKit =
        ActorTestKit.create(
            "TraceWriterTest",
            ConfigFactory.parseString(
                    "akka.actor.serialize-messages = on\n"
                        + "akka.loglevel = WARNING\n"
                        + "akka.loggers = [\"akka.event.slf4j.Slf4jLogger\"]\n"
                        + "akka.logging-filter = \"akka.event.slf4j.Slf4jLoggingFilter\"")
                .withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static Behavior<TraceWriter.Command> writerBehavior(ByteArrayOutputStream out) {
    return TraceWriter.create("memory.json", out, 7, "dmaemu node 7", Map.of("seed", "42"));
  }

  private static ActorRef<TraceWriter.Command> spawnWriter(ByteArrayOutputStream out) {
    return testKit.spawn(writerBehavior(out), TraceWriter.dispatcher());
  }

  private static List<JsonNode> events(JsonNode root) {
    List<JsonNode> out = new ArrayList<>();
    root.get("traceEvents").forEach(out::add);
    return out;
  }

  @Test
  @DisplayName("§7 spans, instants and counters; tids in first-seen order with a thread_name each")
  void recordsAndTracks() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ActorRef<TraceWriter.Command> writer = spawnWriter(out);
    writer.tell(new TraceWriter.Record(new TraceEvent(
        "EvtDmaEnablerFill", "X", 100, 25, "dev-000002",
        Map.of("status", "0xC000009A", "device", "dev-000002", "enabler", "1"))));
    writer.tell(new TraceWriter.Record(new TraceEvent(
        "WdfDmaEnablerCreate", "i", 90, 0, "dev-000001", Map.of("status", "0x00000000"))));
    writer.tell(new TraceWriter.Record(new TraceEvent(
        "EvtDeviceD0Entry", "X", 130, 200, "dev-000002", Map.of("status", "hang"))));
    writer.tell(new TraceWriter.Record(new TraceEvent(
        "MapRegistersFree", "C", 140, 0, null, Map.of("free", "17", "pool", "adapter-3"))));
    TestProbe<TraceReport> probe = testKit.createTestProbe();
    writer.tell(new TraceWriter.Close(probe.getRef()));
    TraceReport report = probe.receiveMessage();
    assertEquals("memory.json", report.file());
    assertEquals(4, report.events());
    assertNull(report.error());
    // The writer checks what it writes: an EvtDmaEnablerFill with no D0 entry before it breaks §2.1.
    assertEquals(4, report.invariants().checked());
    assertEquals(1, report.invariants().count(Invariant.POWER_CALLBACK_ORDER), report.invariants().toString());
    assertEquals(1, report.invariants().violations());
    probe.expectTerminated(writer);

    JsonNode root = JSON.readTree(out.toByteArray());
    assertEquals("ms", root.get("displayTimeUnit").asText());
    assertEquals("42", root.get("otherData").get("seed").asText());
    List<JsonNode> events = events(root);
    // process_name, thread_name(dev-000002), X, thread_name(dev-000001), i, X, thread_name(node), C
    assertEquals(8, events.size());
    assertEquals("process_name", events.get(0).get("name").asText());
    assertEquals("dmaemu node 7", events.get(0).get("args").get("name").asText());

    JsonNode firstTrack = events.get(1);
    assertEquals("thread_name", firstTrack.get("name").asText());
    assertEquals(1, firstTrack.get("tid").asInt());
    assertEquals("dev-000002", firstTrack.get("args").get("name").asText());

    JsonNode span = events.get(2);
    assertEquals("X", span.get("ph").asText());
    assertEquals(100, span.get("ts").asLong());
    assertEquals(25, span.get("dur").asLong());
    assertEquals(7, span.get("pid").asInt());
    assertEquals(1, span.get("tid").asInt());
    assertEquals("callback", span.get("cat").asText());
    assertEquals(List.of("device", "enabler", "status"), fieldNames(span.get("args")));
    assertEquals("0xC000009A", span.get("args").get("status").asText());

    assertEquals("dev-000001", events.get(3).get("args").get("name").asText());
    JsonNode instant = events.get(4);
    assertEquals("i", instant.get("ph").asText());
    assertEquals("t", instant.get("s").asText());
    assertEquals(2, instant.get("tid").asInt());
    assertEquals("ddi", instant.get("cat").asText());

    assertEquals(1, events.get(5).get("tid").asInt());

    JsonNode counter = events.get(7);
    assertEquals("C", counter.get("ph").asText());
    assertEquals(3, counter.get("tid").asInt());
    assertTrue(counter.get("args").get("free").isNumber());
    assertEquals("adapter-3", counter.get("args").get("pool").asText());
  }

  @Test
  @DisplayName("a writer stopped without Close still leaves valid JSON")
  void stoppedWithoutClose() throws Exception {
    // Synchronously: a stop overtakes messages still in the mailbox, so with a live actor the record
    // could be dropped before PostStop and the test would depend on timing.
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BehaviorTestKit<TraceWriter.Command> writer = BehaviorTestKit.create(writerBehavior(out));
    writer.run(new TraceWriter.Record(new TraceEvent("EvtDeviceD0Exit", "X", 5, 1, "dev-000009", Map.of())));
    writer.signal(PostStop.instance());

    JsonNode root = JSON.readTree(out.toByteArray());
    List<JsonNode> events = events(root);
    assertEquals(3, events.size());
    assertEquals("EvtDeviceD0Exit", events.get(2).get("name").asText());
    assertNull(events.get(2).get("args"));
  }

  @Test
  @DisplayName("§7 adapter tracks: lock holds on a track per WDM adapter, named by the adapter id; DMA categories")
  void adapterTracks() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BehaviorTestKit<TraceWriter.Command> writer = BehaviorTestKit.create(writerBehavior(out));
    writer.run(new TraceWriter.Record(new TraceEvent(
        "EvtProgramDma", "X", 10, 3, "dev-000003", Map.of("device", "dev-000003", "status", "0x00000000"))));
    writer.run(new TraceWriter.Record(new TraceEvent(
        "AdapterLockHeld", "X", 9, 5, "dev-000003/enabler-0-read", Map.of("transaction", "dev-000003/enabler-0/tx-1"))));
    writer.run(new TraceWriter.Record(new TraceEvent(
        "AdapterLockHeld", "X", 20, 4, "dev-000003/enabler-0-write", Map.of("transaction", "dev-000003/enabler-0/tx-2"))));
    writer.run(new TraceWriter.Record(new TraceEvent(
        "AdapterLockHeld", "X", 30, 2, "dev-000003/enabler-0-read", Map.of("transaction", "dev-000003/enabler-0/tx-2"))));
    writer.run(new TraceWriter.Record(new TraceEvent(
        "MapRegistersGranted", "i", 11, 0, "dev-000003", Map.of("device", "dev-000003", "count", "3"))));
    writer.run(new TraceWriter.Record(new TraceEvent(
        "DmaTransfer", "X", 12, 8, "dev-000003", Map.of("device", "dev-000003", "bytes", "8192"))));
    writer.run(new TraceWriter.Record(new TraceEvent(
        "BugCheck", "i", 40, 0, "dev-000003", Map.of("device", "dev-000003", "rule", "K3"))));
    writer.run(new TraceWriter.Record(new TraceEvent(
        "IRP_MN_START_DEVICE", "X", 1, 50, "dev-000003", Map.of("device", "dev-000003"))));
    writer.signal(PostStop.instance());

    List<JsonNode> events = events(JSON.readTree(out.toByteArray()));
    java.util.Map<String, Integer> tidOfTrack = new java.util.HashMap<>();
    java.util.Map<String, String> categoryOf = new java.util.HashMap<>();
    java.util.Map<String, java.util.Set<Integer>> tidsOf = new java.util.HashMap<>();
    for (JsonNode e : events) {
      String name = e.get("name").asText();
      if (name.equals("thread_name")) {
        assertNull(tidOfTrack.put(e.get("args").get("name").asText(), e.get("tid").asInt()), "one thread_name per track");
      } else if (!name.equals("process_name")) {
        categoryOf.put(name, e.get("cat").asText());
        tidsOf.computeIfAbsent(name, n -> new java.util.HashSet<>()).add(e.get("tid").asInt());
      }
    }
    assertEquals(
        Map.of("dev-000003", 1, "dev-000003/enabler-0-read", 2, "dev-000003/enabler-0-write", 3), tidOfTrack);
    assertEquals(java.util.Set.of(2, 3), tidsOf.get("AdapterLockHeld"));
    assertEquals(java.util.Set.of(1), tidsOf.get("DmaTransfer"));
    assertEquals(
        Map.of(
            "EvtProgramDma", "callback",
            "AdapterLockHeld", "arbitration",
            "MapRegistersGranted", "arbitration",
            "DmaTransfer", "hardware",
            "BugCheck", "verifier",
            "IRP_MN_START_DEVICE", "pnp"),
        categoryOf);
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
