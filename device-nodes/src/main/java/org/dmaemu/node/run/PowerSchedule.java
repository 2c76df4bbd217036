package org.dmaemu.node.run;

import java.time.Duration;
import java.util.List;
import org.dmaemu.protocol.CborSerializable;

/**
 * When a device's script sends power requests while the device's I/O runs, in modeled time from
 * the moment StartDevice succeeded (the driver starts its I/O then).
 *
 * @param cycleEvery zero: the script's D3 → D0 cycles run after the I/O has ended; positive: one
 *     cycle each time this much modeled time has passed since StartDevice or since the last cycle
 *     ended, while the I/O runs; cycles not run when the I/O ends run right after it
 * @param surpriseRemovalAfter {@code null}: the device is removed in order (RemoveDevice) at the
 *     end of its script; else it is surprise-removed this long after StartDevice — or when its I/O
 *     ends, if that comes first — instead of its orderly removal
 * @param surpriseFault the fault of a plan that removes the device, or {@code null} when the
 *     scenario's {@code power} section does (or nothing does)
 * @param faultCycles power cycles a plan's faults add while the I/O runs, each at its time after
 *     StartDevice; one not reached before the I/O ends does not happen
 */
public record PowerSchedule(
    Duration cycleEvery, Duration surpriseRemovalAfter, String surpriseFault, List<FaultCycle> faultCycles)
    implements CborSerializable {

  /** A power cycle a fault adds: D3 then D0 at {@code at} after StartDevice. */
  public record FaultCycle(Duration at, String faultId) implements CborSerializable {}

  /** Cycles after the I/O, orderly removal: the script as a plain list of requests. */
  public static final PowerSchedule NONE = new PowerSchedule(Duration.ZERO, null);

  /** A schedule without faults. */
  public PowerSchedule(Duration cycleEvery, Duration surpriseRemovalAfter) {
    this(cycleEvery, surpriseRemovalAfter, null, List.of());
  }

  public PowerSchedule {
    faultCycles = List.copyOf(faultCycles);
    if (cycleEvery == null || cycleEvery.isNegative()) {
      throw new IllegalArgumentException("cycleEvery must be zero or positive, got " + cycleEvery);
    }
    if (surpriseRemovalAfter != null && surpriseRemovalAfter.isNegative()) {
      throw new IllegalArgumentException("surpriseRemovalAfter must not be negative, got " + surpriseRemovalAfter);
    }
  }

  public boolean cyclesDuringIo() {
    return !cycleEvery.isZero();
  }

  public boolean surpriseRemoved() {
    return surpriseRemovalAfter != null;
  }
}
