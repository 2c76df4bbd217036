package org.dmaemu.arbitration;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.function.Predicate;

/**
 * Round-robin across devices: each device with waiters has its own FIFO, and the devices take
 * turns. A device joins the end of the rotation when its first waiter arrives; the device at the
 * front has the turn; once its oldest waiter is served it goes to the end of the rotation (or
 * leaves it, if nothing of it waits any more). A device with many waiters therefore gets one grant
 * per round, like every other waiting device, however many requests it queued.
 *
 * <p>Head-of-line blocking: the turn does not pass. While the oldest waiter of the device whose turn
 * it is cannot be served (it needs more map registers than are free), nobody is. A newcomer never
 * overtakes: its device is either waiting already (and the newcomer is behind that device's own
 * waiters) or joins the end of the rotation.
 *
 * <p>Starvation: none. A waiting device is served after at most one grant to each device ahead of
 * it in the rotation, and each of those grants comes as soon as its registers are free.
 */
public final class RoundRobin implements ArbitrationPolicy {

  @Override
  public <W extends Waiter> WaitQueue<W> newQueue() {
    return new Queue<>();
  }

  @Override
  public String toString() {
    return ROUND_ROBIN;
  }

  private static final class Queue<W extends Waiter> implements WaitQueue<W> {
    /** The rotation: devices with waiters, the one whose turn it is first (insertion order). */
    private final LinkedHashMap<String, WaiterList<W>> rotation = new LinkedHashMap<>();
    private int size;

    @Override
    public Entry<W> add(W waiter) {
      size++;
      return rotation.computeIfAbsent(deviceOf(waiter), d -> new WaiterList<>(this)).add(waiter);
    }

    @Override
    public boolean remove(Entry<W> entry) {
      WaiterList<W> list = WaiterList.of(entry, this);
      if (list == null) {
        return false;
      }
      list.remove(entry);
      size--;
      if (list.isEmpty()) {
        rotation.remove(deviceOf(entry.waiter()));
      }
      return true;
    }

    @Override
    public W takeNext(Predicate<? super W> servable) {
      Iterator<WaiterList<W>> turn = rotation.values().iterator();
      if (!turn.hasNext()) {
        return null;
      }
      WaiterList<W> device = turn.next();
      WaiterList.Node<W> head = device.first();
      W waiter = head.waiter();
      if (!servable.test(waiter)) {
        return null;
      }
      device.remove(head);
      size--;
      turn.remove();
      if (!device.isEmpty()) {
        // Served: to the end of the rotation.
        rotation.put(deviceOf(waiter), device);
      }
      return waiter;
    }

    @Override
    public boolean mayOvertake(W newcomer) {
      return false;
    }

    @Override
    public int size() {
      return size;
    }

    private static String deviceOf(Waiter waiter) {
      return waiter.requester().deviceId();
    }
  }
}
