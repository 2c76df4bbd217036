package org.dmaemu.node.metrics;

import akka.actor.typed.ActorRef;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.dmaemu.driver.IoObserver;
import org.dmaemu.driver.RuleBook;
import org.dmaemu.metrics.DmaObserver;
import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.protocol.enabler.DmaDirection;

/**
 * One DMA device's view of the run's {@link RunMetrics}: passes every report on, and keeps the
 * device's own totals so that its script knows when the device's I/O has ended and the run can
 * tell whose map registers were still held. Called by the device's driver and transactions, read
 * by its script and the coordinator; lock-free.
 */
public final class DeviceMeter implements IoObserver, DmaObserver {

  /** Every request the device's driver was to run has ended. */
  public record IoEnded(long requests) implements CborSerializable {}

  private final RunMetrics run;
  /** The scenario's detailed metrics, or {@link RunObserver#NONE}. */
  private final RunObserver detail;
  private final AtomicLong submitted = new AtomicLong();
  private volatile boolean finished;
  private final AtomicLong ended = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicInteger leakReports = new AtomicInteger();
  private final AtomicInteger registersHeld = new AtomicInteger();
  private final AtomicBoolean told = new AtomicBoolean();
  private volatile ActorRef<IoEnded> notify;
  private volatile String lastFault;
  /** The callbacks (KMDF names) a fault hung on this device, planned or injected while the run ran. */
  private final Set<String> hungByFault = ConcurrentHashMap.newKeySet();
  private final Predicate<String> endsRequests;
  // Guarded by this: set once the run gave the device up (giveUp).
  private boolean givenUp;

  public DeviceMeter(RunMetrics run) {
    this(run, RunObserver.NONE);
  }

  /** @param detail also told everything, or {@code null} for nobody */
  public DeviceMeter(RunMetrics run, RunObserver detail) {
    this(run, detail, id -> true);
  }

  /**
   * @param detail also told everything, or {@code null} for nobody
   * @param endsRequests whether a fault (by id) can end a request; only those are blamed for the
   *     device's failures (a delayed or repeated message is counted, not blamed)
   */
  public DeviceMeter(RunMetrics run, RunObserver detail, Predicate<String> endsRequests) {
    this.run = run;
    this.detail = detail == null ? RunObserver.NONE : detail;
    this.endsRequests = endsRequests;
  }

  /** Requests that arrived so far. */
  public long submitted() {
    return submitted.get();
  }

  /** The driver issues no more requests and every one it issued has ended. */
  public boolean finished() {
    return finished;
  }

  /**
   * Tells {@code replyTo} once, when the device's I/O has {@link #finished()} (at once if it
   * already has). Register before the device starts, so that the I/O cannot finish first.
   */
  public void notifyWhenEnded(ActorRef<IoEnded> replyTo) {
    notify = replyTo;
    tellIfEnded();
  }

  @Override
  public void requestSubmitted(String deviceId, long sequence, DmaDirection direction, long bytes) {
    submitted.incrementAndGet();
    run.requestSubmitted(deviceId, sequence, direction, bytes);
    detail.requestSubmitted(deviceId, sequence, direction, bytes);
  }

  /**
   * A request ended. One that did not complete after a fault acted on the device is aborted by that
   * fault: a fault plan's device fails only as its faults make it (scenario drivers answer every
   * callback with success), so the latest fault before the end is the one that ended it.
   */
  @Override
  public void requestCompleted(IoObserver.RequestEnd end) {
    String fault = lastFault;
    IoObserver.RequestEnd attributed =
        fault != null && !end.aborted() && !(end.status() != null && end.status().isSuccess()) ? end.abortedBy(fault) : end;
    synchronized (this) {
      if (givenUp) {
        return;
      }
      ended.incrementAndGet();
    }
    run.requestCompleted(attributed);
    detail.requestCompleted(attributed);
    if (!attributed.completed()) {
      failed.incrementAndGet();
    }
    bytes.addAndGet(Math.max(0, attributed.bytes()));
  }

  @Override
  public void faultInjected(String faultId, String deviceId, String what, long atMicros) {
    if (endsRequests.test(faultId)) {
      lastFault = faultId;
    }
    String hung = RuleBook.hungCallback(what);
    if (hung != null) {
      hungByFault.add(hung);
    }
    run.faultInjected(faultId, deviceId, what, atMicros);
    detail.faultInjected(faultId, deviceId, what, atMicros);
  }

