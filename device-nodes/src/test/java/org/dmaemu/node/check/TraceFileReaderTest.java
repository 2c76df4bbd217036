package org.dmaemu.node.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dmaemu.protocol.trace.TraceEvent;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading trace files for the check: tracks, argument values, both JSON forms, and what is not a trace. */
class TraceFileReaderTest {

  private static List<TraceEvent> read(Path file) throws Exception {
    List<TraceEvent> out = new ArrayList<>();
    TraceFile.read(file, (pid, e) -> out.add(e));
    return out;
  }

  @Test
  @DisplayName("DESIGN §7 thread_name records name the tracks; counter numbers read back as integers; metadata is not an event")
  void tracksAndArgs() throws Exception {
    List<TraceEvent> events = read(CheckTraces.file("clean.json"));
    assertEquals(56, events.size());
    TraceEvent lock = events.stream().filter(e -> e.name().equals("AdapterLockHeld")).findFirst().orElseThrow();
    assertEquals("dev-1/enabler-0", lock.track());
    assertEquals(22, lock.tsMicros());
    assertEquals(3, lock.durMicros());
    TraceEvent counter = events.stream().filter(e -> e.phase().equals("C")).findFirst().orElseThrow();
    assertEquals("4", counter.args().get("capacity"));
  }

  @Test
  @DisplayName("a bare array of events is a trace too")
  void bareArray(@TempDir Path dir) throws Exception {
    Path f = Files.writeString(dir.resolve("a.json"),
        "[{\"name\":\"EvtDeviceD0Entry\",\"ph\":\"X\",\"ts\":1,\"dur\":2,\"pid\":1,\"tid\":7,\"args\":{\"device\":\"d\"}}]");
    List<TraceEvent> events = read(f);
    assertEquals(1, events.size());
    assertEquals("7", events.get(0).track());
  }

  @Test
  @DisplayName("bad input names the file, what is wrong and the byte offset")
  void badInput(@TempDir Path dir) throws Exception {
    Path truncated = Files.writeString(dir.resolve("cut.json"), "{\"traceEvents\":[{\"name\":\"x\",\"ph\":\"i\",\"ts\":1},");
    FileFormatException e = assertThrows(FileFormatException.class, () -> read(truncated));
    assertTrue(e.getMessage().startsWith(truncated + ": not valid JSON"), e.getMessage());
    assertEquals(Files.size(truncated), e.byteOffset());
    assertTrue(e.getMessage().endsWith("(at byte " + Files.size(truncated) + ")"), e.getMessage());

    Path garbage = Files.writeString(dir.resolve("g.json"), "{\"traceEvents\":[{\"name\":\"x\",\"ph\":\"i\",\"ts\":1} oops]}");
    FileFormatException g = assertThrows(FileFormatException.class, () -> read(garbage));
    // The parser stops just past the character it could not take: the 'o' at byte 45.
    assertEquals(46, g.byteOffset(), g.getMessage());

    Path noEvents = Files.writeString(dir.resolve("n.json"), "{\"displayTimeUnit\":\"ms\"}");
    assertTrue(assertThrows(FileFormatException.class, () -> read(noEvents)).getMessage()
        .endsWith("not a Chrome Trace Event file: no \"traceEvents\" array"));

    Path noName = Files.writeString(dir.resolve("m.json"), "{\"traceEvents\":[{\"ph\":\"i\",\"ts\":1}]}");
    FileFormatException m = assertThrows(FileFormatException.class, () -> read(noName));
    assertTrue(m.getMessage().contains("trace event 0 has no \"name\" (at byte 16)"), m.getMessage());
  }
}
