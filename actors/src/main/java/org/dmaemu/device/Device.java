package org.dmaemu.device;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.dmaemu.driver.CallbackOutcome;
import org.dmaemu.driver.PendingCallback;
import org.dmaemu.driver.DriverContext;
import org.dmaemu.driver.DriverModel;
import org.dmaemu.enabler.DmaEnabler;
import org.dmaemu.enabler.EnablerCreation;
import org.dmaemu.hardware.DmaEngine;
import org.dmaemu.metrics.DmaObserver;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.protocol.device.DevicePowerState;
import org.dmaemu.protocol.device.DeviceSnapshot;
import org.dmaemu.protocol.device.DeviceState;
import org.dmaemu.protocol.device.EnablerCreateResult;
import org.dmaemu.protocol.device.GetDeviceState;
import org.dmaemu.protocol.device.InspectDevice;
import org.dmaemu.protocol.device.PnpCommand;
import org.dmaemu.protocol.device.PnpOutcome;
import org.dmaemu.protocol.device.PnpRequest;
import org.dmaemu.protocol.device.PnpResult;
import org.dmaemu.protocol.device.SelfManagedIoState;
import org.dmaemu.protocol.device.WdfDmaEnablerConfigureSystemProfile;
import org.dmaemu.protocol.device.WdfDmaEnablerCreate;
import org.dmaemu.protocol.driver.CallbackKind;
import org.dmaemu.protocol.driver.CallbackReturn;
import org.dmaemu.protocol.enabler.EnablerMessage;
import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.protocol.enabler.EnablerHandle;
import org.dmaemu.protocol.hardware.DmaEngineMessage;
import org.dmaemu.protocol.enabler.EnablerInfo;
import org.dmaemu.protocol.transaction.TransactionCreateResult;
import org.dmaemu.protocol.transaction.WdfDmaTransactionCreate;
import org.dmaemu.protocol.verifier.BugCheck;
import org.dmaemu.protocol.verifier.BugCheckRaised;
import org.dmaemu.verifier.OnViolation;
import org.dmaemu.time.NodeClock;
import org.dmaemu.trace.TraceSink;

/**
 * One emulated device (a bus master): its PnP/power state machine (reference §2). It runs each
 * PnP request as a path of callbacks ({@link PowerSequences}) delivered to its driver and, for the
 * DMA steps, to its enablers in creation order. It hands WdfDmaTransactionCreate to the enabler,
 * and applies {@code verifier.on-violation} when one of its objects hits a bug check (§8).
 *
 * <p>The driver and the enabler actors are children that exist while there is work: during a PnP
 * request, and for as long as DMA transactions exist (they are the enablers' children). A device
 * without transactions is one actor between requests; it keeps the enablers' state
 * ({@link EnablerInfo}) as values, which keeps an idle device near the size of one actor.
 */
public final class Device extends AbstractBehavior<DeviceMessage> {

  private record DeadlinePassed(long serial) implements DeviceMessage, NoSerializationVerificationNeeded {}

  private static final EnablerInfo[] NO_ENABLERS = new EnablerInfo[0];
  /** Real time an inspection waits for transactions to answer; one that went away never does. */
  private static final Duration INSPECTION_PATIENCE = Duration.ofSeconds(2);

  private final String deviceId;
  private final DeviceSettings settings;
  private final DriverModel driverModel;
  private final TraceSink trace;
  private final DmaObserver observer;
  private final NodeClock clock;
  private final Duration realDeadline;

  private DeviceState state = DeviceState.CREATED;
  private DevicePowerState power = DevicePowerState.D3_FINAL;
  private SelfManagedIoState selfManagedIo = SelfManagedIoState.CREATED;
  private boolean ownsHardware;
  private EnablerInfo[] enablers = NO_ENABLERS;
  private long callbacksInvoked;
  /** Callbacks sent to the current driver actor, which numbers them the same way (see {@link PendingCallback}). */
  private long callbackSerial;
  private int requestOrdinal;
  /** The request being run; {@code null} while idle. */
  private Request current;
  /** Live while there is work; {@code null} otherwise. */
  private ActorRef<DriverMessage> driver;
  private ActorRef<EnablerMessage>[] enablerActors;
  /** The device's DMA engine (its hardware), live with the driver; {@code null} for devices without one. */
  private ActorRef<DmaEngineMessage> engine;
  /** Transactions exist: driver and enablers stay live until the device is removed. */
  private boolean pinned;
  private final PacketDmaSlot packetSlot = new PacketDmaSlot();
  /** Bug checks of this device's objects; {@code null} until the first. */
  private List<BugCheck> bugChecks;

