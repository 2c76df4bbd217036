package org.dmaemu.node.metrics;

import akka.actor.typed.ActorRef;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.dmaemu.driver.IoObserver;
import org.dmaemu.metrics.DmaObserver;
import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.protocol.NtStatus;
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
  private final long planned;
  private final AtomicLong ended = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicInteger leakReports = new AtomicInteger();
  private final AtomicInteger registersHeld = new AtomicInteger();
  private final AtomicBoolean told = new AtomicBoolean();
  private volatile ActorRef<IoEnded> notify;

  /** @param planned requests the device's driver runs ({@code DmaIoDriver.Settings.requests}) */
  public DeviceMeter(RunMetrics run, long planned) {
    this.run = run;
    this.planned = planned;
  }

  public long planned() {
    return planned;
  }

  /**
   * Tells {@code replyTo} once, when the {@link #planned()}-th request has ended (at once if it
   * already has). Register before the device starts, so that no request can end first.
   */
  public void notifyWhenEnded(ActorRef<IoEnded> replyTo) {
    notify = replyTo;
    tellIfEnded();
  }

  @Override
  public void requestCompleted(
      String deviceId, DmaDirection direction, long transferred, NtStatus status, long latencyMicros) {
    run.requestCompleted(deviceId, direction, transferred, status, latencyMicros);
    if (status == null || !status.isSuccess()) {
      failed.incrementAndGet();
    }
    bytes.addAndGet(Math.max(0, transferred));
    ended.incrementAndGet();
    tellIfEnded();
  }

  private void tellIfEnded() {
    ActorRef<IoEnded> to = notify;
    long n = ended.get();
    if (to != null && n >= planned && told.compareAndSet(false, true)) {
      to.tell(new IoEnded(n));
    }
  }

  @Override
  public void adapterLockWait(String adapterId, String deviceId, long micros) {
    run.adapterLockWait(adapterId, deviceId, micros);
  }

  @Override
  public void mapRegisterWait(String adapterId, String deviceId, int registers, long micros) {
    run.mapRegisterWait(adapterId, deviceId, registers, micros);
  }

  @Override
  public void mapRegistersLeaked(String adapterId, int registers) {
    run.mapRegistersLeaked(adapterId, registers);
    leakReports.incrementAndGet();
    registersHeld.addAndGet(registers);
  }

  @Override
  public void busWait(String busId, String deviceId, long micros) {
    run.busWait(busId, deviceId, micros);
  }

  @Override
  public void adapterLockChanged(String adapterId, boolean held, int waiting, long atMicros) {
    run.adapterLockChanged(adapterId, held, waiting, atMicros);
  }

  @Override
  public void mapRegistersChanged(String adapterId, int inUse, int capacity, int waiting, long atMicros) {
    run.mapRegistersChanged(adapterId, inUse, capacity, waiting, atMicros);
  }

  @Override
  public void busChanged(String busId, boolean busy, int waiting, long atMicros) {
    run.busChanged(busId, busy, waiting, atMicros);
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
