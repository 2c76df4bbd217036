package org.dmaemu.node.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.dmaemu.protocol.trace.TraceEvent;

/**
 * The power callbacks of each device against reference §2: the D0-entry order (§2.1), the D0-exit
 * order (§2.2), what a failed callback leaves to run (§2.3) and the per-enabler gating of the exit
 * callbacks (§2.4). Works on the callbacks' spans in trace order: a device's power callbacks run
 * one after the other, and each span is recorded when its callback returns.
 *
 * <p>The trace does not say which callbacks a driver registered, so "every enabler is visited" is
 * checked against the callbacks an earlier power transition of the same device showed for that
 * enabler. A callback that hung leaves its device stuck; nothing after it is checked.
 */
final class DevicePower {

  private enum Phase {
    /** Not in D0 and not on the way. */
    OFF,
    ENTRY,
    IN_D0,
    EXIT,
    /** §2.3 row 2: an interrupt-enable step failed; the enabled interrupts go off, then EvtDeviceD0Exit. */
    UNWIND_INTERRUPTS,
    /** §2.3 rows 3 and 5: a DMA enabler callback or self-managed I/O start failed; the whole exit path follows. */
    UNWIND_DMA,
    /** A callback hung: the device is stuck. */
    STUCK
  }

  private enum Sequence {
    ENTRY,
    EXIT
  }

  /** A callback's place in its sequence; order by stage, then a, then b. */
  private record Step(Sequence sequence, int stage, int a, int b, String label) implements Comparable<Step> {
    @Override
    public int compareTo(Step o) {
      if (stage != o.stage) {
        return Integer.compare(stage, o.stage);
      }
      if (a != o.a) {
        return Integer.compare(a, o.a);
      }
      return Integer.compare(b, o.b);
    }
  }

  private static final String[] ENTRY_DMA = {"EvtDmaEnablerFill", "EvtDmaEnablerEnable", "EvtDmaEnablerSelfManagedIoStart"};
  private static final String[] EXIT_DMA = {"EvtDmaEnablerSelfManagedIoStop", "EvtDmaEnablerDisable", "EvtDmaEnablerFlush"};

  private static final String ENTRY_ORDER =
      "§2.1: EvtDeviceD0Entry, per interrupt in list order EvtInterruptEnable and EvtInterruptPostEnable,"
          + " EvtDeviceD0EntryPostInterruptsEnabled, per enabler in creation order Fill, Enable,"
          + " SelfManagedIoStart, then EvtDeviceSelfManagedIoInit/Restart";
  private static final String EXIT_ORDER =
      "§2.2: EvtDeviceSelfManagedIoSuspend, per enabler in creation order SelfManagedIoStop, Disable, Flush,"
          + " EvtDeviceD0ExitPreInterruptsDisabled, EvtInterruptDisable in reverse list order, EvtDeviceD0Exit";

  private static final class Device {
    Phase phase = Phase.OFF;
    Step last;
    /** The callback whose failure started the unwinding. */
    String failed;
    /** EvtDeviceSelfManagedIoInit ran once: later starts call …Restart (§2.1 step 9). */
    boolean selfManagedIoInitialized;
    final Set<Integer> interruptsEnabled = new TreeSet<>();
    final Set<Integer> interruptsDisabled = new HashSet<>();
    /** §2.4: failure flags, never cleared for the enabler's life. */
    final Set<Integer> fillFailed = new HashSet<>();
    final Set<Integer> enableFailed = new HashSet<>();
    /** DMA callbacks ("k name") earlier transitions showed: the driver registered them. */
    final Set<String> knownEntry = new HashSet<>();
    final Set<String> knownExit = new HashSet<>();
    /** DMA callbacks of the current transition. */
    final Set<String> seen = new HashSet<>();
    final EventRing recent = new EventRing(5);
  }

  private final Findings findings;
  private final Map<String, Device> devices = new HashMap<>();

  DevicePower(Findings findings) {
    this.findings = findings;
  }

  /** A device callback (no transaction): a power callback, or one this check passes over. */
  void accept(TraceEvent e, String deviceId) {
    if (e.name().equals("EvtDriverDeviceAdd")) {
      // A new device object: new enablers, new flags.
      devices.put(deviceId, new Device());
      return;
    }
    Device d = devices.computeIfAbsent(deviceId, k -> new Device());
    if (d.phase == Phase.STUCK) {
      return;
    }
    Step s = step(e);
    if (s != null) {
      check(d, deviceId, s, e);
      d.recent.add(e);
    }
    if (TraceArgs.hung(e)) {
      d.phase = Phase.STUCK;
    }
  }

