package org.dmaemu.node.trace;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.TreeMap;
import java.util.Map;
import java.util.Set;
import org.dmaemu.node.check.InvariantChecker;
import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.protocol.trace.TraceEvent;

/**
 * Streams a node's trace events into one Chrome Trace Event file (DESIGN §7), object form
 * {@code {"traceEvents":[...],"displayTimeUnit":"ms"}}, which Perfetto and chrome://tracing open.
 * {@code pid} is the node; every track gets a {@code tid} in first-seen order and a {@code
 * thread_name} record naming it: a device ({@code dev-000042}) or a WDM adapter, named by its
 * adapter id ({@code dev-000042/enabler-0}, or {@code …-read} / {@code …-write} for duplex
 * profiles), where the adapter lock's holds are spans. Runs on {@link #DISPATCHER}: it is the one
 * actor that blocks on I/O.
 *
 * <p>Every event also goes through an {@link InvariantChecker}, in the order the file gets them, so
 * that the run learns at {@link Close} what {@code dmaemu check} would find in the file.
 */
public final class TraceWriter extends AbstractBehavior<TraceWriter.Command> {

  /** The dispatcher the writer must be spawned on (one thread; see reference.conf). */
  public static final String DISPATCHER = "dmaemu.io-dispatcher";

  public static DispatcherSelector dispatcher() {
    return DispatcherSelector.fromConfig(DISPATCHER);
  }

  public sealed interface Command extends CborSerializable {}

  /** One event from an actor, in the order the writer receives them. */
  public record Record(TraceEvent event) implements Command {}

  /** Ends the document and closes the file; the writer stops after replying. */
  public record Close(ActorRef<TraceReport> replyTo) implements Command {}

  /**
   * Events of another node of a cluster run ({@code pid} = that node's number), as a {@link
   * TraceRelay} batches them: every node's processes and tracks stay apart in one file.
   */
  public record RecordBatch(int pid, String processName, List<TraceEvent> events) implements Command {
    public RecordBatch {
      events = List.copyOf(events);
    }
  }

  /** Writes out what is buffered and replies: every event sent before by the same sender is in the file. */
  public record Flush(ActorRef<Flushed> replyTo) implements Command {}

  /** @param events events written so far, from every sender */
  public record Flushed(long events) implements CborSerializable {}

  private static final String NODE_TRACK = "node";

  private final String file;
  private final int pid;
  private final Map<String, String> otherData;
  private final Map<String, Integer> tids = new HashMap<>();
  /** Processes (nodes) named so far, besides the writer's own. */
  private final Set<Integer> named = new HashSet<>();
  private final InvariantChecker checker = new InvariantChecker();
  private JsonGenerator json;
  private long events;
  private String error;
  private boolean closed;

  /**
   * @param file the file's name, for the report
   * @param out the opened file; the writer owns and closes it
   * @param pid the node number
   * @param processName the name Perfetto shows for the node, or {@code null} for no process of its
   *     own (a cluster run's writer, which receives {@link RecordBatch}es of the nodes only)
   * @param otherData run facts (seed, devices) kept in the file's {@code otherData}
   */
  public static Behavior<Command> create(
      String file, OutputStream out, int pid, String processName, Map<String, String> otherData) {
    return Behaviors.setup(context -> new TraceWriter(context, file, out, pid, processName, otherData));
  }

  private TraceWriter(
      ActorContext<Command> context,
      String file,
      OutputStream out,
      int pid,
      String processName,
      Map<String, String> otherData) {
    super(context);
    this.file = file;
    this.pid = pid;
    this.otherData = new TreeMap<>(otherData);
    try {
      json = new JsonFactory().createGenerator(out, JsonEncoding.UTF8);
      // One event per line: a partly written file can still be read with grep, and diffs stay readable.
      json.setPrettyPrinter(new OneEventPerLine());
      json.writeStartObject();
      json.writeArrayFieldStart("traceEvents");
      if (processName != null) {
        writeMetadata("process_name", pid, 0, processName);
        named.add(pid);
      }
    } catch (IOException e) {
      fail(e);
      closeQuietly(out);
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Record.class, this::onRecord)
        .onMessage(RecordBatch.class, this::onRecordBatch)
        .onMessage(Flush.class, this::onFlush)
        .onMessage(Close.class, this::onClose)
        .onSignal(PostStop.class, this::onPostStop)
        .build();
  }

  private Behavior<Command> onRecord(Record record) {
    check(pid, record.event());
    if (error == null) {
      try {
        write(pid, record.event());
        events++;
      } catch (IOException e) {
        fail(e);
      }
    }
    return this;
  }

  private Behavior<Command> onRecordBatch(RecordBatch batch) {
    for (TraceEvent e : batch.events()) {
      check(batch.pid(), e);
    }
    if (error == null) {
      try {
        if (named.add(batch.pid())) {
          writeMetadata("process_name", batch.pid(), 0, batch.processName());
        }
        for (TraceEvent e : batch.events()) {
          write(batch.pid(), e);
          events++;
        }
      } catch (IOException e) {
        fail(e);
      }
    }
    return this;
  }

  private Behavior<Command> onFlush(Flush flush) {
    if (error == null && !closed) {
      try {
        json.flush();
      } catch (IOException e) {
        fail(e);
      }
    }
    flush.replyTo().tell(new Flushed(events));
    return this;
  }

  private Behavior<Command> onClose(Close close) {
    finishDocument();
    close.replyTo().tell(new TraceReport(file, events, error, checker.finish()));
    return Behaviors.stopped();
  }

