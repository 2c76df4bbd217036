package org.dmaemu.node.check;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.dmaemu.protocol.trace.TraceEvent;

/**
 * Reads a Chrome Trace Event file as dmaemu writes it (docs/outputs.md, the trace file) one event
 * at a time with Jackson's streaming parser, so that a trace of hundreds of MB needs no more memory
 * than one event. Both forms are read: the object {@code {"traceEvents":[...], ...}} and a bare
 * array. {@code thread_name} metadata name the tracks; every other event becomes a {@link
 * TraceEvent} whose track is its thread's name and whose arguments are text (numbers as written,
 * integral ones without a fraction).
 */
public final class TraceFile {

  private TraceFile() {}

  /** Where the events go, with the node ({@code pid}) that recorded each. */
  @FunctionalInterface
  public interface Handler {
    void event(int pid, TraceEvent event);
  }

  /**
   * Reads every event of {@code file} into {@code handler}, in file order.
   *
   * @return the number of events handed over (metadata records not counted)
   * @throws FileFormatException the file is not valid JSON or not a trace; the message names the byte offset
   * @throws IOException the file cannot be read
   */
  public static long read(Path file, Handler handler) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        JsonParser p = new JsonFactory().createParser(in)) {
      return new Reader(file, p, handler).document();
    } catch (JsonParseException e) {
      long offset = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
      throw new FileFormatException(file, offset, "not valid JSON: " + e.getOriginalMessage());
    }
  }

  private static final class Reader {
    private final Path file;
    private final JsonParser p;
    private final Handler handler;
    private final Map<String, String> tracks = new HashMap<>();
    private long events;
    private long index;

    Reader(Path file, JsonParser p, Handler handler) {
      this.file = file;
      this.p = p;
      this.handler = handler;
    }

    long document() throws IOException {
      JsonToken first = p.nextToken();
      if (first == JsonToken.START_ARRAY) {
        array();
      } else if (first == JsonToken.START_OBJECT) {
        boolean found = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.getCurrentName();
          JsonToken value = p.nextToken();
          if (field.equals("traceEvents")) {
            if (value != JsonToken.START_ARRAY) {
              throw bad("\"traceEvents\" is not an array");
            }
            array();
            found = true;
          } else {
            p.skipChildren();
          }
        }
        if (!found) {
          throw new FileFormatException(file, -1, "not a Chrome Trace Event file: no \"traceEvents\" array");
        }
      } else {
        throw bad(first == null ? "empty file, not a trace" : "not a Chrome Trace Event file: expected an object or an array");
      }
      if (p.nextToken() != null) {
        throw bad("more JSON after the end of the trace");
      }
      return events;
    }

    private void array() throws IOException {
      JsonToken t;
      while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
        if (t != JsonToken.START_OBJECT) {
          throw bad("trace event " + index + " is not an object");
        }
        event();
        index++;
      }
    }

    private void event() throws IOException {
      long start = p.getTokenLocation().getByteOffset();
      String name = null;
      String ph = null;
      Double ts = null;
      double dur = 0;
      long pid = 0;
      String tid = null;
      Map<String, String> args = Map.of();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.getCurrentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "name" -> name = text(value, field);
          case "ph" -> ph = text(value, field);
          case "ts" -> ts = number(value, field);
          case "dur" -> dur = number(value, field);
          case "pid" -> pid = number(value, field).longValue();
          case "tid" -> tid = value.isNumeric() ? Long.toString(p.getLongValue()) : text(value, field);
          case "args" -> args = args(value);
          default -> p.skipChildren();
        }
      }
      if (name == null || ph == null) {
        throw new FileFormatException(file, start, "trace event " + index + " has no " + (name == null ? "\"name\"" : "\"ph\""));
      }
      if (ph.equals("M")) {
        if (name.equals("thread_name") && args.containsKey("name")) {
          tracks.put(trackKey(pid, tid), args.get("name"));
        }
        return;
      }
      if (ts == null) {
        throw new FileFormatException(file, start, "trace event " + index + " (" + name + ") has no \"ts\"");
      }
      String track = tid == null ? null : tracks.getOrDefault(trackKey(pid, tid), tid);
      handler.event((int) pid, new TraceEvent(name, ph, ts.longValue(), (long) dur, track, args));
      events++;
    }

    private Map<String, String> args(JsonToken value) throws IOException {
      if (value != JsonToken.START_OBJECT) {
        throw bad("trace event " + index + " has \"args\" that are not an object");
      }
      Map<String, String> args = new HashMap<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.getCurrentName();
        JsonToken v = p.nextToken();
        switch (v) {
          case VALUE_STRING -> args.put(key, p.getText());
          case VALUE_NUMBER_INT -> args.put(key, p.getText());
          case VALUE_NUMBER_FLOAT -> args.put(key, numberText(p.getDoubleValue()));
          case VALUE_TRUE, VALUE_FALSE -> args.put(key, Boolean.toString(v == JsonToken.VALUE_TRUE));
          case VALUE_NULL -> {
            // An argument without a value says nothing.
          }
          default -> p.skipChildren();
        }
      }
      return args;
    }

    private String text(JsonToken value, String field) throws IOException {
      if (value != JsonToken.VALUE_STRING) {
        throw bad("trace event " + index + " has a \"" + field + "\" that is not a string");
      }
      return p.getText();
    }

    private Double number(JsonToken value, String field) throws IOException {
      if (!value.isNumeric()) {
        throw bad("trace event " + index + " has a \"" + field + "\" that is not a number");
      }
      return p.getDoubleValue();
    }

    private FileFormatException bad(String what) {
      return new FileFormatException(file, p.getTokenLocation().getByteOffset(), what);
    }

    private static String trackKey(long pid, String tid) {
      return pid + " " + tid;
    }

    /** Counters are written as doubles: 17.0 reads back as 17. */
    private static String numberText(double v) {
      return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
  }
}