  private void check(Device d, String id, Step s, TraceEvent e) {
    switch (d.phase) {
      case OFF -> {
        if (s.sequence() == Sequence.EXIT) {
          violation(d, id, e, s.label() + " while the device is not in D0: D0-exit callbacks run only on the way out of D0 (§2.2)");
          return;
        }
        if (s.stage() != 1) {
          violation(d, id, e, s.label() + " with no EvtDeviceD0Entry before it: a D0 entry starts with EvtDeviceD0Entry (§2.1)");
        }
        d.phase = Phase.ENTRY;
        d.last = null;
        d.seen.clear();
        d.interruptsEnabled.clear();
        advanceEntry(d, id, s, e);
      }
      case ENTRY -> {
        if (s.sequence() == Sequence.EXIT) {
          violation(d, id, e, s.label() + " during D0 entry, before EvtDeviceSelfManagedIoInit/Restart ended it (§2.1)");
          return;
        }
        advanceEntry(d, id, s, e);
      }
      case IN_D0 -> {
        if (s.sequence() == Sequence.ENTRY) {
          violation(d, id, e, s.label() + " while the device is already in D0 (§2.1)");
          return;
        }
        startExit(d, Phase.EXIT, null, null);
        advanceExit(d, id, s, e);
      }
      case EXIT, UNWIND_INTERRUPTS, UNWIND_DMA -> {
        if (s.sequence() == Sequence.ENTRY) {
          violation(d, id, e, s.label() + (d.phase == Phase.EXIT
              ? " during D0 exit (§2.2)"
              : " after " + d.failed + " failed: §2.3 skips the rest of the power-up"));
          return;
        }
        advanceExit(d, id, s, e);
      }
      default -> throw new IllegalStateException("no power check in phase " + d.phase);
    }
  }

  private void advanceEntry(Device d, String id, Step s, TraceEvent e) {
    if (d.last != null && s.compareTo(d.last) <= 0) {
      violation(d, id, e, s.label() + " after " + d.last.label() + ": out of order (" + ENTRY_ORDER + ")");
    }
    d.last = s;
    boolean ok = TraceArgs.succeeded(e);
    if (s.stage() == 2 && s.b() == 1 && !d.interruptsEnabled.contains(s.a())) {
      violation(d, id, e, s.label() + " without a successful EvtInterruptEnable of that interrupt before it (§2.1 step 2)");
    }
    if (s.stage() == 2 && s.b() == 0 && ok) {
      d.interruptsEnabled.add(s.a());
    }
    if (s.stage() == 4) {
      String key = s.a() + " " + ENTRY_DMA[s.b()];
      d.seen.add(key);
      d.knownEntry.add(key);
    }
    if (s.stage() == 5) {
      selfManagedIoStart(d, id, e);
    }
    if (TraceArgs.hung(e)) {
      return;
    }
    if (!ok) {
      entryFailed(d, s, e);
    } else if (s.stage() == 5) {
      missingEntryCallbacks(d, id, e);
      d.phase = Phase.IN_D0;
      d.last = null;
    }
  }

  private void selfManagedIoStart(Device d, String id, TraceEvent e) {
    boolean init = e.name().equals("EvtDeviceSelfManagedIoInit");
    if (init && d.selfManagedIoInitialized) {
      violation(d, id, e, "EvtDeviceSelfManagedIoInit on a later start: once initialized, a start calls"
          + " EvtDeviceSelfManagedIoRestart (§2.1 step 9)");
    } else if (!init && !d.selfManagedIoInitialized) {
      violation(d, id, e, "EvtDeviceSelfManagedIoRestart before any EvtDeviceSelfManagedIoInit: the first start"
          + " calls Init (§2.1 step 9)");
    }
    d.selfManagedIoInitialized = true;
  }