  /** Everything that lives only while a request runs. */
  private static final class Request {
    final PnpCommand command;
    final DevicePowerState target;
    final long startMicros;
    final ArrayDeque<PowerStep> steps;
    PowerStep step;
    PendingCallback pending;
    int dmaIndex;
    int disposing;
    int interruptsEnabled;
    int callbacks;
    boolean failed;
    boolean hung;
    boolean teardownPlanned;
    CallbackKind failedCallback;
    int failedEnabler = -1;
    NtStatus failureStatus;

    Request(
        PnpCommand command,
        DevicePowerState target,
        List<PowerStep> steps,
        long startMicros,
        boolean teardownPlanned) {
      this.command = command;
      this.target = target;
      this.steps = new ArrayDeque<>(steps);
      this.startMicros = startMicros;
      this.teardownPlanned = teardownPlanned;
    }
  }

  public static Behavior<DeviceMessage> create(
      String deviceId, DeviceSettings settings, DriverModel driverModel, TraceSink trace) {
    return create(deviceId, settings, driverModel, trace, DmaObserver.NONE);
  }

  public static Behavior<DeviceMessage> create(
      String deviceId, DeviceSettings settings, DriverModel driverModel, TraceSink trace, DmaObserver observer) {
    return Behaviors.setup(context -> new Device(context, deviceId, settings, driverModel, trace, observer));
  }

  private Device(
      ActorContext<DeviceMessage> context,
      String deviceId,
      DeviceSettings settings,
      DriverModel driverModel,
      TraceSink trace,
      DmaObserver observer) {
    super(context);
    this.observer = observer;
    this.deviceId = deviceId;
    this.settings = settings;
    this.driverModel = driverModel;
    this.trace = trace;
    this.clock = NodeClock.get(context.getSystem());
    this.realDeadline = clock.toReal(settings.callbackDeadline());
  }

  @Override
  public Receive<DeviceMessage> createReceive() {
    return newReceiveBuilder()
        .onMessage(PnpCommand.class, this::onPnpCommand)
        .onMessage(WdfDmaEnablerCreate.class, this::onEnablerCreate)
        .onMessage(GetDeviceState.class, this::onGetState)
        .onMessage(InspectDevice.class, this::onInspect)
        .onMessage(CallbackReturn.class, this::onCallbackReturn)
        .onMessage(DeadlinePassed.class, this::onDeadlinePassed)
        .onMessage(DmaEnabler.PowerWalkDone.class, this::onPowerWalkDone)
        .onMessage(WdfDmaTransactionCreate.class, this::onTransactionCreate)
        .onMessage(WdfDmaEnablerConfigureSystemProfile.class, this::onConfigureSystemProfile)
        .onMessage(BugCheckRaised.class, this::onBugCheckRaised)
        .onMessage(DmaEnabler.TransactionsDisposed.class, this::onTransactionsDisposed)
        .build();
  }

  // ---- PnP requests ------------------------------------------------------------------------

