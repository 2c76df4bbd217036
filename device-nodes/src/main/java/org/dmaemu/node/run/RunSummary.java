package org.dmaemu.node.run;

import java.time.Duration;
import java.util.List;
import org.dmaemu.protocol.CborSerializable;

/**
 * The accounting of a power-cycle run. Every device ends one way: {@code devices = completed +
 * failed + hung + rejected + unaccounted()}. A failed or hung device is data; only an unaccounted
 * one (no final answer before the run's timeout) fails the run.
 *
 * @param accounted devices whose script reached a final answer
 * @param reachedD0 devices that reached D0 at least once
 * @param completed devices whose whole script succeeded (with {@code stopAfterStart}: that are started and in D0)
 * @param failed devices stopped by a failing callback
 * @param hung devices stopped by a callback that never returned
 * @param rejected devices that refused a request (none, unless the emulator has a bug)
 * @param powerUpFailures failures of AddDevice, StartDevice and SetDevicePower(D0), by callback and status
 * @param powerDownFailures failures of SetDevicePower(D3) and RemoveDevice, by callback and status
 * @param hangs hangs by callback
 * @param callbacks callbacks delivered to drivers (the sum of every PnpResult's callbacksInvoked)
 * @param pnpRequests PnP results received
 * @param wallTime from the first request to the last final answer (or to the timeout)
 * @param deviceOutcomes every device's outcome in device-id order, when the run was asked to keep them; else empty
 */
public record RunSummary(
    long seed,
    int devices,
    int cycles,
    boolean stopAfterStart,
    int accounted,
    int reachedD0,
    int completed,
    int failed,
    int hung,
    int rejected,
    List<FailureCount> powerUpFailures,
    List<FailureCount> powerDownFailures,
    List<FailureCount> hangs,
    long callbacks,
    long pnpRequests,
    Duration wallTime,
    List<DeviceOutcome> deviceOutcomes)
    implements CborSerializable {

  public RunSummary {
    powerUpFailures = List.copyOf(powerUpFailures);
    powerDownFailures = List.copyOf(powerDownFailures);
    hangs = List.copyOf(hangs);
    deviceOutcomes = List.copyOf(deviceOutcomes);
  }

  /** Devices without a final answer when the run gave up waiting. */
  public int unaccounted() {
    return devices - accounted;
  }

  /** Accounted devices that never reached D0: their AddDevice or first StartDevice did not succeed. */
  public int neverReachedD0() {
    return accounted - reachedD0;
  }

  /** The run's check: every device reached a final answer for its script. */
  public boolean allAccountedFor() {
    return accounted == devices;
  }

  public double callbacksPerSecond() {
    double seconds = wallTime.toNanos() / 1e9;
    return seconds > 0 ? callbacks / seconds : 0;
  }
}
