package org.dmaemu.testing;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.dmaemu.driver.IoObserver;
import org.dmaemu.fault.FaultObserver;
import org.dmaemu.metrics.DmaObserver;
import org.dmaemu.protocol.enabler.DmaDirection;

/**
 * Collects every fault injection a device's actors report; as an {@link IoObserver}, every request
 * that arrived and ended, in the order reported; as a {@link DmaObserver}, what each adapter of the
 * device holds now (map registers in use, the lock) and the registers leaked.
 */
public final class RecordingFaults implements IoObserver, DmaObserver {

  /** One injection, as {@link FaultObserver#faultInjected} reported it. */
  public record Injected(String faultId, String deviceId, String what, long atMicros) {}

  private final ConcurrentLinkedQueue<Injected> injected = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Integer> endedAtInjection = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<RequestEnd> ended = new ConcurrentLinkedQueue<>();
  private final Map<Long, Long> submitted = new ConcurrentHashMap<>();
  private volatile long finishedWith = -1;
  private final Map<String, Integer> registersInUse = new ConcurrentHashMap<>();
  private final Map<String, Boolean> lockHeld = new ConcurrentHashMap<>();
  private final AtomicInteger leaked = new AtomicInteger();

  @Override
  public void faultInjected(String faultId, String deviceId, String what, long atMicros) {
    injected.add(new Injected(faultId, deviceId, what, atMicros));
    endedAtInjection.add(ended.size());
  }

  @Override
  public void requestCompleted(RequestEnd end) {
    ended.add(end);
  }

  @Override
  public void requestSubmitted(String deviceId, long sequence, DmaDirection direction, long bytes) {
    submitted.put(sequence, bytes);
  }

  @Override
  public void ioFinished(String deviceId, long count) {
    finishedWith = count;
  }

  @Override
  public void adapterLockWait(String adapterId, String deviceId, long micros) {}

  @Override
  public void mapRegisterWait(String adapterId, String deviceId, int registers, long micros) {}

  @Override
  public void mapRegistersLeaked(String adapterId, int registers) {
    leaked.addAndGet(registers);
  }

  @Override
  public void busWait(String busId, String deviceId, long micros) {}

  @Override
  public void adapterLockChanged(String adapterId, boolean held, int waiting, long atMicros) {
    lockHeld.put(adapterId, held);
  }

  @Override
  public void mapRegistersChanged(String adapterId, int inUse, int capacity, int waiting, long atMicros) {
    registersInUse.put(adapterId, inUse);
  }

  @Override
  public void busChanged(String busId, boolean busy, int waiting, long atMicros) {}

  /** Map registers in use now, over every adapter that reported. */
  public int registersInUse() {
    return registersInUse.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** Whether some adapter's lock is held now. */
  public boolean anyLockHeld() {
    return lockHeld.containsValue(true);
  }

  /** Whether any adapter reported at all (the arbiters ran). */
  public boolean adaptersReported() {
    return !registersInUse.isEmpty();
  }

  public int registersLeaked() {
    return leaked.get();
  }

  public List<Injected> injected() {
    return List.copyOf(injected);
  }

  /**
   * For each injection, how many requests had ended when it was made: with one request at a time,
   * the request it acted on.
   */
  public List<Integer> endedAtInjection() {
    return List.copyOf(endedAtInjection);
  }

  /** What each injection did, in order ("callbacks drop EvtDriverDeviceAdd"). */
  public List<String> what() {
    return injected.stream().map(Injected::what).toList();
  }

  public List<RequestEnd> ended() {
    return List.copyOf(ended);
  }

  public int submitted() {
    return submitted.size();
  }

  /** The size of request {@code sequence}. */
  public long size(long sequence) {
    return submitted.get(sequence);
  }

  /** The count the driver reported when its I/O finished, -1 before. */
  public long finishedWith() {
    return finishedWith;
  }
}
