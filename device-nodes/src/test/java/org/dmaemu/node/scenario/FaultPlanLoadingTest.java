package org.dmaemu.node.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dmaemu.fault.Fault;
import org.dmaemu.fault.MessageAction;
import org.dmaemu.fault.MessagePath;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.driver.CallbackKind;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code faults} list and {@code --fault} flags: what they read to, and what a bad one says. */
class FaultPlanLoadingTest {

  private static final Path QUICKSTART = Path.of("..", "scenarios", "quickstart.conf");

  private static ScenarioLoader.Loaded load(String... flags) {
    return ScenarioLoader.load(QUICKSTART, Map.of(), List.of(flags));
  }

  @Test
  @DisplayName("--fault flags append faults in order, ids f1, f2, ... by position unless given")
  void flagsAppendInOrder() {
    ScenarioLoader.Loaded loaded = load(
        "lost-interrupt:probability=0.01",
        "callback-failure:id=io-start,callback=EvtDmaEnablerSelfManagedIoStart,status=STATUS_INSUFFICIENT_RESOURCES,"
            + "probability=0.5,groups=[nic],from=1ms,until=5ms",
        "{ type = message, path = grants, action = delay, delay = 20us }");
    assertTrue(loaded.isValid(), loaded.problems().toString());
    List<Fault> faults = loaded.scenario().faults();
    assertEquals(3, faults.size());
    Fault.MessageFault lost = assertInstanceOf(Fault.MessageFault.class, faults.get(0));
    assertEquals("f1", lost.id());
    assertEquals(MessagePath.INTERRUPTS, lost.path());
    assertEquals(MessageAction.DROP, lost.action());
    Fault.CallbackFault start = assertInstanceOf(Fault.CallbackFault.class, faults.get(1));
    assertEquals("io-start", start.id());
    assertEquals(CallbackKind.EVT_DMA_ENABLER_SELF_MANAGED_IO_START, start.callback());
    assertEquals(NtStatus.STATUS_INSUFFICIENT_RESOURCES, start.status());
    assertEquals(1_000, start.window().fromMicros());
    assertEquals(5_000, start.window().untilMicros());
    assertEquals(java.util.Set.of("nic"), start.devices().groups());
    Fault.MessageFault delay = assertInstanceOf(Fault.MessageFault.class, faults.get(2));
    assertEquals("f3", delay.id());
    assertEquals(Duration.ofNanos(20_000), delay.delay());
  }

  @Test
  @DisplayName("a bad --fault is reported at the flag, with the key and what is wrong")
  void badFlagNamesFlagAndKey() {
    ScenarioLoader.Loaded loaded = load("lost-interrupt:probabilty=0.01");
    assertEquals(1, loaded.problems().size(), loaded.problems().toString());
    assertEquals(
        "--fault lost-interrupt:probabilty=0.01: faults[0].probabilty: unknown key; did you mean probability?",
        loaded.problems().get(0).toString());
    ScenarioLoader.Loaded notHocon = load("lost-interrupt:probability=[");
    assertTrue(notHocon.problems().get(0).toString().startsWith("--fault lost-interrupt:probability=[: faults: not a fault"),
        notHocon.problems().toString());
  }

  @Test
  @DisplayName("the resolved scenario writes the plan back; loading it gives the same faults (cluster nodes load it so)")
  void resolvedRoundTrip() {
    ScenarioLoader.Loaded loaded = load(
        "lost-interrupt:probability=0.01,devices=[nic-0002],fraction=0.5",
        "callback-hang:callback=EvtDmaEnablerFlush,from=2ms",
        "message:path=ddi-replies,action=duplicate,probability=0.25,until=7ms",
        "surprise-removal:at=3ms,groups=[disk]",
        "power-cycle:at=1500us");
    assertTrue(loaded.isValid(), loaded.problems().toString());
    String text = ScenarioLoader.resolved(loaded.scenario());
    ScenarioLoader.Loaded again = ScenarioLoader.fromText(text, Path.of("resolved.conf"));
    assertTrue(again.isValid(), again.problems() + "\n" + text);
    assertEquals(loaded.scenario().faults(), again.scenario().faults());
  }

