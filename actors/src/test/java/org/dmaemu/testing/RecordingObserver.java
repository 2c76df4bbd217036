package org.dmaemu.testing;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.dmaemu.metrics.DmaObserver;

/**
 * Collects every {@link DmaObserver} report, in the order made (one arbiter reports from one
 * actor, so its reports are in its order). Timestamps are kept apart: tests compare what changed,
 * and check only that time does not run backwards.
 */
public final class RecordingObserver implements DmaObserver {

  /** One report: what and where, the values, and the modeled time if the report has one. */
  public record Report(String what, String id, String values, long atMicros) {}

  private final ConcurrentLinkedQueue<Report> reports = new ConcurrentLinkedQueue<>();

  public List<Report> all() {
    return List.copyOf(reports);
  }

  /** The reports named {@code what} for {@code id}, as "values" strings. */
  public List<String> values(String what, String id) {
    return reports.stream().filter(r -> r.what().equals(what) && r.id().equals(id)).map(Report::values).toList();
  }

  /** The modeled times of the reports named {@code what} for {@code id}. */
  public List<Long> times(String what, String id) {
    return reports.stream().filter(r -> r.what().equals(what) && r.id().equals(id)).map(Report::atMicros).toList();
  }

  @Override
  public void adapterLockWait(String adapterId, String deviceId, long micros) {
    reports.add(new Report("adapterLockWait", adapterId, deviceId + " " + micros, -1));
  }

  @Override
  public void mapRegisterWait(String adapterId, String deviceId, int registers, long micros) {
    reports.add(new Report("mapRegisterWait", adapterId, deviceId + " " + registers + " " + micros, -1));
  }

  @Override
  public void mapRegistersLeaked(String adapterId, int registers) {
    reports.add(new Report("mapRegistersLeaked", adapterId, Integer.toString(registers), -1));
  }

  @Override
  public void busWait(String busId, String deviceId, long micros) {
    reports.add(new Report("busWait", busId, deviceId + " " + micros, -1));
  }

  @Override
  public void adapterLockChanged(String adapterId, boolean held, int waiting, long atMicros) {
    reports.add(new Report("adapterLockChanged", adapterId, (held ? "held" : "free") + " " + waiting, atMicros));
  }

  @Override
  public void mapRegistersChanged(String adapterId, int inUse, int capacity, int waiting, long atMicros) {
    reports.add(new Report("mapRegistersChanged", adapterId, inUse + "/" + capacity + " " + waiting, atMicros));
  }

  /** Recorded under the fault's id: "device what". */
  @Override
  public void faultInjected(String faultId, String deviceId, String what, long atMicros) {
    reports.add(new Report("faultInjected", faultId, deviceId + " " + what, atMicros));
  }

  /** Recorded under the adapter's id: "arbiter fault answered silent". */
  @Override
  public void arbiterRebuilt(
      String adapterId, String arbiter, String faultId, long crashedAtMicros, long rebuiltAtMicros, int answered,
      int silent) {
    reports.add(new Report("arbiterRebuilt", adapterId, arbiter + " " + faultId + " " + answered + " " + silent,
        rebuiltAtMicros));
  }

  @Override
  public void busChanged(String busId, boolean busy, int waiting, long atMicros) {
    reports.add(new Report("busChanged", busId, (busy ? "busy" : "idle") + " " + waiting, atMicros));
  }
}
