package org.dmaemu.driver;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import java.util.List;
import org.dmaemu.fault.FaultObserver;
import org.dmaemu.protocol.device.EnablerCreateResult;
import org.dmaemu.protocol.device.WdfDmaEnablerCreate;
import org.dmaemu.protocol.driver.CallbackReturn;
import org.dmaemu.protocol.driver.DriverCallback;
import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.time.NodeClock;

/**
 * The reference driver: creates its DMA enablers in EvtDriverDeviceAdd, in the order given, and
 * answers every callback by its rules — success by default; a failure status, a modeled delay or no
 * answer at all when a rule applies. Rules draw from a stream derived from (run seed, device id,
 * PnP request ordinal), so the same seed gives the same failures wherever the device runs.
 */
public final class ReferenceDriver extends AbstractBehavior<DriverMessage> {

  /**
   * @param enablers the enablers EvtDriverDeviceAdd creates, in creation order
   * @param rules checked in order; the first that matches and draws under its probability applies
   */
  public record Settings(List<DmaEnablerConfig> enablers, List<CallbackRule> rules, long runSeed) {
    public Settings {
      enablers = List.copyOf(enablers);
      rules = List.copyOf(rules);
    }

    public DriverModel model() {
      return model(FaultObserver.NONE);
    }

    /** The driver, reporting the faults it injects to {@code observer}. */
    public DriverModel model(FaultObserver observer) {
      return context -> ReferenceDriver.create(this, observer, context);
    }
  }

  private final Settings settings;
  private final DriverContext driverContext;
  private final RuleBook rules;
  private DriverCallback.EvtDriverDeviceAdd pendingAdd;
  private int nextEnabler;

  public static Behavior<DriverMessage> create(Settings settings, DriverContext driverContext) {
    return create(settings, FaultObserver.NONE, driverContext);
  }

  public static Behavior<DriverMessage> create(Settings settings, FaultObserver observer, DriverContext driverContext) {
    return Behaviors.setup(
        context -> Behaviors.withTimers(timers -> {
          NodeClock clock = NodeClock.get(context.getSystem());
          CallbackInbox inbox = CallbackInbox.counting(
              driverContext.gate("driver-" + driverContext.requestOrdinal() + "/callbacks"), observer,
              driverContext.deviceId(), clock);
          return inbox.around(new ReferenceDriver(context, timers, settings, driverContext, observer, clock, inbox));
        }));
  }

  private ReferenceDriver(
      ActorContext<DriverMessage> context,
      TimerScheduler<DriverMessage> timers,
      Settings settings,
      DriverContext driverContext,
      FaultObserver observer,
      NodeClock clock,
      CallbackInbox inbox) {
    super(context);
    this.settings = settings;
    this.driverContext = driverContext;
    this.rules = new RuleBook(settings.rules(), settings.runSeed(), driverContext, timers, clock, observer, inbox);
  }

  @Override
  public Receive<DriverMessage> createReceive() {
    return newReceiveBuilder()
        .onMessage(DriverCallback.EvtDriverDeviceAdd.class, this::onDeviceAdd)
        .onMessage(DriverCallback.class, this::onCallback)
        .onMessage(EnablerCreateResult.class, this::onEnablerCreated)
        .onMessage(RuleBook.DelayedReturn.class, this::onDelayedReturn)
        .build();
  }

  private Behavior<DriverMessage> onDeviceAdd(DriverCallback.EvtDriverDeviceAdd callback) {
    pendingAdd = callback;
    nextEnabler = 0;
    return createNextEnablerOrAnswer();
  }

  private Behavior<DriverMessage> onEnablerCreated(EnablerCreateResult result) {
    if (pendingAdd == null) {
      return this;
    }
    if (!result.status().isSuccess()) {
      // A KMDF driver returns the failing status of WdfDmaEnablerCreate from EvtDriverDeviceAdd.
      rules.reply(pendingAdd, new CallbackReturn(result.status()));
      pendingAdd = null;
      return this;
    }
    nextEnabler++;
    return createNextEnablerOrAnswer();
  }

  private Behavior<DriverMessage> createNextEnablerOrAnswer() {
    if (nextEnabler < settings.enablers().size()) {
      driverContext
          .device()
          .tell(new WdfDmaEnablerCreate(settings.enablers().get(nextEnabler), null, getContext().getSelf().narrow()));
      return this;
    }
    DriverCallback add = pendingAdd;
    pendingAdd = null;
    return answer(add);
  }

  private Behavior<DriverMessage> onCallback(DriverCallback callback) {
    return answer(callback);
  }

  private Behavior<DriverMessage> answer(DriverCallback callback) {
    rules.answer(callback);
    return this;
  }

  private Behavior<DriverMessage> onDelayedReturn(RuleBook.DelayedReturn delayed) {
    rules.deliver(delayed);
    return this;
  }
}