  /** The one problem of loading quickstart with {@code flag}, as {@code key path: message}. */
  private static String onlyProblem(Map<String, String> overrides, String flag) {
    ScenarioLoader.Loaded loaded = ScenarioLoader.load(QUICKSTART, overrides, List.of(flag));
    assertEquals(1, loaded.problems().size(), loaded.problems().toString());
    Problem p = loaded.problems().get(0);
    assertEquals("--fault " + flag, p.file());
    return p.path() + ": " + p.message();
  }

  @Test
  @DisplayName("§3.3 a callback-failure of any VOID callback is refused at the callback key; its callback-hang is taken")
  void voidCallbacksHangOnly() {
    List<CallbackKind> voids = new ArrayList<>();
    for (CallbackKind k : CallbackKind.values()) {
      if (k.returnsNothing()) {
        voids.add(k);
        String flag = "callback-failure:callback=" + k.kmdfName();
        assertEquals(
            "faults[0].callback: " + k.kmdfName() + " returns nothing (VOID): a failure cannot be returned from it;"
                + " use callback-hang (got " + k.kmdfName() + ")",
            onlyProblem(Map.of(), flag));
      }
    }
    assertEquals(List.of(
        CallbackKind.EVT_DEVICE_SELF_MANAGED_IO_FLUSH, CallbackKind.EVT_DEVICE_SELF_MANAGED_IO_CLEANUP,
        CallbackKind.EVT_DEVICE_SURPRISE_REMOVAL, CallbackKind.EVT_RESERVE_DMA,
        CallbackKind.EVT_DMA_TRANSACTION_DMA_TRANSFER_COMPLETE, CallbackKind.EVT_INTERRUPT_DPC), voids);
    ScenarioLoader.Loaded hangs = load(
        "callback-hang:callback=EvtDeviceSurpriseRemoval", "callback-hang:callback=EvtDeviceSelfManagedIoFlush",
        "callback-hang:callback=EvtDeviceSelfManagedIoCleanup", "callback-hang:callback=EvtInterruptDpc",
        "callback-failure:callback=EvtProgramDma,probability=0.05", "callback-failure:callback=EvtInterruptIsr");
    assertTrue(hangs.isValid(), hangs.problems().toString());
  }

  @ParameterizedTest(name = "§9 {0} must reach a selected device: {2}")
  @CsvSource(delimiter = '|', value = {
      "callback-hang:callback=EvtReserveDma | | EvtReserveDma reaches no device this fault selects (nic: scatter-gather,"
          + " disk: packet): only driver reserving-packet gets it; callbacks that can be hung there: EvtDriverDeviceAdd,",
      "callback-hang:callback=EvtDmaTransactionDmaTransferComplete,groups=[nic] | | reaches no device this fault"
          + " selects (nic: scatter-gather): only driver system gets it",
      "callback-failure:callback=EvtDmaTransactionConfigureDmaChannel | | no reference driver registers it;"
          + " callbacks that can be failed there: EvtDriverDeviceAdd,",
      "callback-failure:callback=EvtDmaEnablerFill,devices=[disk-0002] | none | EvtDmaEnablerFill reaches no device this"
          + " fault selects (disk: packet): their enablers do not register it (enabler.callbacks)"})
  void callbackFaultMustReachADevice(String flag, String diskCallbacks, String fragment) {
    Map<String, String> overrides = diskCallbacks == null ? Map.of() : Map.of("topology.groups.disk.enabler.callbacks", diskCallbacks);
    String problem = onlyProblem(overrides, flag);
    assertTrue(problem.startsWith("faults[0].callback: "), problem);
    assertTrue(problem.contains(fragment), problem);
    if (flag.startsWith("callback-failure")) {
      assertTrue(!problem.contains("EvtDeviceSurpriseRemoval") && problem.contains("EvtProgramDma, EvtInterruptIsr"),
          "a failure's list leaves the VOID callbacks out: " + problem);
    }
  }

  @Test
  @DisplayName("§9 a callback fault is taken when some selected device gets the callback")
  void callbackFaultReachingSomeDevice() {
    Map<String, String> nicWithout = Map.of("topology.groups.nic.enabler.callbacks", "none");
    ScenarioLoader.Loaded loaded = ScenarioLoader.load(QUICKSTART, nicWithout, List.of(
        "callback-failure:callback=EvtDmaEnablerFill", "callback-hang:callback=EvtInterruptDpc,devices=[disk-0001]"));
    assertTrue(loaded.isValid(), loaded.problems().toString());
  }
}
