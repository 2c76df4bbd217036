package org.dmaemu.node.run;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.dmaemu.protocol.CborSerializable;

/**
 * The accounting of a power-cycle run. Every device ends one way: {@code devices = completed +
 * failed + hung + rejected + crashed + lostWithNode + unaccounted()}. A failed, hung or crashed device is data;
 * the run fails its checks ({@link #failedChecks()}) only when a device gave no final answer, a
 * driver leaked map registers, or a reference driver hit a bug check that no planned fault explains.
 *
 * @param accounted devices whose script reached a final answer
 * @param reachedD0 devices that reached D0 at least once
 * @param completed devices whose whole script succeeded (with {@code stopAfterStart}: that are started and in D0)
 * @param failed devices stopped by a failing callback
 * @param hung devices stopped by a callback that never returned
 * @param rejected devices that refused a request (none, unless the emulator has a bug)
 * @param crashed devices stopped by a bug check (verifier.on-violation = crash-device)
 * @param surpriseRemoved devices whose script ended with a successful surprise removal (counted in {@code completed})
 * @param cyclesCompleted D3 → D0 cycles that ended back in D0, over all devices
 * @param powerUpFailures failures of AddDevice, StartDevice and SetDevicePower(D0), by callback and status
 * @param powerDownFailures failures of SetDevicePower(D3) and RemoveDevice, by callback and status
 * @param hangs hangs by callback
 * @param crashes crashed devices by the rule of the bug check that crashed them
 * @param bugChecks every bug check of every device by rule, most frequent first
 * @param plannedBugChecks those a planned fault explains, by rule: a transaction callback the plan
 *     hung trips the DPC watchdog (HANG)
 * @param callbacks callbacks delivered to drivers on PnP and power paths (the sum of every
 *     PnpResult's callbacksInvoked); the I/O path's callbacks are not counted
 * @param pnpRequests PnP results received
 * @param wallTime from the first request to the last final answer (or to the timeout)
 * @param dma the DMA devices' requests, bytes, waits and map registers
 * @param deviceOutcomes every device's outcome in device-id order, when the run was asked to keep them; else empty
 * @param lostWithNode devices of a cluster run that were on a node the run lost to a planned node fault
 *     ({@code node-crash}, or a {@code node-pause} long enough to have the node downed): they gave no
 *     answer, and the fault explains why. Devices of a node lost without a fault stay unaccounted
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
    int crashed,
    int surpriseRemoved,
    long cyclesCompleted,
    List<FailureCount> powerUpFailures,
    List<FailureCount> powerDownFailures,
    List<FailureCount> hangs,
    List<RuleCount> crashes,
    List<RuleCount> bugChecks,
    List<RuleCount> plannedBugChecks,
    long callbacks,
    long pnpRequests,
    Duration wallTime,
    DmaSummary dma,
    List<DeviceOutcome> deviceOutcomes,
    int lostWithNode)
    implements CborSerializable {

  public RunSummary {
    powerUpFailures = List.copyOf(powerUpFailures);
    powerDownFailures = List.copyOf(powerDownFailures);
    hangs = List.copyOf(hangs);
    crashes = List.copyOf(crashes);
    bugChecks = List.copyOf(bugChecks);
    plannedBugChecks = List.copyOf(plannedBugChecks);
    deviceOutcomes = List.copyOf(deviceOutcomes);
  }

  /** Devices without a final answer when the run gave up waiting, except those a fault took with their node. */
  public int unaccounted() {
    return devices - accounted - lostWithNode;
  }

  /** Accounted devices that never reached D0: their AddDevice or first StartDevice did not succeed. */
  public int neverReachedD0() {
    return accounted - reachedD0;
  }

  /** Check (a): every device reached a final answer for its script, or was lost with its node to a fault. */
  public boolean allAccountedFor() {
    return unaccounted() == 0;
  }

  /** Bug checks of all rules. */
  public long bugCheckCount() {
    return bugChecks.stream().mapToLong(RuleCount::count).sum();
  }

  /**
   * The run's checks, each failed one as a sentence; empty when the run passed: (a) every device
   * reached a final answer; (b) no map register leaked ({@link DmaSummary#leakedRegisters()} is 0);
   * (c) no bug check but those a planned fault explains — every driver of a run is a reference
   * driver, and a reference driver that hits one of its own is an emulator bug.
   */
  public List<String> failedChecks() {
    List<String> failed = new ArrayList<>(3);
    if (!allAccountedFor()) {
      failed.add(String.format(
          Locale.ROOT, "%d of %d devices gave no final answer before the run timed out", unaccounted(), devices));
    }
    if (dma.leakedRegisters() > 0) {
      failed.add(String.format(
          Locale.ROOT,
          "%d map registers leaked: transactions of removed or failed devices went away holding them",
          dma.leakedRegisters()));
    }
    List<RuleCount> unplanned = unplannedBugChecks();
    long count = unplanned.stream().mapToLong(RuleCount::count).sum();
    if (count > 0) {
      failed.add(String.format(
          Locale.ROOT,
          "%d bug check%s from the reference drivers (%s)",
          count,
          count == 1 ? "" : "s",
          unplanned.stream().map(r -> r.rule() + " x" + r.count()).collect(Collectors.joining(", "))));
    }
    return failed;
  }

  /** {@link #bugChecks} less those a planned fault explains, in the same order. */
  private List<RuleCount> unplannedBugChecks() {
    List<RuleCount> left = new ArrayList<>(bugChecks.size());
    for (RuleCount r : bugChecks) {
      long planned = plannedBugChecks.stream().filter(p -> p.rule().equals(r.rule())).mapToLong(RuleCount::count).sum();
      if (r.count() > planned) {
        left.add(new RuleCount(r.rule(), r.count() - planned));
      }
    }
    return left;
  }

  public boolean passedChecks() {
    return failedChecks().isEmpty();
  }

  public double callbacksPerSecond() {
    double seconds = wallTime.toNanos() / 1e9;
    return seconds > 0 ? callbacks / seconds : 0;
  }
}
