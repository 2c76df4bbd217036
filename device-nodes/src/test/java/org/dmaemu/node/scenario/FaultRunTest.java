package org.dmaemu.node.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault plans run end to end (DESIGN §10): every request ends in exactly one outcome, and what a
 * fault ended counts as aborted by its id, not as the scenario's own failures.
 */
class FaultRunTest {

  private static final Path POWER_DURING_IO = Path.of("..", "scenarios", "power-during-io.conf");

  /** The example without its own surprise removals, shortened. */
  private static Map<String, String> base() {
    Map<String, String> o = new HashMap<>();
    o.put("run.requests", "40");
    o.put("power.surprise-removal.fraction", "0");
    return o;
  }

  private static JsonNode run(Map<String, String> overrides, List<String> faults, Path dir) throws IOException {
    ScenarioLoader.Loaded loaded = ScenarioLoader.load(POWER_DURING_IO, overrides, faults);
    assertTrue(loaded.isValid(), loaded.problems().toString());
    ScenarioRun.Result r = ScenarioRun.run(loaded.scenario(), dir, ConfigFactory.load(), ScenarioRun.Progress.NONE);
    assertEquals(List.of(), r.failedChecks());
    JsonNode acc = r.json().path("accounting");
    assertEquals(0, acc.path("unaccounted").asLong(), acc.toString());
    assertEquals(
        acc.path("submitted").asLong(),
        acc.path("completed").asLong() + acc.path("failed").asLong() + acc.path("cancelled").asLong()
            + acc.path("aborted").asLong(),
        acc.toString());
    // DESIGN §10 offline: the trace's request ends, recounted, are what summary.json counts.
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int exit = org.dmaemu.node.Main.execute(new String[] {"check", dir.toString()},
        new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8),
        new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true, java.nio.charset.StandardCharsets.UTF_8));
    String checked = out.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, exit, checked);
    assertTrue(checked.contains(": as summary.json counts them\n"), checked);
    return r.json();
  }

  private static JsonNode fault(JsonNode summary, String id) {
    for (JsonNode f : summary.path("faults")) {
      if (f.path("id").asText().equals(id)) {
        return f;
      }
    }
    throw new AssertionError("no fault " + id + " in " + summary.path("faults"));
  }

  @Test
  @DisplayName("a planned surprise removal aborts the transfers in flight by its id; none counts as failed (§6.4)")
  void surpriseRemovalAbortsByFaultId(@TempDir Path dir) throws IOException {
    // reference §6.4: the removed device's programmed transfers end with DmaCompletedFinal (STATUS_NO_SUCH_DEVICE).
    JsonNode s = run(base(), List.of("{ id = pull, type = surprise-removal, at = 2ms, groups = [nic] }"), dir);
    JsonNode pull = fault(s, "pull");
    assertEquals(12, pull.path("devices").asLong(), pull.toString());
    JsonNode nic = s.path("groups").get(0);
    assertEquals("nic", nic.path("name").asText());
    assertEquals(0, nic.path("failed").asLong(), nic.toString());
    assertTrue(nic.path("abortedByFault").path("pull").asLong() > 0, nic.toString());
    assertEquals(nic.path("aborted").asLong(), s.path("accounting").path("abortedByFault").path("pull").asLong());
    assertEquals(0, s.path("groups").get(1).path("aborted").asLong(), "the disks were not selected");
  }

  @Test
  @DisplayName("a failed EvtDeviceSelfManagedIoRestart ends the device; its queued requests are aborted by the fault")
  void restartFailureAbortsQueuedRequests(@TempDir Path dir) throws IOException {
    // reference §2.3: a D0-entry callback that fails leaves the device failed; its queue is cancelled.
    Map<String, String> o = base();
    // The disks' arrivals (4,000/s) must outlast their first cycle at 10 ms: 200 requests take 50 ms.
    o.put("run.requests", "200");
    JsonNode s = run(o, List.of("callback-failure:id=restart,callback=EvtDeviceSelfManagedIoRestart,groups=[disk]"), dir);
    JsonNode restart = fault(s, "restart");
    assertEquals(12, restart.path("injected").asLong(), restart.toString());
    assertEquals(12, s.path("devices").path("failed").asLong(), s.path("devices").toString());
    assertTrue(restart.path("abortedRequests").asLong() > 0, restart.toString());
    JsonNode disk = s.path("groups").get(1);
    assertEquals(0, disk.path("cancelled").asLong() + disk.path("failed").asLong(), disk.toString());
  }

  @Test
  @DisplayName("a hung callback mid-I/O: the device is given up, its open requests aborted by the hang's id")
  void hangAbortsOpenRequests(@TempDir Path dir) throws IOException {
    Map<String, String> o = base();
    // A short deadline: the hang is found after 3 ms of modeled time (60 ms at this time scale).
    o.put("run.callback-deadline", "3ms");
    JsonNode s = run(o, List.of("callback-hang:id=stuck,callback=EvtDeviceSelfManagedIoSuspend,devices=[disk-0001]"), dir);
    JsonNode stuck = fault(s, "stuck");
    assertEquals(1, stuck.path("devices").asLong(), stuck.toString());
    assertEquals(1, s.path("devices").path("hung").asLong(), s.path("devices").toString());
    assertTrue(stuck.path("abortedRequests").asLong() > 0, stuck.toString());
  }

  @Test
  @DisplayName("a planned power cycle mid-transfer aborts nothing: the transfers in flight finish before D3")
  void powerCycleMidTransferIsSurvived(@TempDir Path dir) throws IOException {
    Map<String, String> o = base();
    o.put("power.cycles", "0");
    JsonNode s = run(o, List.of("power-cycle:id=cycle,at=1ms"), dir);
    JsonNode cycle = fault(s, "cycle");
    assertEquals(24, cycle.path("devices").asLong(), cycle.toString());
    assertEquals(0, cycle.path("abortedRequests").asLong(), cycle.toString());
    assertEquals(24, s.path("devices").path("powerCycles").asLong());
    assertEquals(s.path("accounting").path("submitted").asLong(), s.path("accounting").path("completed").asLong());
  }

  @Test
  @DisplayName("§3.3 EvtProgramDma failure: the driver ends the transfer with DmaCompletedFinal; each request hit is aborted by the fault")
  void programDmaFailureAbortsByFaultId(@TempDir Path dir) throws IOException {
    JsonNode s = run(base(), List.of("callback-failure:id=program,callback=EvtProgramDma,probability=0.05"), dir);
    JsonNode program = fault(s, "program");
    long injected = program.path("injected").asLong();
    assertTrue(injected > 0, program.toString());
    // One failure ends one request: nothing else of the run fails one.
    assertEquals(injected, program.path("abortedRequests").asLong(), program.toString());
    assertEquals(injected, s.path("accounting").path("abortedByFault").path("program").asLong(), s.path("accounting").toString());
    assertEquals(0, s.path("accounting").path("failed").asLong(), s.path("accounting").toString());
    assertEquals(0, s.path("devices").path("hung").asLong() + s.path("devices").path("crashed").asLong(),
        s.path("devices").toString());
  }

  @Test
  @DisplayName("§9.2 R7 EvtInterruptIsr failure: not claimed; the watchdog ends the transfer (STATUS_IO_TIMEOUT), aborted by the fault")
  void isrFailureRecoveredByWatchdog(@TempDir Path dir) throws IOException {
    Map<String, String> o = base();
    // The watchdog waits half the deadline: 5 ms of modeled time (100 ms at this time scale).
    o.put("run.callback-deadline", "10ms");
    JsonNode s = run(o, List.of("callback-failure:id=isr,callback=EvtInterruptIsr,probability=0.05,groups=[nic]"), dir);
    JsonNode isr = fault(s, "isr");
    assertTrue(isr.path("injected").asLong() > 0, isr.toString());
    assertTrue(isr.path("abortedRequests").asLong() > 0, isr.toString());
    assertEquals(0, s.path("accounting").path("failed").asLong(), s.path("accounting").toString());
  }

  @Test
  @DisplayName("§3.3, §9.2 R7 faults that overlap on a device: each request is aborted by the fault that ended it, not by whichever acted last")
  void overlappingFaultsBlamedPerRequest(@TempDir Path dir) throws IOException {
    Map<String, String> o = base();
    o.put("run.callback-deadline", "10ms");
    // Often enough that an EvtProgramDma failure comes while an unclaimed interrupt's transfer waits for the watchdog.
    JsonNode s = run(o, List.of(
        "callback-failure:id=program,callback=EvtProgramDma,probability=0.2,groups=[nic]",
        "callback-failure:id=isr,callback=EvtInterruptIsr,probability=0.2,groups=[nic]"), dir);
    JsonNode program = fault(s, "program");
    JsonNode isr = fault(s, "isr");
    // One EvtProgramDma failure ends its own request and no other.
    assertTrue(program.path("injected").asLong() > 0, program.toString());
    assertEquals(program.path("injected").asLong(), program.path("abortedRequests").asLong(), program + " " + isr);
    assertTrue(isr.path("abortedRequests").asLong() >= isr.path("injected").asLong(), program + " " + isr);
    assertEquals(s.path("accounting").path("aborted").asLong(),
        program.path("abortedRequests").asLong() + isr.path("abortedRequests").asLong(), s.path("accounting").toString());
  }

  @Test
  @DisplayName("§3.3 EvtProgramDma hang: at the deadline the DPC watchdog crashes the device; the run ends and its open requests are aborted by the hang")
  void programDmaHangGivesDeviceUp(@TempDir Path dir) throws IOException {
    Map<String, String> o = base();
    // 200 ms at this time scale: long enough that no reference driver's callback misses it on a loaded machine.
    o.put("run.callback-deadline", "10ms");
    JsonNode s = run(o, List.of("callback-hang:id=stuck,callback=EvtProgramDma,devices=[nic-0001]"), dir);
    JsonNode stuck = fault(s, "stuck");
    assertEquals(1, stuck.path("devices").asLong(), stuck.toString());
    assertEquals(1, s.path("devices").path("crashed").asLong(), s.path("devices").toString());
    assertTrue(stuck.path("abortedRequests").asLong() > 0, stuck.toString());
    // The DPC watchdog's bug check is the plan's doing: the run's checks pass (run() asserts it).
    JsonNode hang = s.path("bugChecks").get(0);
    assertEquals("HANG", hang.path("rule").asText(), s.path("bugChecks").toString());
    assertEquals(1, hang.path("planned").asLong(), s.path("bugChecks").toString());
    assertEquals(0, s.path("accounting").path("failed").asLong(), s.path("accounting").toString());
  }
}
