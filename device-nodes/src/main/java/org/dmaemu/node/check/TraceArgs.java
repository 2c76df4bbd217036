package org.dmaemu.node.check;

import java.util.Locale;
import org.dmaemu.protocol.trace.TraceEvent;

/** How the checker reads the arguments dmaemu's trace events carry (docs/outputs.md, the trace file). */
final class TraceArgs {
  private TraceArgs() {}

  /** The callback's status for a callback that never returned. */
  static final String HANG = "hang";

  static String device(TraceEvent e) {
    String d = e.args().get("device");
    return d == null || d.isEmpty() ? null : d;
  }

  /**
   * The transaction an event concerns, as {@code dev/enabler-N/tx-M}. DDI instants and callbacks
   * name it by number with {@code device} and {@code enabler}; arbitration spans and the engine's
   * transfers by that full handle.
   */
  static String transaction(TraceEvent e) {
    String t = e.args().get("transaction");
    if (t == null || t.isEmpty()) {
      return null;
    }
    if (t.contains("/tx-")) {
      return t;
    }
    String device = device(e);
    if (device == null) {
      device = e.track();
    }
    return device + "/enabler-" + e.args().getOrDefault("enabler", "0") + "/tx-" + t;
  }

  /** The enabler of a transaction handle: {@code dev/enabler-N}. */
  static String enablerOf(String transaction) {
    int cut = transaction.lastIndexOf("/tx-");
    return cut < 0 ? transaction : transaction.substring(0, cut);
  }

  /** The device of a transaction handle. */
  static String deviceOf(String transaction) {
    int cut = transaction.indexOf("/enabler-");
    return cut < 0 ? transaction : transaction.substring(0, cut);
  }

  static boolean hung(TraceEvent e) {
    return HANG.equals(e.args().get("status"));
  }

  /**
   * NT_SUCCESS of the event's {@code status} (its severity bit clear); an event without a status
   * succeeded; a hang did not.
   */
  static boolean succeeded(TraceEvent e) {
    String status = e.args().get("status");
    if (status == null) {
      return true;
    }
    if (HANG.equals(status)) {
      return false;
    }
    String hex = status.toLowerCase(Locale.ROOT);
    if (hex.startsWith("0x")) {
      hex = hex.substring(2);
    }
    try {
      return (Long.parseLong(hex, 16) & 0x8000_0000L) == 0;
    } catch (NumberFormatException notHex) {
      return false;
    }
  }

  /** An integer argument, or {@code fallback} when absent or not a number. */
  static int integer(TraceEvent e, String key, int fallback) {
    String v = e.args().get(key);
    if (v == null) {
      return fallback;
    }
    try {
      return (int) Double.parseDouble(v);
    } catch (NumberFormatException notANumber) {
      return fallback;
    }
  }

  /** A number argument (counters carry numbers), or {@code null}. */
  static Long number(TraceEvent e, String key) {
    String v = e.args().get(key);
    if (v == null) {
      return null;
    }
    try {
      return (long) Double.parseDouble(v);
    } catch (NumberFormatException notANumber) {
      return null;
    }
  }

  static long end(TraceEvent e) {
    return e.tsMicros() + Math.max(0, e.durMicros());
  }
}