  private Behavior<DeviceMessage> onPnpCommand(PnpCommand command) {
    if (current != null) {
      return reject(command, "busy with " + current.command.request());
    }
    DevicePowerState target =
        command instanceof PnpCommand.SetDevicePower ? ((PnpCommand.SetDevicePower) command).target() : null;
    List<PowerStep> steps;
    boolean teardown = false;
    switch (command.request()) {
      case ADD:
        if (state != DeviceState.CREATED) {
          return reject(command, "the device was already added");
        }
        steps = PowerSequences.addDevice();
        break;
      case START:
        if (state != DeviceState.ADDED && state != DeviceState.STOPPED) {
          return reject(command, "start needs an added or stopped device");
        }
        steps = PowerSequences.start(settings.interruptCount(), selfManagedIo);
        break;
      case SET_POWER:
        if (target == DevicePowerState.D0 && state == DeviceState.LOW_POWER) {
          steps = PowerSequences.d0Entry(power, settings.interruptCount(), selfManagedIo);
        } else if (target != null && target.isLowPower() && state == DeviceState.STARTED) {
          steps = PowerSequences.d0Exit(target, settings.interruptCount(), selfManagedIo);
        } else if (target == power && (state == DeviceState.STARTED || state == DeviceState.LOW_POWER)) {
          steps = List.of();
        } else {
          return reject(command, "cannot go to " + target + " from " + state + " in " + power
              + " (D3Final is reached with StopDevice or RemoveDevice)");
        }
        break;
      case STOP:
        if (state != DeviceState.STARTED) {
          return reject(command, "stop needs a started device in D0");
        }
        steps = PowerSequences.stop(settings.interruptCount(), selfManagedIo);
        break;
      case REMOVE:
      case SURPRISE_REMOVE:
        if (state.isGone()) {
          return reject(command, "the device is already " + state);
        }
        if (command.request() == PnpRequest.SURPRISE_REMOVE && engine != null) {
          // The hardware left before anyone was told: it never completes a transfer or interrupts again (§6.4).
          engine.tell(DmaEngine.Unplug.INSTANCE);
        }
        // A failed device was torn down when it failed; its IRP_MN_REMOVE_DEVICE only deletes its objects.
        steps =
            state == DeviceState.FAILED
                ? (enablerActors == null ? List.of() : List.of(PowerStep.dma(PowerStep.Type.DISPOSE_OBJECTS, PowerStep.OnFailure.CONTINUE)))
                : PowerSequences.removal(
                    command.request() == PnpRequest.SURPRISE_REMOVE,
                    state == DeviceState.STARTED,
                    ownsHardware,
                    settings.interruptCount(),
                    selfManagedIo);
        teardown = true;
        break;
      default:
        return reject(command, "unknown request");
    }
    requestOrdinal++;
    if (!steps.isEmpty()) {
      ensureDriver();
    }
    current = new Request(command, target, steps, clock.nowMicros(), teardown);
    return runNext();
  }

  private Behavior<DeviceMessage> runNext() {
    Request r = current;
    while (true) {
      PowerStep step = r.steps.poll();
      if (step == null) {
        return finish();
      }
      r.step = step;
      switch (step.type()) {
        case CALLBACK:
          if (!settings.registers(step.callback())) {
            // An unregistered callback is skipped; the state machine moves on as if it succeeded.
            applyEffects(step, true);
            continue;
          }
          long id = ++callbackSerial;
          r.pending =
              PendingCallback.send(
                  getContext(),
                  driver,
                  DeviceCallbacks.message(deviceId, step, engine, getContext().getSelf().narrow()),
                  id,
                  realDeadline,
                  new DeadlinePassed(id),
                  clock);
          return this;
        case DISPOSE_OBJECTS:
          if (!disposeObjects(r)) {
            continue;
          }
          return this;
        case DMA_POWER_UP:
        case DMA_POWER_DOWN:
          if (enablers.length == 0) {
            continue;
          }
          r.dmaIndex = 0;
          sendPowerWalk(r);
          return this;
        default:
          throw new IllegalStateException("unknown step " + step);
      }
    }
  }

  private Behavior<DeviceMessage> onCallbackReturn(CallbackReturn returned) {
    Request r = current;
    if (r == null || r.pending == null || !r.pending.answeredBy(returned)) {
      // Late (after its deadline) or repeated: the callback it returns from is over.
      return this;
    }
    CallbackOutcome outcome = r.pending.returned(returned.status(), clock, trace);
    r.pending = null;
    return onOutcome(r, outcome);
  }

  private Behavior<DeviceMessage> onDeadlinePassed(DeadlinePassed deadline) {
    Request r = current;
    if (r == null || r.pending == null || r.pending.serial() != deadline.serial()) {
      return this;
    }
    CallbackOutcome outcome = r.pending.expired(clock, trace);
    r.pending = null;
    return onOutcome(r, outcome);
  }

  private Behavior<DeviceMessage> onOutcome(Request r, CallbackOutcome outcome) {
    r.callbacks++;
    if (outcome.hung()) {
      recordFailure(r, outcome.kind(), -1, null);
      r.hung = true;
      return finish();
    }
    PowerStep step = r.step;
    applyEffects(step, !outcome.failed());
    if (outcome.failed()) {
      return onStepFailed(r, step, outcome.kind(), -1, outcome.status());
    }
    return runNext();
  }

