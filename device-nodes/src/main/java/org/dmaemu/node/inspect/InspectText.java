package org.dmaemu.node.inspect;

import java.util.Locale;
import org.dmaemu.protocol.arbitration.AdapterInspection;
import org.dmaemu.protocol.arbitration.AdapterLockSnapshot;
import org.dmaemu.protocol.arbitration.MapRegisterSnapshot;
import org.dmaemu.protocol.device.DeviceSnapshot;
import org.dmaemu.protocol.enabler.AdapterInfo;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.dmaemu.protocol.enabler.EnablerInfo;
import org.dmaemu.protocol.transaction.TransactionView;

/**
 * An {@link Inspection} as text, in the spirit of the kernel debugger's {@code !dma} (adapters:
 * map registers and who holds the channel) and {@code !wdfdmaenabler} / {@code !wdfdmatransaction}
 * (a device's enablers and their transactions).
 */
public final class InspectText {
  private InspectText() {}

  public static String render(Inspection in) {
    StringBuilder out = new StringBuilder();
    out.append(in.run().isEmpty() ? "no run in progress" : "run " + in.run())
        .append(" · ").append(in.nodes().size()).append(in.nodes().size() == 1 ? " node" : " nodes")
        .append(" · ").append(in.adapters().size()).append(in.adapters().size() == 1 ? " shared adapter" : " shared adapters")
        .append(" · ").append(in.devices().size()).append(in.devices().size() == 1 ? " device" : " devices");
    if (in.devicesMissing() > 0) {
      out.append(" (").append(in.devicesMissing()).append(" more did not answer)");
    }
    out.append('\n');
    for (Inspection.AdapterEntry a : in.adapters()) {
      adapter(out, a);
    }
    java.util.Set<String> shared = new java.util.HashSet<>();
    in.adapters().forEach(a -> shared.add(a.registers().adapterId()));
    for (Inspection.DeviceEntry d : in.devices()) {
      device(out, d, shared);
    }
    return out.toString();
  }

  private static void adapter(StringBuilder out, Inspection.AdapterEntry a) {
    out.append('\n').append("ADAPTER ").append(a.registers().adapterId()).append("  on ").append(a.node()).append('\n');
    adapterState(out, "  ", a.registers(), a.lock());
  }

  /** Map registers and lock, as {@code !dma} lists an adapter. */
  private static void adapterState(StringBuilder out, String indent, MapRegisterSnapshot r, AdapterLockSnapshot l) {
    out.append(indent).append(String.format(Locale.ROOT,
        "map registers  %d total, %d free, %d held (%d reserved), %d waiting; %,d grants%n",
        r.total(), r.free(), r.held(), r.reserved(), r.waiting(), r.grants()));
    if (r.leakedRegisters() > 0 || r.doubleFrees() > 0) {
      out.append(indent).append(String.format(Locale.ROOT, "               %d leaked by dead holders, %d double frees%n",
          r.leakedRegisters(), r.doubleFrees()));
    }
    out.append(indent).append(String.format(Locale.ROOT, "adapter lock   %s, %d waiting; %,d grants%n",
        l.holder() == null || l.holder().isEmpty() ? "free" : "held by " + holder(l.holder()), l.waiting(), l.grants()));
  }

  /** A holder's actor path without the node and sharding prefix: {@code small-0021/device/enabler-0-1/tx-2 request 91}. */
  static String holder(String path) {
    return path.replaceFirst("^.*/sharding/device/[^/]+/", "");
  }

  private static void device(StringBuilder out, Inspection.DeviceEntry d, java.util.Set<String> shared) {
    DeviceSnapshot s = d.device().device();
    out.append('\n').append("DEVICE ").append(s.deviceId()).append("  on ").append(d.node()).append('\n');
    out.append("  ").append(s.state()).append(", ").append(s.powerState().wdfName())
        .append(", self-managed I/O ").append(s.selfManagedIo())
        .append(s.busy() ? ", a PnP/power request in progress" : "")
        .append(s.bugChecks().isEmpty() ? "" : ", " + s.bugChecks().size() + " bug check(s): " + s.bugChecks().get(0).summary())
        .append('\n');
    for (EnablerInfo e : s.enablers()) {
      out.append("  enabler ").append(e.handle().index()).append("  ").append(e.config().profile().wdfName())
          .append(", MaximumLength ").append(e.config().maximumLength()).append(", DMA v").append(e.version().number());
      for (AdapterInfo ai : e.adapters()) {
        out.append(", ").append(ai.direction() == null ? "adapter" : direction(ai.direction()) + " adapter")
            .append(' ').append(ai.mapRegisters()).append(" registers");
      }
      out.append('\n');
      for (TransactionView t : d.device().transactions()) {
        if (t.enabler() == e.handle().index()) {
          transaction(out, t);
        }
      }
    }
    for (AdapterInspection a : d.device().adapters()) {
      if (!shared.contains(a.registers().adapterId())) {
        out.append("  adapter ").append(a.registers().adapterId()).append('\n');
        adapterState(out, "    ", a.registers(), a.lock());
      }
    }
    if (!d.device().complete()) {
      out.append("  (some transactions did not answer in time)\n");
    }
  }

  private static void transaction(StringBuilder out, TransactionView t) {
    out.append(String.format(Locale.ROOT, "    tx-%-3d %-17s", t.id(), t.state()));
    if (t.length() > 0) {
      out.append(String.format(Locale.ROOT, " %s %,d B (%,d moved)", direction(t.direction()), t.length(), t.transferred()));
    }
    if (t.lockHeld()) {
      out.append(", holds the adapter lock");
    }
    if (t.registersHeld() > 0) {
      out.append(", holds ").append(t.registersHeld()).append(" map registers");
      if (t.registersReserved() > 0) {
        out.append(" (").append(t.registersReserved()).append(" reserved)");
      }
    }
    if (!t.waitingFor().isEmpty()) {
      out.append(", waiting for ").append(t.waitingFor());
    }
    out.append('\n');
  }

  private static String direction(DmaDirection d) {
    return d == DmaDirection.READ_FROM_DEVICE ? "read" : "write";
  }
}