  /** §2.3: what a failed power-up callback leaves to run. */
  private void entryFailed(Device d, Step s, TraceEvent e) {
    d.failed = s.label();
    switch (s.stage()) {
      case 1 -> {
        // Row 1: nothing follows, not even EvtDeviceD0Exit.
        d.phase = Phase.OFF;
        d.last = null;
      }
      case 2, 3 -> startExit(d, Phase.UNWIND_INTERRUPTS, new Step(Sequence.EXIT, 3, 0, 0, s.label()), s.label());
      case 4 -> {
        int k = s.a();
        if (s.b() == 0) {
          d.fillFailed.add(k);
        } else if (s.b() == 1) {
          d.enableFailed.add(k);
        }
        startExit(d, Phase.UNWIND_DMA, new Step(Sequence.EXIT, 1, 0, 0, s.label()), s.label());
      }
      default -> startExit(d, Phase.UNWIND_DMA, new Step(Sequence.EXIT, 1, 0, 0, s.label()), s.label());
    }
  }

  private void missingEntryCallbacks(Device d, String id, TraceEvent e) {
    List<String> missing = new ArrayList<>();
    for (String key : d.knownEntry) {
      if (!d.seen.contains(key)) {
        missing.add(key);
      }
    }
    if (!missing.isEmpty()) {
      missing.sort(null);
      violation(d, id, e, "D0 entry ended without " + describe(missing) + ", which an earlier power-up called:"
          + " every enabler's callbacks run in each power-up (§2.1 step 4)");
    }
  }

  private static void startExit(Device d, Phase phase, Step marker, String failed) {
    d.phase = phase;
    d.last = marker;
    d.failed = failed;
    d.seen.clear();
    d.interruptsDisabled.clear();
  }

  private void advanceExit(Device d, String id, Step s, TraceEvent e) {
    if (d.phase == Phase.UNWIND_INTERRUPTS && s.stage() < 4) {
      violation(d, id, e, s.label() + " after " + d.failed + " failed: §2.3 row 2 disables the enabled interrupts"
          + " and calls EvtDeviceD0Exit, with no DMA callback and no EvtDeviceD0ExitPreInterruptsDisabled");
      return;
    }
    if (d.phase == Phase.UNWIND_DMA && s.stage() == 1) {
      violation(d, id, e, s.label() + " after " + d.failed + " failed: §2.3 unwinds a power-up with the DMA"
          + " power-down, not with EvtDeviceSelfManagedIoSuspend");
      return;
    }
    if (d.last != null && s.compareTo(d.last) <= 0) {
      violation(d, id, e, s.label() + " after " + d.last.label() + ": out of order (" + EXIT_ORDER + ")");
    }
    d.last = s;
    switch (s.stage()) {
      case 2 -> exitDma(d, id, s, e);
      case 4 -> {
        int i = -s.a();
        if (!d.interruptsEnabled.contains(i)) {
          violation(d, id, e, s.label() + ", which the last D0 entry did not enable: only enabled interrupts are"
              + " disabled (§2.2 step 7, §2.3)");
        }
        d.interruptsDisabled.add(i);
      }
      case 5 -> exitEnded(d, id, e);
      default -> {
        // Suspend and EvtDeviceD0ExitPreInterruptsDisabled: the order above is all there is to check.
      }
    }
  }

  private void exitDma(Device d, String id, Step s, TraceEvent e) {
    int k = s.a();
    d.seen.add(k + " " + EXIT_DMA[s.b()]);
    d.knownExit.add(k + " " + EXIT_DMA[s.b()]);
    if (s.b() == 1 && d.fillFailed.contains(k)) {
      violation(d, id, e, s.label() + ", whose EvtDmaEnablerFill failed: §2.4 skips Disable and Flush of that enabler"
          + " (the flag is never cleared)");
    } else if (s.b() == 2 && (d.fillFailed.contains(k) || d.enableFailed.contains(k))) {
      violation(d, id, e, s.label() + ", whose EvtDmaEnabler" + (d.fillFailed.contains(k) ? "Fill" : "Enable")
          + " failed: §2.4 skips Flush of that enabler (the flag is never cleared)");
    }
  }

