package org.dmaemu.node.cluster;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The devices whose script started on this node in one run, in start order: the node's progress
 * reports hand the coordinator the ones it does not know yet, so that if the run loses the node the
 * coordinator knows which devices went with it. Thread-safe (device entities add, the runner reads).
 */
public final class StartedDevices {

  private final List<String> ids = new ArrayList<>();
  private final Set<String> known = new HashSet<>();

  /** Records that the device starts here; {@code false} if it started here before in this run. */
  public synchronized boolean add(String deviceId) {
    if (!known.add(deviceId)) {
      return false;
    }
    ids.add(deviceId);
    return true;
  }

  /** The devices that started after the first {@code known}, in start order. */
  public synchronized List<String> after(int known) {
    return known >= ids.size() ? List.of() : List.copyOf(ids.subList(Math.max(0, known), ids.size()));
  }
}