  private Behavior<DeviceMessage> onPowerWalkDone(DmaEnabler.PowerWalkDone done) {
    Request r = current;
    if (r == null) {
      return this;
    }
    int index = done.enabler().handle().index();
    enablers[index] = done.enabler();
    r.callbacks += done.callbacksInvoked();
    if (done.hung()) {
      recordFailure(r, done.failedCallback(), index, null);
      r.hung = true;
      return finish();
    }
    if (done.failed() && done.powerUp()) {
      // §2: the power-up walk stops at the first failure, inside an enabler and across enablers.
      return onStepFailed(r, r.step, done.failedCallback(), index, done.failureStatus());
    }
    if (done.failed() && r.step.onFailure() != PowerStep.OnFailure.IGNORE) {
      recordFailure(r, done.failedCallback(), index, done.failureStatus());
    }
    r.dmaIndex++;
    if (r.dmaIndex < enablers.length) {
      sendPowerWalk(r);
      return this;
    }
    return runNext();
  }

  private Behavior<DeviceMessage> onStepFailed(
      Request r, PowerStep step, CallbackKind callback, int enabler, NtStatus status) {
    switch (step.onFailure()) {
      case UNWIND_ENTRY:
        recordFailure(r, callback, enabler, status);
        r.steps.clear();
        r.steps.addAll(
            PowerSequences.entryFailure(step, settings.interruptCount(), r.interruptsEnabled, selfManagedIo));
        r.teardownPlanned = true;
        break;
      case ABORT:
        recordFailure(r, callback, enabler, status);
        r.steps.clear();
        r.teardownPlanned = true;
        break;
      case CONTINUE:
        recordFailure(r, callback, enabler, status);
        break;
      case IGNORE:
      default:
        break;
    }
    return runNext();
  }

  private static void recordFailure(Request r, CallbackKind callback, int enabler, NtStatus status) {
    if (!r.failed && !r.hung) {
      r.failedCallback = callback;
      r.failedEnabler = enabler;
      r.failureStatus = status;
    }
    r.failed = true;
  }

  /** How a callback (or its absence) moves the device's own bookkeeping. */
  private void applyEffects(PowerStep step, boolean succeeded) {
    switch (step.callback()) {
      case EVT_DEVICE_PREPARE_HARDWARE:
        // After a failed EvtDevicePrepareHardware KMDF still calls EvtDeviceReleaseHardware.
        ownsHardware = true;
        break;
      case EVT_DEVICE_RELEASE_HARDWARE:
        ownsHardware = false;
        break;
      case EVT_INTERRUPT_ENABLE:
        if (succeeded) {
          current.interruptsEnabled = step.interrupt() + 1;
        }
        break;
      case EVT_DEVICE_SELF_MANAGED_IO_INIT:
      case EVT_DEVICE_SELF_MANAGED_IO_RESTART:
        selfManagedIo = succeeded ? SelfManagedIoState.STARTED : SelfManagedIoState.FAILED;
        break;
      case EVT_DEVICE_SELF_MANAGED_IO_SUSPEND:
        selfManagedIo = SelfManagedIoState.STOPPED;
        break;
      default:
        break;
    }
  }

  private Behavior<DeviceMessage> finish() {
    Request r = current;
    if (r.failed && !r.hung && !r.teardownPlanned) {
      // §2.2 row 10: a failed power-down is reported and PnP tears the device down.
      r.teardownPlanned = true;
      r.steps.addAll(PowerSequences.teardown(ownsHardware, selfManagedIo, PowerStep.OnFailure.IGNORE));
      if (!r.steps.isEmpty()) {
        return runNext();
      }
    }
    applyFinalState(r);
    if (!pinned || state.isGone()) {
      stopChildren();
    }
    callbacksInvoked += r.callbacks;
    current = null;
    PnpOutcome outcome = r.hung ? PnpOutcome.HUNG : r.failed ? PnpOutcome.FAILED : PnpOutcome.SUCCEEDED;
    tracePnp(r.command.request(), r.startMicros, outcome);
    r.command.replyTo().tell(
        new PnpResult(
            deviceId,
            r.command.request(),
            outcome,
            state,
            power,
            r.failedCallback,
            r.failedEnabler,
            r.failureStatus,
            r.callbacks,
            ""));
    return this;
  }