  private void exitEnded(Device d, String id, TraceEvent e) {
    if (d.phase != Phase.UNWIND_INTERRUPTS) {
      List<String> missing = new ArrayList<>();
      for (String key : d.knownExit) {
        if (!d.seen.contains(key) && !gated(d, key)) {
          missing.add(key);
        }
      }
      if (!missing.isEmpty()) {
        missing.sort(null);
        violation(d, id, e, "D0 exit ended without " + describe(missing) + ", which an earlier power-down called:"
            + " the DMA power-down visits every enabler and a failure does not stop it (§2.2 step 5, §2.4)");
      }
    }
    List<Integer> notDisabled = new ArrayList<>();
    for (int i : d.interruptsEnabled) {
      if (!d.interruptsDisabled.contains(i)) {
        notDisabled.add(i);
      }
    }
    if (!notDisabled.isEmpty()) {
      violation(d, id, e, "D0 exit ended without EvtInterruptDisable of interrupt" + (notDisabled.size() == 1 ? " " : "s ")
          + notDisabled + ", enabled by the D0 entry (§2.2 step 7)");
    }
    d.phase = Phase.OFF;
    d.last = null;
    d.interruptsEnabled.clear();
  }

  /** §2.4: Disable is skipped after a failed Fill, Flush after a failed Fill or Enable. */
  private static boolean gated(Device d, String key) {
    int space = key.indexOf(' ');
    int k = Integer.parseInt(key.substring(0, space));
    String name = key.substring(space + 1);
    if (name.equals(EXIT_DMA[1])) {
      return d.fillFailed.contains(k);
    }
    if (name.equals(EXIT_DMA[2])) {
      return d.fillFailed.contains(k) || d.enableFailed.contains(k);
    }
    return false;
  }

  private static String describe(List<String> keys) {
    List<String> parts = new ArrayList<>();
    for (String key : keys) {
      int space = key.indexOf(' ');
      parts.add(key.substring(space + 1) + " of enabler " + key.substring(0, space));
    }
    return String.join(", ", parts);
  }

  private void violation(Device d, String id, TraceEvent e, String message) {
    findings.violation(Invariant.POWER_CALLBACK_ORDER, message, id, null, e.tsMicros(), d.recent.with(e));
  }

  /** Where a power callback sits, or {@code null} for a callback of no power sequence. */
  private static Step step(TraceEvent e) {
    String n = e.name();
    int enabler = TraceArgs.integer(e, "enabler", 0);
    int interrupt = TraceArgs.integer(e, "interrupt", 0);
    String withEnabler = n + " of enabler " + enabler;
    String withInterrupt = n + " of interrupt " + interrupt;
    switch (n) {
      case "EvtDeviceD0Entry":
        return new Step(Sequence.ENTRY, 1, 0, 0, n);
      case "EvtInterruptEnable":
        return new Step(Sequence.ENTRY, 2, interrupt, 0, withInterrupt);
      case "EvtInterruptPostEnable":
        return new Step(Sequence.ENTRY, 2, interrupt, 1, withInterrupt);
      case "EvtDeviceD0EntryPostInterruptsEnabled":
        return new Step(Sequence.ENTRY, 3, 0, 0, n);
      case "EvtDmaEnablerFill":
        return new Step(Sequence.ENTRY, 4, enabler, 0, withEnabler);
      case "EvtDmaEnablerEnable":
        return new Step(Sequence.ENTRY, 4, enabler, 1, withEnabler);
      case "EvtDmaEnablerSelfManagedIoStart":
        return new Step(Sequence.ENTRY, 4, enabler, 2, withEnabler);
      case "EvtDeviceSelfManagedIoInit":
      case "EvtDeviceSelfManagedIoRestart":
        return new Step(Sequence.ENTRY, 5, 0, 0, n);
      case "EvtDeviceSelfManagedIoSuspend":
        return new Step(Sequence.EXIT, 1, 0, 0, n);
      case "EvtDmaEnablerSelfManagedIoStop":
        return new Step(Sequence.EXIT, 2, enabler, 0, withEnabler);
      case "EvtDmaEnablerDisable":
        return new Step(Sequence.EXIT, 2, enabler, 1, withEnabler);
      case "EvtDmaEnablerFlush":
        return new Step(Sequence.EXIT, 2, enabler, 2, withEnabler);
      case "EvtDeviceD0ExitPreInterruptsDisabled":
        return new Step(Sequence.EXIT, 3, 0, 0, n);
      case "EvtInterruptDisable":
        return new Step(Sequence.EXIT, 4, -interrupt, 0, withInterrupt);
      case "EvtDeviceD0Exit":
        return new Step(Sequence.EXIT, 5, 0, 0, n);
      default:
        return null;
    }
  }
}
