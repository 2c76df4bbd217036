package org.dmaemu.enabler;

import java.util.ArrayList;
import java.util.List;
import org.dmaemu.protocol.enabler.EnablerCallback;
import org.dmaemu.protocol.enabler.EnablerInfo;

/**
 * Which enabler callbacks a power transition invokes (reference §1.6, §2.4; source
 * dma/fxdmaenabler.cpp PowerUp/PowerDown). Pure, so the gating table is testable on its own.
 */
public final class EnablerPower {
  private EnablerPower() {}

  /** D0 entry: Fill → Enable → SelfManagedIoStart, each only if registered; the walk stops at the first failure. */
  public static List<EnablerCallback> powerUpSequence(EnablerInfo enabler) {
    List<EnablerCallback> out = new ArrayList<>(3);
    for (EnablerCallback c :
        List.of(EnablerCallback.FILL, EnablerCallback.ENABLE, EnablerCallback.SELF_MANAGED_IO_START)) {
      if (enabler.config().registers(c)) {
        out.add(c);
      }
    }
    return out;
  }

  /**
   * D0 exit, table 2.4: SelfManagedIoStop is never gated; Disable is skipped once Fill failed;
   * Flush is skipped once Fill or Enable failed. The flags are never cleared, so the skips last for
   * the enabler's lifetime.
   */
  public static List<EnablerCallback> powerDownSequence(EnablerInfo enabler) {
    List<EnablerCallback> out = new ArrayList<>(3);
    if (enabler.config().registers(EnablerCallback.SELF_MANAGED_IO_STOP)) {
      out.add(EnablerCallback.SELF_MANAGED_IO_STOP);
    }
    if (enabler.config().registers(EnablerCallback.DISABLE) && !enabler.fillFailed()) {
      out.add(EnablerCallback.DISABLE);
    }
    if (enabler.config().registers(EnablerCallback.FLUSH) && !enabler.fillFailed() && !enabler.enableFailed()) {
      out.add(EnablerCallback.FLUSH);
    }
    return out;
  }

  /** The enabler after {@code failed} returned a failure on power-up: its flag is set for good. */
  public static EnablerInfo afterPowerUpFailure(EnablerInfo enabler, EnablerCallback failed) {
    return enabler.withFailureFlags(
        enabler.fillFailed() || failed == EnablerCallback.FILL,
        enabler.enableFailed() || failed == EnablerCallback.ENABLE,
        enabler.selfManagedIoStartFailed() || failed == EnablerCallback.SELF_MANAGED_IO_START);
  }
}