  private void applyFinalState(Request r) {
    if (r.hung) {
      state = DeviceState.HUNG;
      return;
    }
    switch (r.command.request()) {
      case ADD:
        state = r.failed ? DeviceState.FAILED : DeviceState.ADDED;
        break;
      case START:
        state = r.failed ? DeviceState.FAILED : DeviceState.STARTED;
        power = r.failed ? DevicePowerState.D3_FINAL : DevicePowerState.D0;
        break;
      case SET_POWER:
        if (r.failed) {
          state = DeviceState.FAILED;
          power = r.target == DevicePowerState.D0 ? DevicePowerState.D3_FINAL : r.target;
        } else {
          state = r.target == DevicePowerState.D0 ? DeviceState.STARTED : DeviceState.LOW_POWER;
          power = r.target;
        }
        break;
      case STOP:
        state = r.failed ? DeviceState.FAILED : DeviceState.STOPPED;
        power = DevicePowerState.D3_FINAL;
        break;
      case REMOVE:
        state = DeviceState.REMOVED;
        power = DevicePowerState.D3_FINAL;
        break;
      case SURPRISE_REMOVE:
      default:
        state = DeviceState.SURPRISE_REMOVED;
        power = DevicePowerState.D3_FINAL;
        break;
    }
  }

  private Behavior<DeviceMessage> reject(PnpCommand command, String why) {
    command.replyTo().tell(
        new PnpResult(
            deviceId, command.request(), PnpOutcome.REJECTED, state, power, null, -1, null, 0, why));
    return this;
  }

  // ---- DMA enablers ------------------------------------------------------------------------

  private void sendPowerWalk(Request r) {
    ActorRef<DmaEnabler.PowerWalkDone> replyTo = getContext().getSelf().narrow();
    ensureEnabler(r.dmaIndex)
        .tell(
            r.step.type() == PowerStep.Type.DMA_POWER_UP
                ? new DmaEnabler.PowerUp(replyTo)
                : new DmaEnabler.PowerDown(replyTo));
  }

  /** Asks every live enabler to delete its transactions; false when there is nothing to delete. */
  private boolean disposeObjects(Request r) {
    if (enablerActors == null) {
      return false;
    }
    ActorRef<DmaEnabler.TransactionsDisposed> self = getContext().getSelf().narrow();
    r.disposing = 0;
    for (ActorRef<EnablerMessage> enabler : enablerActors) {
      if (enabler != null) {
        r.disposing++;
        enabler.tell(new DmaEnabler.DisposeTransactions(self));
      }
    }
    return r.disposing > 0;
  }

  private Behavior<DeviceMessage> onTransactionsDisposed(DmaEnabler.TransactionsDisposed disposed) {
    Request r = current;
    if (r == null || r.step == null || r.step.type() != PowerStep.Type.DISPOSE_OBJECTS) {
      return this;
    }
    return --r.disposing == 0 ? runNext() : this;
  }

  // ---- Children: driver and enablers live while there is work ----------------------------------

  private ActorRef<DriverMessage> ensureDriver() {
    if (driver == null) {
      callbackSerial = 0;
      driver =
          getContext()
              .spawn(
                  driverModel.create(new DriverContext(
                      deviceId, getContext().getSelf(), requestOrdinal, settings.callbackDeadline(), settings.faults(),
                      settings.arbitration().group())),
                  "driver-" + requestOrdinal);
      if (settings.hardware() != null) {
        // The hardware is handed to the driver in EvtDevicePrepareHardware, as KMDF hands resources.
        engine =
            getContext()
                .spawn(
                    DmaEngine.create(
                        settings.arbitration().requester(deviceId), settings.hardware(), driver, realDeadline, trace,
                        settings.gate(deviceId, "engine-" + requestOrdinal), observer),
                    "engine-" + requestOrdinal);
      }
    }
    return driver;
  }