  private Behavior<Command> onPostStop(PostStop signal) {
    // Stopped without Close (the system was terminated, e.g. by Ctrl-C): still leave valid JSON behind.
    finishDocument();
    return this;
  }

  /** A failing check must not cost the run its trace: the checker is set aside and says so in its report. */
  private void check(int pid, TraceEvent e) {
    try {
      checker.accept(pid, e);
    } catch (RuntimeException bug) {
      getContext().getLog().error("invariant check of {} stopped at {} {}", file, e.name(), e.tsMicros(), bug);
      checker.abandon(bug + " at " + e.name() + " " + e.tsMicros() + " us");
    }
  }

  private void write(int pid, TraceEvent e) throws IOException {
    String track = e.track() == null ? NODE_TRACK : e.track();
    // The writer's own process keeps the track as key, so that a one-node file is as it always was.
    String key = pid == this.pid ? track : pid + " " + track;
    Integer tid = tids.get(key);
    if (tid == null) {
      tid = tids.size() + 1;
      tids.put(key, tid);
      writeMetadata("thread_name", pid, tid, track);
    }
    json.writeStartObject();
    json.writeStringField("name", e.name());
    json.writeStringField("cat", category(e.name()));
    json.writeStringField("ph", e.phase());
    json.writeNumberField("ts", e.tsMicros());
    if ("X".equals(e.phase())) {
      json.writeNumberField("dur", e.durMicros());
    } else if ("i".equals(e.phase())) {
      // Thread scope: the instant belongs to its device's track, not to the whole process.
      json.writeStringField("s", "t");
    }
    json.writeNumberField("pid", pid);
    json.writeNumberField("tid", tid);
    writeArgs(e);
    json.writeEndObject();
  }

  private void writeArgs(TraceEvent e) throws IOException {
    if (e.args().isEmpty()) {
      return;
    }
    // Sorted: Map.copyOf iterates in an order that changes from JVM to JVM, and a seed should give the same file.
    String[] keys = e.args().keySet().toArray(new String[0]);
    Arrays.sort(keys);
    boolean counter = "C".equals(e.phase());
    json.writeObjectFieldStart("args");
    for (String key : keys) {
      String value = e.args().get(key);
      if (counter) {
        // Counter tracks plot numbers; a counter value that is not a number is kept as text.
        writeNumberOrString(key, value);
      } else {
        json.writeStringField(key, value);
      }
    }
    json.writeEndObject();
  }

  private void writeNumberOrString(String key, String value) throws IOException {
    try {
      json.writeNumberField(key, Double.parseDouble(value));
    } catch (NumberFormatException notANumber) {
      json.writeStringField(key, value);
    }
  }

  private void writeMetadata(String name, int pid, int tid, String value) throws IOException {
    json.writeStartObject();
    json.writeStringField("name", name);
    json.writeStringField("ph", "M");
    json.writeNumberField("pid", pid);
    json.writeNumberField("tid", tid);
    json.writeObjectFieldStart("args");
    json.writeStringField("name", value);
    json.writeEndObject();
    json.writeEndObject();
  }

  private void finishDocument() {
    if (closed || json == null) {
      return;
    }
    closed = true;
    try {
      if (error == null) {
        json.writeEndArray();
        json.writeStringField("displayTimeUnit", "ms");
        json.writeObjectFieldStart("otherData");
        for (Map.Entry<String, String> entry : otherData.entrySet()) {
          json.writeStringField(entry.getKey(), entry.getValue());
        }
        json.writeEndObject();
        json.writeEndObject();
        json.writeRaw('\n');
      }
      json.close();
    } catch (IOException e) {
      fail(e);
    }
  }

  private void fail(IOException e) {
    if (error == null) {
      error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      getContext().getLog().error("trace file {} is incomplete: {}", file, error);
    }
  }

  /**
   * The event's {@code cat}: {@code callback} (Evt…), {@code ddi} (Wdf…), {@code arbitration}
   * (adapter lock holds, map-register grants), {@code hardware} (the DMA engine's transfers),
   * {@code verifier} (bug checks), {@code io} (the drivers' requests: {@code Request} spans,
   * {@code RequestsAborted}), {@code fault} ({@code FaultInjected}), {@code pnp} (the PnP manager's
   * requests).
   */
  static String category(String name) {
    if (name.startsWith("Evt")) {
      return "callback";
    }
    if (name.startsWith("Wdf")) {
      return "ddi";
    }
    if (name.startsWith("AdapterLock") || name.startsWith("MapRegister")) {
      return "arbitration";
    }
    if (name.startsWith("DmaTransfer")) {
      return "hardware";
    }
    if (name.equals("BugCheck")) {
      return "verifier";
    }
    if (name.startsWith("Request")) {
      return "io";
    }
    if (name.equals("FaultInjected")) {
      return "fault";
    }
    return "pnp";
  }

  private static void closeQuietly(OutputStream out) {
    try {
      out.close();
    } catch (IOException ignored) {
      // Already failing; the first error is the one reported.
    }
  }

  /** Compact JSON with a line break between the events of the array. */
  private static final class OneEventPerLine extends MinimalPrettyPrinter {
    private static final long serialVersionUID = 1L;

    @Override
    public void beforeArrayValues(JsonGenerator g) throws IOException {
      g.writeRaw('\n');
    }

    @Override
    public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw(",\n");
    }

    @Override
    public void writeEndArray(JsonGenerator g, int nrOfValues) throws IOException {
      g.writeRaw(nrOfValues > 0 ? "\n]" : "]");
    }
  }
}
