package org.dmaemu.node.scenario;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dmaemu.driver.DmaIoDriver;
import org.dmaemu.fault.DeviceSelector;
import org.dmaemu.fault.Fault;
import org.dmaemu.fault.MessageAction;
import org.dmaemu.fault.MessagePath;
import org.dmaemu.fault.Window;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.driver.CallbackKind;

/**
 * Reads a scenario's {@code faults} list (DESIGN §10; docs/faults.md): each entry's type and the
 * keys that type takes, names that must exist (groups, devices, adapter domains), and unique ids.
 * Entries without an id are named {@code f1}, {@code f2}, … by their position.
 */
final class FaultReader {

  private static final List<String> SELECT = List.of("groups", "devices", "fraction");
  private static final List<String> WINDOW = List.of("from", "until");
  static final Map<String, List<String>> TYPE_KEYS = typeKeys();
  private static final Pattern ID = Pattern.compile("[A-Za-z][A-Za-z0-9_-]*");
  private static final Pattern DEVICE = Pattern.compile("(.+)-([0-9]{4,})");

  private final List<GroupSpec> groups;
  private final Set<String> domains;

  FaultReader(List<GroupSpec> groups, Set<String> domains) {
    this.groups = groups;
    this.domains = domains;
  }

  List<Fault> read(List<Section> entries) {
    List<Fault> faults = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < entries.size(); i++) {
      Section s = entries.get(i);
      String id = s.string("id", "f" + (i + 1), null);
      if (!ID.matcher(id).matches()) {
        s.problem("id", "names the fault in logs and the summary: a letter, then letters, digits, '_' or '-'");
      } else if (!ids.add(id)) {
        s.problem("id", "is the id of an earlier fault; ids must be unique");
      }
      String type = s.oneOf("type", null, List.copyOf(TYPE_KEYS.keySet()));
      if (type == null) {
        s.rejectUnknownKeys();
        continue;
      }
      Fault f = readOne(s, id, type);
      s.rejectUnknownKeys();
      if (f != null) {
        faults.add(f);
      }
    }
    return faults;
  }

  private Fault readOne(Section s, String id, String type) {
    for (String key : allKeys()) {
      if (!TYPE_KEYS.get(type).contains(key) && !List.of("id", "type").contains(key)) {
        s.forbid(key, "does not apply to a " + type + " fault (its keys: " + String.join(", ", TYPE_KEYS.get(type)) + ")");
      }
    }
    try {
      return switch (type) {
        case "callback-failure" -> callbackFault(s, id, false);
        case "callback-hang" -> callbackFault(s, id, true);
        case "lost-interrupt" -> new Fault.MessageFault(
            id, MessagePath.INTERRUPTS, MessageAction.DROP, Duration.ZERO, probability(s), selector(s), window(s));
        case "message" -> message(s, id);
        case "surprise-removal" -> new Fault.DeviceEvent(id, Fault.DeviceEventKind.SURPRISE_REMOVAL, selector(s), at(s));
        case "power-cycle" -> new Fault.DeviceEvent(id, Fault.DeviceEventKind.POWER_CYCLE, selector(s), at(s));
        case "arbiter-crash" -> new Fault.ArbiterCrash(id, domain(s), at(s));
        case "node-crash" -> new Fault.NodeFault(id, Fault.NodeFaultKind.CRASH, node(s), at(s), Duration.ZERO);
        case "node-pause" -> new Fault.NodeFault(
            id, Fault.NodeFaultKind.PAUSE, node(s), at(s), s.duration("length", Duration.ofSeconds(3), true));
        default -> throw new IllegalStateException("unhandled fault type " + type);
      };
    } catch (Invalid e) {
      return null;
    } catch (IllegalArgumentException e) {
      s.problem(e.getMessage());
      return null;
    }
  }

  private static final class Invalid extends RuntimeException {
    Invalid() {
      super(null, null, false, false);
    }
  }

  /** A callback-failure ({@code hang} false) or callback-hang fault, which must be able to act. */
  private Fault callbackFault(Section s, String id, boolean hang) {
    CallbackKind callback = callback(s, hang);
    NtStatus status = hang ? null : status(s);
    double probability = probability(s);
    DeviceSelector devices = selector(s);
    Window window = window(s);
    checkReach(s, callback, devices, hang);
    return new Fault.CallbackFault(id, callback, status, probability, devices, window);
  }

  private static CallbackKind callback(Section s, boolean hang) {
    String name = s.string("callback", null, "missing: the callback, e.g. EvtDmaEnablerSelfManagedIoStart");
    if (name == null) {
      throw new Invalid();
    }
    for (CallbackKind k : CallbackKind.values()) {
      if (k.kmdfName().equals(name)) {
        if (!hang && k.returnsNothing()) {
          // The framework takes nothing from a VOID callback's return: a failure would act on nothing.
          s.problem("callback", Fault.CallbackFault.voidFailure(k));
          throw new Invalid();
        }
        return k;
      }
    }
    s.problem("callback", "must name a KMDF callback the emulator delivers, e.g. EvtDmaEnablerSelfManagedIoStart, "
        + "EvtDeviceD0Entry, EvtProgramDma");
    throw new Invalid();
  }

  /**
   * A callback fault must reach the driver of some device it selects, or it would silently do
   * nothing: each reference driver gets the device's PnP and power callbacks, its enabler's
   * registered ones, and the transaction and interrupt callbacks of its flow ({@link
   * DmaIoDriver.Mode#ioCallbacks}).
   */
  private void checkReach(Section s, CallbackKind callback, DeviceSelector devices, boolean hang) {
    List<GroupSpec> selected = new ArrayList<>();
    for (GroupSpec g : groups) {
      if ((devices.groups().isEmpty() || devices.groups().contains(g.name()))
          && (devices.deviceIds().isEmpty()
              || devices.deviceIds().stream().anyMatch(d -> groupOf(d).equals(g.name())))) {
        selected.add(g);
      }
    }
    if (selected.isEmpty() || selected.stream().anyMatch(g -> receives(g, callback))) {
      return;
    }
    List<String> faultable = new ArrayList<>();
    for (CallbackKind k : CallbackKind.values()) {
      if ((hang || !k.returnsNothing()) && selected.stream().anyMatch(g -> receives(g, k))) {
        faultable.add(k.kmdfName());
      }
    }
    List<String> drivers = new ArrayList<>();
    selected.forEach(g -> drivers.add(g.name() + ": " + ScenarioReader.kebab(g.driver())));
    s.problem("callback", callback.kmdfName() + " reaches no device this fault selects (" + String.join(", ", drivers)
        + "): " + whyNot(callback) + "; callbacks that can be " + (hang ? "hung" : "failed") + " there: "
        + String.join(", ", faultable));
    throw new Invalid();
  }

  private static String groupOf(String deviceId) {
    Matcher m = DEVICE.matcher(deviceId);
    return m.matches() ? m.group(1) : "";
  }

  private static boolean receives(GroupSpec g, CallbackKind k) {
    if (k.isEnablerCallback()) {
      return g.enabler().callbacks().stream().anyMatch(c -> CallbackKind.of(c) == k);
    }
    return !isIoCallback(k) || g.driver().ioCallbacks().contains(k);
  }

  /** The transaction and interrupt callbacks: which of them a device gets depends on its driver's flow. */
  private static boolean isIoCallback(CallbackKind k) {
    return k.isTransactionCallback() || k == CallbackKind.EVT_INTERRUPT_ISR || k == CallbackKind.EVT_INTERRUPT_DPC;
  }

  private static String whyNot(CallbackKind callback) {
    if (callback.isEnablerCallback()) {
      return "their enablers do not register it (enabler.callbacks)";
    }
    List<String> modes = new ArrayList<>();
    for (DmaIoDriver.Mode m : DmaIoDriver.Mode.values()) {
      if (m.ioCallbacks().contains(callback)) {
        modes.add(ScenarioReader.kebab(m));
      }
    }
    return modes.isEmpty()
        ? "no reference driver registers it"
        : "only driver " + String.join(" and ", modes) + " gets it";
  }

  private static NtStatus status(Section s) {
    String name = s.string("status", "STATUS_UNSUCCESSFUL", null);
    for (NtStatus st : NtStatus.values()) {
      if (st.name().equals(name) && !st.isSuccess()) {
        return st;
      }
    }
    List<String> failures = new ArrayList<>();
    for (NtStatus st : NtStatus.values()) {
      if (!st.isSuccess()) {
        failures.add(st.name());
      }
    }
    s.problem("status", "must be a failure NTSTATUS: " + String.join(", ", failures));
    throw new Invalid();
  }

  private static double probability(Section s) {
    return s.decimal("probability", 1.0, 0, true, 1);
  }

  private static Duration at(Section s) {
    Duration at = s.duration("at", null, false);
    if (at == null) {
      s.missing("at", "missing: when the fault happens, in modeled time since the run's start, e.g. at = 20ms");
      throw new Invalid();
    }
    return at;
  }

  private Fault message(Section s, String id) {
    Map<String, MessagePath> paths = new LinkedHashMap<>();
    for (MessagePath p : MessagePath.values()) {
      paths.put(p.planName(), p);
    }
    Map<String, MessageAction> actions = new LinkedHashMap<>();
    for (MessageAction a : MessageAction.values()) {
      actions.put(a.planName(), a);
    }
    MessagePath path = s.choice("path", null, paths);
    MessageAction action = s.choice("action", null, actions);
    Duration delay = Duration.ZERO;
    if (action == MessageAction.DELAY) {
      delay = s.duration("delay", null, true);
      if (delay == null) {
        s.missing("delay", "missing: how long a delayed message waits, e.g. delay = 50us");
        throw new Invalid();
      }
    } else {
      s.forbid("delay", "applies to action = delay only");
    }
    if (path == null || action == null) {
      throw new Invalid();
    }
    return new Fault.MessageFault(id, path, action, delay, probability(s), selector(s), window(s));
  }

  private DeviceSelector selector(Section s) {
    List<String> groupNames = s.strings("groups");
    Set<String> known = new LinkedHashSet<>();
    groups.forEach(g -> known.add(g.name()));
    if (groupNames != null) {
      for (String g : groupNames) {
        if (!known.contains(g)) {
          s.problem("groups", "no group named " + g + " in topology.groups (groups: " + String.join(", ", known) + ")");
          throw new Invalid();
        }
      }
    }
    List<String> devices = s.strings("devices");
    if (devices != null) {
      for (String d : devices) {
        if (!deviceExists(d)) {
          s.problem("devices", "no device " + d + " in this scenario (devices are GROUP-NNNN, e.g. "
              + groups.get(0).name() + "-0001, numbered from 1 to the group's count)");
          throw new Invalid();
        }
      }
    }
    double fraction = s.decimal("fraction", 1.0, 0, true, 1);
    return new DeviceSelector(
        groupNames == null ? Set.of() : Set.copyOf(groupNames), devices == null ? Set.of() : Set.copyOf(devices), fraction);
  }

  private boolean deviceExists(String deviceId) {
    Matcher m = DEVICE.matcher(deviceId);
    if (!m.matches()) {
      return false;
    }
    long n = Long.parseLong(m.group(2));
    return groups.stream().anyMatch(g -> g.name().equals(m.group(1)) && n >= 1 && n <= g.count());
  }

  private static Window window(Section s) {
    Duration from = s.duration("from", Duration.ZERO, false);
    Duration until = s.duration("until", null, true);
    long fromMicros = from.toNanos() / 1000;
    long untilMicros = until == null ? Long.MAX_VALUE : until.toNanos() / 1000;
    if (untilMicros <= fromMicros) {
      s.problem("until", "must be later than from (" + Units.duration(from) + ")");
      throw new Invalid();
    }
    return new Window(fromMicros, untilMicros);
  }

  private String domain(Section s) {
    String name = s.name("adapter-domain", null);
    if (name == null) {
      s.missing("adapter-domain", "missing: the shared adapter domain whose arbiters crash"
          + (domains.isEmpty() ? " (this scenario has none: see topology.adapter-domains)" : " (" + String.join(", ", domains) + ")"));
      throw new Invalid();
    }
    if (!domains.contains(name)) {
      s.problem("adapter-domain", "no adapter domain named " + name + " in topology.adapter-domains"
          + (domains.isEmpty() ? " (this scenario has none)" : " (" + String.join(", ", domains) + ")"));
      throw new Invalid();
    }
    return name;
  }

  private static int node(Section s) {
    return s.integer("node", null, 2, 1000, "missing: which node, 2 or more (node 1 submits the run and cannot be crashed)");
  }

  /** Every key a fault entry may have, whatever its type. */
  static List<String> vocabulary() {
    List<String> all = new ArrayList<>(List.of("id", "type"));
    all.addAll(allKeys());
    return all;
  }

  private static Set<String> allKeys() {
    Set<String> all = new LinkedHashSet<>();
    TYPE_KEYS.values().forEach(all::addAll);
    return all;
  }

  private static Map<String, List<String>> typeKeys() {
    Map<String, List<String>> m = new LinkedHashMap<>();
    m.put("callback-failure", keys(List.of("callback", "status", "probability"), SELECT, WINDOW));
    m.put("callback-hang", keys(List.of("callback", "probability"), SELECT, WINDOW));
    m.put("lost-interrupt", keys(List.of("probability"), SELECT, WINDOW));
    m.put("message", keys(List.of("path", "action", "delay", "probability"), SELECT, WINDOW));
    m.put("surprise-removal", keys(List.of("at"), SELECT));
    m.put("power-cycle", keys(List.of("at"), SELECT));
    m.put("arbiter-crash", List.of("adapter-domain", "at"));
    m.put("node-crash", List.of("node", "at"));
    m.put("node-pause", List.of("node", "at", "length"));
    return m;
  }

  @SafeVarargs
  private static List<String> keys(List<String>... parts) {
    List<String> all = new ArrayList<>();
    for (List<String> p : parts) {
      all.addAll(p);
    }
    return List.copyOf(all);
  }
}