  @SuppressWarnings("unchecked")
  private ActorRef<EnablerMessage> ensureEnabler(int i) {
    if (enablerActors == null || enablerActors.length < enablers.length) {
      ActorRef<EnablerMessage>[] grown = new ActorRef[enablers.length];
      if (enablerActors != null) {
        System.arraycopy(enablerActors, 0, grown, 0, enablerActors.length);
      }
      enablerActors = grown;
    }
    if (enablerActors[i] == null) {
      DmaEnabler.Environment env =
          new DmaEnabler.Environment(
              ensureDriver(),
              getContext().getSelf(),
              packetSlot,
              settings.platform().pageSize(),
              settings.kmdfMinorVersion(),
              settings.verifier(),
              realDeadline,
              trace,
              observer,
              settings.arbitration(),
              settings.faults());
      enablerActors[i] = getContext().spawn(DmaEnabler.create(enablers[i], env), "enabler-" + i + "-" + requestOrdinal);
    }
    return enablerActors[i];
  }

  private void stopChildren() {
    if (driver != null) {
      getContext().stop(driver);
      driver = null;
    }
    if (engine != null) {
      getContext().stop(engine);
      engine = null;
    }
    if (enablerActors != null) {
      // Not stopped from here: the adapters' arbiters must first handle the frees already sent to them.
      for (ActorRef<EnablerMessage> enabler : enablerActors) {
        if (enabler != null) {
          enabler.tell(DmaEnabler.Retire.INSTANCE);
        }
      }
      enablerActors = null;
    }
  }

  // ---- DMA transactions and bug checks -------------------------------------------------------

  private Behavior<DeviceMessage> onTransactionCreate(WdfDmaTransactionCreate create) {
    int index = create.enabler() == null ? -1 : create.enabler().index();
    if (state.isGone() || driver == null) {
      create.replyTo().tell(new TransactionCreateResult(NtStatus.STATUS_INVALID_DEVICE_STATE, null));
      return this;
    }
    if (create.enabler() == null
        || !deviceId.equals(create.enabler().deviceId())
        || index < 0
        || index >= enablers.length) {
      // Not an enabler of this device: KMDF's handle validation bug-checks (§8.1 K14).
      BugCheck bugCheck =
          new BugCheck(BugCheck.WDF_VIOLATION, BugCheck.WDF_INVALID_HANDLE, "K14", "§8.1 K14",
              "WdfDmaTransactionCreate", deviceId, index, -1, null, "invalid enabler handle " + create.enabler());
      onBugCheckRaised(new BugCheckRaised(bugCheck));
      if (settings.verifier().onViolation() == OnViolation.RECORD) {
        create.replyTo().tell(new TransactionCreateResult(NtStatus.STATUS_INVALID_DEVICE_STATE, null));
      }
      return this;
    }
    pinned = true;
    ensureEnabler(index).tell(create);
    return this;
  }

  private Behavior<DeviceMessage> onConfigureSystemProfile(WdfDmaEnablerConfigureSystemProfile configure) {
    int index = configure.enabler() == null ? -1 : configure.enabler().index();
    EnablerCreateResult result;
    if (state.isTerminal()) {
      result = new EnablerCreateResult(NtStatus.STATUS_INVALID_DEVICE_STATE, null);
    } else if (configure.enabler() == null || !deviceId.equals(configure.enabler().deviceId())
        || index < 0 || index >= enablers.length) {
      BugCheck bugCheck =
          new BugCheck(BugCheck.WDF_VIOLATION, BugCheck.WDF_INVALID_HANDLE, "K14", "§8.1 K14",
              "WdfDmaEnablerConfigureSystemProfile", deviceId, index, -1, null,
              "invalid enabler handle " + configure.enabler());
      onBugCheckRaised(new BugCheckRaised(bugCheck));
      if (settings.verifier().onViolation() != OnViolation.RECORD) {
        return this;
      }
      result = new EnablerCreateResult(NtStatus.STATUS_INVALID_DEVICE_STATE, null);
    } else {
      result =
          EnablerCreation.configureSystemProfile(
              enablers[index], configure.direction(), configure.config(), settings.adapterPlatform());
      if (result.status().isSuccess()) {
        enablers[index] = result.enabler();
        if (enablerActors != null && index < enablerActors.length && enablerActors[index] != null) {
          enablerActors[index].tell(new DmaEnabler.SystemProfileConfigured(result.enabler()));
        }
      }
    }
    configure.replyTo().tell(result);
    return this;
  }

