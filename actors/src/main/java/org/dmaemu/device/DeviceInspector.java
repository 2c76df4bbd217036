package org.dmaemu.device;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.dmaemu.enabler.DmaEnabler;
import org.dmaemu.protocol.arbitration.AdapterInspection;
import org.dmaemu.protocol.arbitration.AdapterLockMessage;
import org.dmaemu.protocol.arbitration.AdapterLockSnapshot;
import org.dmaemu.protocol.arbitration.MapRegisterMessage;
import org.dmaemu.protocol.arbitration.MapRegisterSnapshot;
import org.dmaemu.protocol.device.DeviceInspection;
import org.dmaemu.protocol.device.DeviceSnapshot;
import org.dmaemu.protocol.enabler.EnablerMessage;
import org.dmaemu.protocol.transaction.TransactionMessage;
import org.dmaemu.protocol.transaction.TransactionView;
import org.dmaemu.transaction.AdapterArbiters;
import org.dmaemu.transaction.DmaTransaction;

/**
 * One inspection of a device (a short-lived child of the device): asks each enabler for its
 * transactions and adapters, each transaction for its view and each adapter for its map registers
 * and lock, and answers with all of them. A transaction that
 * goes away meanwhile never answers: after {@code patience} the inspection answers with what it has
 * and says it is incomplete. Reads only; the device goes on meanwhile, so the views are each
 * transaction's state when it answered.
 */
public final class DeviceInspector extends AbstractBehavior<DeviceInspector.Command> {

  public sealed interface Command {}

  private record WrappedList(DmaEnabler.TransactionList list) implements Command, NoSerializationVerificationNeeded {}

  private record WrappedView(TransactionView view) implements Command, NoSerializationVerificationNeeded {}

  private record WrappedLock(AdapterLockSnapshot lock) implements Command, NoSerializationVerificationNeeded {}

  private record WrappedRegisters(MapRegisterSnapshot registers) implements Command, NoSerializationVerificationNeeded {}

  private enum GiveUp implements Command {
    INSTANCE
  }

  private final DeviceSnapshot snapshot;
  private final ActorRef<DeviceInspection> replyTo;
  private final ActorRef<TransactionView> viewAdapter;
  private final List<TransactionView> views = new ArrayList<>();
  private final Set<String> adaptersAsked = new HashSet<>();
  private final Map<String, AdapterLockSnapshot> locks = new HashMap<>();
  private final Map<String, MapRegisterSnapshot> registers = new HashMap<>();
  private final ActorRef<AdapterLockSnapshot> lockAdapter;
  private final ActorRef<MapRegisterSnapshot> registerAdapter;
  private int listsExpected;
  private int viewsExpected;

  /** @param enablers the device's live enabler actors */
  public static Behavior<Command> create(
      DeviceSnapshot snapshot, List<ActorRef<EnablerMessage>> enablers, ActorRef<DeviceInspection> replyTo, Duration patience) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startSingleTimer(GiveUp.INSTANCE, patience);
      return new DeviceInspector(context, snapshot, enablers, replyTo);
    }));
  }

  private DeviceInspector(
      ActorContext<Command> context,
      DeviceSnapshot snapshot,
      List<ActorRef<EnablerMessage>> enablers,
      ActorRef<DeviceInspection> replyTo) {
    super(context);
    this.snapshot = snapshot;
    this.replyTo = replyTo;
    this.viewAdapter = context.messageAdapter(TransactionView.class, WrappedView::new);
    this.lockAdapter = context.messageAdapter(AdapterLockSnapshot.class, WrappedLock::new);
    this.registerAdapter = context.messageAdapter(MapRegisterSnapshot.class, WrappedRegisters::new);
    ActorRef<DmaEnabler.TransactionList> listAdapter =
        context.messageAdapter(DmaEnabler.TransactionList.class, WrappedList::new);
    this.listsExpected = enablers.size();
    for (ActorRef<EnablerMessage> enabler : enablers) {
      enabler.tell(new DmaEnabler.ListTransactions(listAdapter));
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(WrappedList.class, this::onList)
        .onMessage(WrappedView.class, this::onView)
        .onMessage(WrappedLock.class, this::onLock)
        .onMessage(WrappedRegisters.class, this::onRegisters)
        .onMessageEquals(GiveUp.INSTANCE, this::onGiveUp)
        .build();
  }

  private Behavior<Command> onList(WrappedList wrapped) {
    listsExpected--;
    for (ActorRef<TransactionMessage> tx : wrapped.list().transactions()) {
      viewsExpected++;
      tx.tell(new DmaTransaction.Inspect(viewAdapter));
    }
    for (AdapterArbiters adapter : wrapped.list().adapters()) {
      // Two enablers on one shared domain share its adapter: asked once.
      if (adaptersAsked.add(adapter.adapterId())) {
        adapter.lock().tell(new AdapterLockMessage.GetAdapterLockState(lockAdapter));
        adapter.pool().tell(new MapRegisterMessage.GetMapRegisterState(registerAdapter));
      }
    }
    return answerIfComplete();
  }

  private Behavior<Command> onLock(WrappedLock wrapped) {
    locks.put(wrapped.lock().adapterId(), wrapped.lock());
    return answerIfComplete();
  }

  private Behavior<Command> onRegisters(WrappedRegisters wrapped) {
    registers.put(wrapped.registers().adapterId(), wrapped.registers());
    return answerIfComplete();
  }

  private Behavior<Command> onView(WrappedView wrapped) {
    views.add(wrapped.view());
    viewsExpected--;
    return answerIfComplete();
  }

  private Behavior<Command> answerIfComplete() {
    boolean adaptersAnswered = locks.size() == adaptersAsked.size() && registers.size() == adaptersAsked.size();
    return listsExpected == 0 && viewsExpected == 0 && adaptersAnswered ? answer(true) : this;
  }

  private Behavior<Command> onGiveUp() {
    return answer(false);
  }

  private Behavior<Command> answer(boolean complete) {
    views.sort(Comparator.comparingInt(TransactionView::enabler).thenComparingLong(TransactionView::id));
    List<AdapterInspection> adapters = new ArrayList<>();
    for (String id : new TreeSet<>(adaptersAsked)) {
      if (locks.containsKey(id) && registers.containsKey(id)) {
        adapters.add(new AdapterInspection(registers.get(id), locks.get(id)));
      }
    }
    replyTo.tell(new DeviceInspection(snapshot, views, adapters, complete));
    return Behaviors.stopped();
  }
}
