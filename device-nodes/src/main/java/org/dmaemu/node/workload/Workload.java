package org.dmaemu.node.workload;

import akka.actor.typed.javadsl.ActorContext;
import java.util.List;
import java.util.Optional;
import org.dmaemu.arbitration.AdapterDomain;
import org.dmaemu.driver.CallbackRule;
import org.dmaemu.node.metrics.RunObserver;
import org.dmaemu.node.run.PowerCycleCoordinator;
import org.dmaemu.node.run.PowerSchedule;
import org.dmaemu.trace.TraceSink;

/**
 * What the devices of a run are and how their driver answers. A run asks it once per device; a
 * scenario file will later provide its own.
 */
public interface Workload {

  /**
   * The device {@code deviceId}. Must depend on ({@code runSeed}, {@code deviceId}) only, so that a
   * seed gives the same devices whatever the timing or the node (DESIGN §5).
   */
  DevicePlan plan(long runSeed, String deviceId);

  /** The reference driver's rules, shared by every device; each device draws from its own stream. */
  List<CallbackRule> driverRules();

  /**
   * How many devices run their scripts at once. Hang deadlines are real time, so a workload whose
   * devices do more work each (DMA I/O) keeps fewer in flight, or a callback could wait in the
   * dispatcher's queue past its deadline and the same seed would no longer give the same outcomes.
   */
  default int devicesInFlight() {
    return DEFAULT_DEVICES_IN_FLIGHT;
  }

  /** The id of the {@code ordinal}-th device (from 1); ids sort in creation order. */
  default String deviceId(int ordinal) {
    return PowerCycleCoordinator.deviceId(ordinal);
  }

  /**
   * Called once by the run's guardian before any device starts: a workload that shares actors
   * among its devices (adapter domains, buses, a metrics sampler) spawns them here, and returns the
   * workload whose plans refer to them.
   */
  default Workload prepare(ActorContext<?> guardian, TraceSink trace) {
    return this;
  }

  /**
   * The shared adapter domain called {@code name}, on the workload {@link #prepare} returned; empty
   * if the workload has none of that name (or shares nothing).
   */
  default Optional<AdapterDomain> adapterDomain(String name) {
    return Optional.empty();
  }

  /**
   * When the device's script sends power requests during its I/O. Like {@link #plan}, a function
   * of ({@code runSeed}, {@code deviceId}) only.
   */
  default PowerSchedule powerSchedule(long runSeed, String deviceId) {
    return PowerSchedule.NONE;
  }

  /**
   * The rules that carry out the fault plan's callback faults on this device, checked before {@link
   * #driverRules()}. Like {@link #plan}, a function of ({@code runSeed}, {@code deviceId}) only.
   */
  default List<CallbackRule> faultRules(long runSeed, String deviceId) {
    return List.of();
  }

  /**
   * Whether fault {@code faultId} can end a request (a drop, a failure, a removal) rather than only
   * cost time (a delay, a duplicate): a device's meter attributes failures to the former only.
   */
  default boolean faultEndsRequests(String faultId) {
    return true;
  }

  /** Where the devices' reports go besides the run's own totals. */
  default RunObserver observer() {
    return RunObserver.NONE;
  }

  /** Enough power-only devices to keep every core busy; few enough that a callback waits milliseconds. */
  int DEFAULT_DEVICES_IN_FLIGHT = 1000;
}