  private Behavior<DeviceMessage> onBugCheckRaised(BugCheckRaised raised) {
    if (state == DeviceState.CRASHED) {
      // A crashed machine takes one bug check; what its objects report while they go down is not another.
      return this;
    }
    if (bugChecks == null) {
      bugChecks = new java.util.ArrayList<>(2);
    }
    bugChecks.add(raised.bugCheck());
    getContext().getLog().warn("{}: bug check {}", deviceId, raised.bugCheck().summary());
    if (trace.enabled()) {
      trace.instant("BugCheck", deviceId, clock.nowMicros(),
          Map.of("device", deviceId, "rule", raised.bugCheck().rule(), "code", Integer.toHexString(raised.bugCheck().code())));
    }
    if (settings.verifier().onViolation() == OnViolation.CRASH_DEVICE && !state.isGone()) {
      // The machine would be down: the device stops with everything it owns; the run goes on.
      state = DeviceState.CRASHED;
      stopChildren();
      Request r = current;
      current = null;
      if (r != null) {
        callbacksInvoked += r.callbacks;
        r.command.replyTo().tell(new PnpResult(deviceId, r.command.request(), PnpOutcome.CRASHED, state, power,
            null, -1, null, r.callbacks, raised.bugCheck().summary()));
      }
    }
    return this;
  }

  private Behavior<DeviceMessage> onEnablerCreate(WdfDmaEnablerCreate create) {
    EnablerCreateResult result;
    if (state.isTerminal()) {
      result = new EnablerCreateResult(NtStatus.STATUS_INVALID_DEVICE_STATE, null);
    } else {
      EnablerHandle handle = new EnablerHandle(deviceId, enablers.length);
      result =
          EnablerCreation.create(
              handle, create.config(), create.parentDeviceId(), settings.adapterPlatform(), settings.kmdfMinorVersion());
      if (result.status().isSuccess()) {
        // §1.4 step 8: appended at the tail; list order is creation order and power-callback order.
        enablers = Arrays.copyOf(enablers, enablers.length + 1);
        enablers[enablers.length - 1] = result.enabler();
      }
    }
    if (trace.enabled()) {
      trace.instant(
          "WdfDmaEnablerCreate",
          deviceId,
          clock.nowMicros(),
          Map.of(
              "device", deviceId,
              "profile", create.config().profile().wdfName(),
              "enabler", result.enabler() == null ? "-" : Integer.toString(result.enabler().handle().index()),
              "status", result.status().hex()));
    }
    create.replyTo().tell(result);
    return this;
  }

  private Behavior<DeviceMessage> onGetState(GetDeviceState get) {
    get.replyTo().tell(snapshot());
    return this;
  }

  private DeviceSnapshot snapshot() {
    return new DeviceSnapshot(
        deviceId, state, power, selfManagedIo, Arrays.asList(enablers), current != null, callbacksInvoked,
        bugChecks == null ? List.of() : bugChecks);
  }

  /** The snapshot and every transaction's view, gathered by a child so the device goes on meanwhile. */
  private Behavior<DeviceMessage> onInspect(InspectDevice inspect) {
    List<ActorRef<EnablerMessage>> live = new ArrayList<>();
    if (enablerActors != null) {
      for (ActorRef<EnablerMessage> enabler : enablerActors) {
        if (enabler != null) {
          live.add(enabler);
        }
      }
    }
    getContext().spawnAnonymous(DeviceInspector.create(snapshot(), live, inspect.replyTo(), INSPECTION_PATIENCE));
    return this;
  }

  private void tracePnp(PnpRequest request, long startMicros, PnpOutcome outcome) {
    if (trace.enabled()) {
      trace.span(
          irpName(request), deviceId, startMicros, clock.nowMicros(),
          Map.of("device", deviceId, "outcome", outcome.name(), "state", state.name(), "power", power.wdfName()));
    }
  }

  private static String irpName(PnpRequest request) {
    switch (request) {
      case ADD:
        return "AddDevice";
      case START:
        return "IRP_MN_START_DEVICE";
      case SET_POWER:
        return "IRP_MN_SET_POWER";
      case STOP:
        return "IRP_MN_STOP_DEVICE";
      case REMOVE:
        return "IRP_MN_REMOVE_DEVICE";
      default:
        return "IRP_MN_SURPRISE_REMOVAL";
    }
  }
}