  /** Whether a fault hung {@code callback} (a KMDF name) on this device: its driver never returned from it. */
  public boolean hungByFault(String callback) {
    return hungByFault.contains(callback);
  }

  /**
   * What fault {@code faultId} did is over (a fault's power cycle ended back in D0): requests that
   * fail from now on are not its doing. {@code null}: whatever fault acted last, the device's next
   * failures are the scenario's own (its power section's surprise removal).
   */
  public void faultOver(String faultId) {
    if (faultId == null || faultId.equals(lastFault)) {
      lastFault = null;
    }
  }

  /** The fault that acted on this device last, or {@code null}. */
  public String lastFault() {
    return lastFault;
  }

  /**
   * The run gives the device up: its requests that have not ended end as aborted by the fault that
   * acted on it last, and any that ends later is not counted again. Without a fault they stay
   * unaccounted (an emulator bug the run reports). Returns how many were aborted.
   */
  public long giveUp(String deviceId) {
    long open;
    synchronized (this) {
      if (givenUp) {
        return 0;
      }
      open = submitted.get() - ended.get();
      if (open <= 0 || lastFault == null) {
        return 0;
      }
      givenUp = true;
      ended.addAndGet(open);
      failed.addAndGet(open);
    }
    run.requestsAborted(deviceId, lastFault, open);
    detail.requestsAborted(deviceId, lastFault, open);
    return open;
  }

  @Override
  public void programToInterrupt(String deviceId, long micros) {
    run.programToInterrupt(deviceId, micros);
    detail.programToInterrupt(deviceId, micros);
  }

  @Override
  public void ioFinished(String deviceId, long submittedByDriver) {
    run.ioFinished(deviceId, submittedByDriver);
    detail.ioFinished(deviceId, submittedByDriver);
    finished = true;
    tellIfEnded();
  }

  private void tellIfEnded() {
    ActorRef<IoEnded> to = notify;
    if (to != null && finished && told.compareAndSet(false, true)) {
      to.tell(new IoEnded(ended.get()));
    }
  }

  @Override
  public void adapterLockWait(String adapterId, String deviceId, long micros) {
    run.adapterLockWait(adapterId, deviceId, micros);
    detail.adapterLockWait(adapterId, deviceId, micros);
  }

  @Override
  public void mapRegisterWait(String adapterId, String deviceId, int registers, long micros) {
    run.mapRegisterWait(adapterId, deviceId, registers, micros);
    detail.mapRegisterWait(adapterId, deviceId, registers, micros);
  }

  @Override
  public void mapRegistersLeaked(String adapterId, int registers) {
    run.mapRegistersLeaked(adapterId, registers);
    detail.mapRegistersLeaked(adapterId, registers);
    leakReports.incrementAndGet();
    registersHeld.addAndGet(registers);
  }

  @Override
  public void busWait(String busId, String deviceId, long micros) {
    run.busWait(busId, deviceId, micros);
    detail.busWait(busId, deviceId, micros);
  }

  @Override
  public void adapterLockChanged(String adapterId, boolean held, int waiting, long atMicros) {
    run.adapterLockChanged(adapterId, held, waiting, atMicros);
    detail.adapterLockChanged(adapterId, held, waiting, atMicros);
  }

  @Override
  public void mapRegistersChanged(String adapterId, int inUse, int capacity, int waiting, long atMicros) {
    run.mapRegistersChanged(adapterId, inUse, capacity, waiting, atMicros);
    detail.mapRegistersChanged(adapterId, inUse, capacity, waiting, atMicros);
  }

  @Override
  public void busChanged(String busId, boolean busy, int waiting, long atMicros) {
    run.busChanged(busId, busy, waiting, atMicros);
    detail.busChanged(busId, busy, waiting, atMicros);
  }

  /** Requests that ended, either way. */
  public long ended() {
    return ended.get();
  }

  public long failed() {
    return failed.get();
  }

  public long bytes() {
    return bytes.get();
  }

  /** Transactions of this device that went away still holding map registers. */
  public int leakReports() {
    return leakReports.get();
  }

  /** Map registers they held. */
  public int registersHeld() {
    return registersHeld.get();
  }
}
