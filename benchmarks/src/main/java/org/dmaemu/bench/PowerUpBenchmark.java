package org.dmaemu.bench;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import com.typesafe.config.ConfigFactory;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.dmaemu.device.Device;
import org.dmaemu.device.DeviceSettings;
import org.dmaemu.driver.DriverModel;
import org.dmaemu.driver.ReferenceDriver;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.protocol.device.DeviceSnapshot;
import org.dmaemu.protocol.device.GetDeviceState;
import org.dmaemu.protocol.device.PnpCommand;
import org.dmaemu.protocol.device.PnpOutcome;
import org.dmaemu.protocol.device.PnpResult;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.trace.TraceSink;

/**
 * Power-up of many devices on one JVM (issue: foundation benchmark): every device is added
 * (EvtDriverDeviceAdd creates its enablers) and started (PrepareHardware + the D0-entry path of
 * reference §2.1). Reports wall time, callbacks per second and the heap each idle device keeps.
 *
 * <p>Usage: {@code java -jar benchmarks/target/dmaemu-benchmarks.jar [devices] [enablers]}
 * (defaults 100000 and 2). Not a test: run it by hand, see docs/performance.md.
 */
public final class PowerUpBenchmark {

  /** Sent when every device has answered its requests. */
  record Done(long callbacks, int failed, long nanos) {}

  public static void main(String[] args) throws Exception {
    int devices = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int enablers = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

    CompletableFuture<Done> done = new CompletableFuture<>();
    CompletableFuture<Long> idle = new CompletableFuture<>();
    ActorSystem<Command> system =
        ActorSystem.create(
            Coordinator.create(devices, enablers, done, idle),
            "powerup",
            ConfigFactory.parseString("akka.loglevel = WARNING").withFallback(ConfigFactory.load()));
    long before = usedHeapAfterGc(memory);
    system.tell(Start.INSTANCE);
    Done result = done.get(30, TimeUnit.MINUTES);
    // Every device answers a snapshot after its request ended: its driver and enablers are stopped.
    system.tell(Snapshot.INSTANCE);
    long idleDevices = idle.get(10, TimeUnit.MINUTES);
    long after = usedHeapAfterGc(memory);
    double seconds = result.nanos() / 1e9;
    System.out.printf(Locale.ROOT, "devices                 %d x %d enablers (%d failed power-ups)%n",
        devices, enablers, result.failed());
    System.out.printf(Locale.ROOT, "power-up wall time      %.2f s (AddDevice + StartDevice, all devices)%n", seconds);
    System.out.printf(Locale.ROOT, "callbacks delivered     %d (%.0f per device)%n",
        result.callbacks(), (double) result.callbacks() / devices);
    System.out.printf(Locale.ROOT, "callbacks per second    %.0f%n", result.callbacks() / seconds);
    System.out.printf(Locale.ROOT, "heap per idle device    %.0f bytes (device with driver and %d enablers; %d idle, used heap %d -> %d MB)%n",
        (double) (after - before) / devices, enablers, idleDevices, before >> 20, after >> 20);
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(1, TimeUnit.MINUTES);
  }

  static long usedHeapAfterGc(MemoryMXBean memory) {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  interface Command {}

  enum Start implements Command { INSTANCE }

  enum Snapshot implements Command { INSTANCE }

  record Result(PnpResult result) implements Command {}

  record State(DeviceSnapshot snapshot) implements Command {}

  /** The PnP manager of the benchmark: AddDevice, then StartDevice, for every device. */
  static final class Coordinator extends AbstractBehavior<Command> {
    private final int devices;
    private final CompletableFuture<Done> done;
    private final CompletableFuture<Long> idle;
    private final List<ActorRef<DeviceMessage>> refs;
    private final ActorRef<PnpResult> results;
    private final ActorRef<DeviceSnapshot> states;
    private final DeviceSettings settings = DeviceSettings.defaults();
    private final DriverModel driver;
    private long start;
    private int finished;
    private int failed;
    private long callbacks;
    private int snapshots;
    private long idleCount;

    static Behavior<Command> create(
        int devices, int enablers, CompletableFuture<Done> done, CompletableFuture<Long> idle) {
      return Behaviors.setup(context -> new Coordinator(context, devices, enablers, done, idle));
    }

    private Coordinator(
        ActorContext<Command> context,
        int devices,
        int enablers,
        CompletableFuture<Done> done,
        CompletableFuture<Long> idle) {
      super(context);
      this.devices = devices;
      this.done = done;
      this.idle = idle;
      this.refs = new ArrayList<>(devices);
      this.results = context.messageAdapter(PnpResult.class, Result::new);
      this.states = context.messageAdapter(DeviceSnapshot.class, State::new);
      List<DmaEnablerConfig> configs = new ArrayList<>();
      for (int i = 0; i < enablers; i++) {
        DmaProfile profile = i % 2 == 0 ? DmaProfile.SCATTER_GATHER64 : DmaProfile.PACKET;
        configs.add(DmaEnablerConfig.init(profile, 65536).withAllCallbacks());
      }
      this.driver = new ReferenceDriver.Settings(configs, List.of(), 1L).model();
    }

    @Override
    public Receive<Command> createReceive() {
      return newReceiveBuilder()
          .onMessageEquals(Start.INSTANCE, this::onStart)
          .onMessage(Result.class, this::onResult)
          .onMessageEquals(Snapshot.INSTANCE, this::onSnapshot)
          .onMessage(State.class, this::onState)
          .build();
    }

    private Behavior<Command> onStart() {
      start = System.nanoTime();
      for (int i = 0; i < devices; i++) {
        String id = String.format(Locale.ROOT, "dev-%06d", i);
        ActorRef<DeviceMessage> device = getContext().spawn(Device.create(id, settings, driver, TraceSink.NONE), id);
        refs.add(device);
        device.tell(new PnpCommand.AddDevice(results));
      }
      return this;
    }

    private Behavior<Command> onResult(Result wrapped) {
      PnpResult r = wrapped.result();
      callbacks += r.callbacksInvoked();
      if (r.outcome() == PnpOutcome.SUCCEEDED && r.request() == org.dmaemu.protocol.device.PnpRequest.ADD) {
        refs.get(Integer.parseInt(r.deviceId().substring(4))).tell(new PnpCommand.StartDevice(results));
        return this;
      }
      if (r.outcome() != PnpOutcome.SUCCEEDED) {
        failed++;
      }
      if (++finished == devices) {
        done.complete(new Done(callbacks, failed, System.nanoTime() - start));
      }
      return this;
    }

    private Behavior<Command> onSnapshot() {
      refs.forEach(device -> device.tell(new GetDeviceState(states)));
      return this;
    }

    private Behavior<Command> onState(State state) {
      if (!state.snapshot().busy()) {
        idleCount++;
      }
      if (++snapshots == devices) {
        idle.complete(idleCount);
      }
      return this;
    }
  }
}
