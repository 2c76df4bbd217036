package org.dmaemu.node.metrics;

import akka.actor.typed.ActorRef;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.dmaemu.driver.IoObserver;
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

  public DeviceMeter(RunMetrics run) {
    this(run, RunObserver.NONE);
  }

  /** @param detail also told everything, or {@code null} for nobody */
  public DeviceMeter(RunMetrics run, RunObserver detail) {
    this.run = run;
    this.detail = detail == null ? RunObserver.NONE : detail;
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

  @Override
  public void requestCompleted(IoObserver.RequestEnd end) {
    run.requestCompleted(end);
    detail.requestCompleted(end);
    if (!end.completed()) {
      failed.incrementAndGet();
    }
    bytes.addAndGet(Math.max(0, end.bytes()));
    ended.incrementAndGet();
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
