package org.dmaemu.enabler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.dmaemu.device.Device;
import org.dmaemu.device.DeviceSettings;
import org.dmaemu.driver.DriverContext;
import org.dmaemu.driver.DriverModel;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.protocol.device.DeviceSnapshot;
import org.dmaemu.protocol.device.EnablerCreateResult;
import org.dmaemu.protocol.device.GetDeviceState;
import org.dmaemu.protocol.device.PnpCommand;
import org.dmaemu.protocol.device.PnpOutcome;
import org.dmaemu.protocol.device.PnpResult;
import org.dmaemu.protocol.device.WdfDmaEnablerConfigureSystemProfile;
import org.dmaemu.protocol.device.WdfDmaEnablerCreate;
import org.dmaemu.protocol.driver.CallbackReturn;
import org.dmaemu.protocol.driver.DriverCallback;
import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.protocol.enabler.AdapterInfo;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.protocol.enabler.EnablerHandle;
import org.dmaemu.protocol.enabler.EnablerInfo;
import org.dmaemu.protocol.enabler.SystemProfileConfig;
import org.dmaemu.testing.TestKits;
import org.dmaemu.trace.TraceSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * WdfDmaEnablerConfigureSystemProfile on a whole device (reference §1.2, §1.5, §4.1): the driver
 * creates a System or SystemDuplex enabler in EvtDriverDeviceAdd, and the calls are made while its
 * EvtDevicePrepareHardware runs, where the documentation says they belong.
 */
class ConfigureSystemProfileTest {
  private static ActorTestKit kit;
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final AtomicInteger IDS = new AtomicInteger();

  /** §4.1 for MaximumLength 64 KiB and 4 KiB pages: N = ceil(65536 / 4096) + 1 = 17; fragment min(65536, 16 × 4096). */
  private static final int N_64K = 17;
  private static final long FRAGMENT_64K = 65536;

  @BeforeAll
  static void setUp() {
    kit = TestKits.create("ConfigureSystemProfileTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  /**
   * A driver that creates the given enablers in EvtDriverDeviceAdd and tells {@code events} what
   * WdfDmaEnablerCreate returned; it hands EvtDevicePrepareHardware to {@code events} unanswered
   * (the test answers it) and answers every other callback with success.
   */
  static DriverModel systemDriver(List<DmaEnablerConfig> enablers, ActorRef<DriverMessage> events) {
    return context -> new CreatingDriver(context, enablers, events).behavior();
  }

  private static final class CreatingDriver {
    private final DriverContext context;
    private final ArrayDeque<DmaEnablerConfig> toCreate;
    private final ActorRef<DriverMessage> events;
    private DriverCallback.EvtDriverDeviceAdd pendingAdd;
    private ActorRef<DriverMessage> self;

    CreatingDriver(DriverContext context, List<DmaEnablerConfig> enablers, ActorRef<DriverMessage> events) {
      this.context = context;
      this.toCreate = new ArrayDeque<>(enablers);
      this.events = events;
    }

    Behavior<DriverMessage> behavior() {
      return Behaviors.setup(ctx -> {
        self = ctx.getSelf();
        return Behaviors.receive(DriverMessage.class)
            .onMessage(DriverCallback.EvtDriverDeviceAdd.class, this::onAdd)
            .onMessage(EnablerCreateResult.class, this::onCreated)
            .onMessage(DriverCallback.EvtDevicePrepareHardware.class, this::onPrepareHardware)
            .onMessage(DriverCallback.class, this::onOther)
            .build();
      });
    }

    private Behavior<DriverMessage> onAdd(DriverCallback.EvtDriverDeviceAdd add) {
      pendingAdd = add;
      return createNextOrAnswer();
    }

    private Behavior<DriverMessage> onCreated(EnablerCreateResult result) {
      events.tell(result);
      return createNextOrAnswer();
    }

    private Behavior<DriverMessage> createNextOrAnswer() {
      DmaEnablerConfig next = toCreate.poll();
      if (next != null) {
        context.device().tell(new WdfDmaEnablerCreate(next, null, self.narrow()));
      } else if (pendingAdd != null) {
        pendingAdd.replyTo().tell(CallbackReturn.SUCCESS);
        pendingAdd = null;
      }
      return Behaviors.same();
    }

    private Behavior<DriverMessage> onPrepareHardware(DriverCallback.EvtDevicePrepareHardware prepare) {
      events.tell(prepare);
      return Behaviors.same();
    }

    private Behavior<DriverMessage> onOther(DriverCallback callback) {
      callback.replyTo().tell(CallbackReturn.SUCCESS);
      return Behaviors.same();
    }
  }

  /** One device with one enabler, stopped inside EvtDevicePrepareHardware of its start. */
  static final class InPrepareHardware {
    final String id = "sysdev-" + IDS.incrementAndGet();
    final TestProbe<DriverMessage> events = kit.createTestProbe();
    final TestProbe<PnpResult> pnp = kit.createTestProbe();
    final TestProbe<EnablerCreateResult> configured = kit.createTestProbe();
    final TestProbe<DeviceSnapshot> snapshots = kit.createTestProbe();
    final ActorRef<DeviceMessage> device;
    final EnablerInfo created;
    final DriverCallback.EvtDevicePrepareHardware prepare;

    InPrepareHardware(DmaEnablerConfig config) {
      device = kit.spawn(
          Device.create(id, DeviceSettings.defaults(), systemDriver(List.of(config), events.getRef()), TraceSink.NONE),
          id);
      device.tell(new PnpCommand.AddDevice(pnp.getRef()));
      EnablerCreateResult create = assertInstanceOf(EnablerCreateResult.class, events.receiveMessage(WAIT));
      assertEquals(NtStatus.STATUS_SUCCESS, create.status());
      created = create.enabler();
      assertEquals(PnpOutcome.SUCCEEDED, pnp.receiveMessage(WAIT).outcome());
      device.tell(new PnpCommand.StartDevice(pnp.getRef()));
      prepare = assertInstanceOf(DriverCallback.EvtDevicePrepareHardware.class, events.receiveMessage(WAIT));
    }

    EnablerHandle handle() {
      return created.handle();
    }

    EnablerCreateResult configure(DmaDirection direction, SystemProfileConfig config) {
      device.tell(new WdfDmaEnablerConfigureSystemProfile(handle(), direction, config, configured.getRef()));
      return configured.receiveMessage(WAIT);
    }

    EnablerCreateResult configure(DmaDirection direction) {
      return configure(direction, SystemProfileConfig.of(3, 7));
    }

    /** The driver returns from EvtDevicePrepareHardware; the start completes. */
    void finishStart() {
      prepare.replyTo().tell(CallbackReturn.SUCCESS);
      PnpResult started = pnp.receiveMessage(WAIT);
      assertEquals(PnpOutcome.SUCCEEDED, started.outcome(), started.toString());
    }

    /** The enabler as the device keeps it. */
    EnablerInfo enabler() {
      device.tell(new GetDeviceState(snapshots.getRef()));
      DeviceSnapshot s = snapshots.receiveMessage(WAIT);
      assertEquals(List.of(), s.bugChecks());
      return s.enablers().get(handle().index());
    }
  }

  @Test
  @DisplayName("§1.5/§4.1 System: one ConfigureSystemProfile gives the enabler its one adapter, N = 17 and fragment 64 KiB for both directions")
  void systemSimplexConfigured() {
    InPrepareHardware d = new InPrepareHardware(DmaEnablerConfig.init(DmaProfile.SYSTEM, 65536));
    assertEquals(List.of(), d.created.adapters(), "§1.4 step 7: no adapter before ConfigureSystemProfile");
    EnablerCreateResult r = d.configure(DmaDirection.READ_FROM_DEVICE);
    assertEquals(NtStatus.STATUS_SUCCESS, r.status());
    assertNotNull(r.enabler());
    assertEquals(List.of(new AdapterInfo(null, N_64K, FRAGMENT_64K)), r.enabler().adapters(),
        "a simplex enabler's one adapter serves both directions");
    assertEquals(FRAGMENT_64K, r.enabler().fragmentLength(DmaDirection.READ_FROM_DEVICE));
    assertEquals(FRAGMENT_64K, r.enabler().fragmentLength(DmaDirection.WRITE_TO_DEVICE));
    d.finishStart();
    assertEquals(List.of(new AdapterInfo(null, N_64K, FRAGMENT_64K)), d.enabler().adapters(),
        "the device keeps the configured adapter");
  }

  @Test
  @DisplayName("§4.1 System with MaximumLength 1 MiB: N is capped by the platform limit (256), fragment (N − 1) × PAGE_SIZE")
  void systemPlatformLimit() {
    InPrepareHardware d = new InPrepareHardware(DmaEnablerConfig.init(DmaProfile.SYSTEM, 1 << 20));
    EnablerCreateResult r = d.configure(DmaDirection.WRITE_TO_DEVICE);
    assertEquals(NtStatus.STATUS_SUCCESS, r.status());
    assertEquals(List.of(new AdapterInfo(null, 256, 255L * 4096)), r.enabler().adapters());
    d.finishStart();
  }

  @Test
  @DisplayName("§1.5 System: the one call configures both directions; a second call (either direction) → STATUS_INVALID_PARAMETER")
  void systemSimplexSecondCall() {
    InPrepareHardware d = new InPrepareHardware(DmaEnablerConfig.init(DmaProfile.SYSTEM, 65536));
    assertEquals(NtStatus.STATUS_SUCCESS, d.configure(DmaDirection.WRITE_TO_DEVICE).status());
    assertEquals(NtStatus.STATUS_INVALID_PARAMETER, d.configure(DmaDirection.READ_FROM_DEVICE).status());
    assertEquals(NtStatus.STATUS_INVALID_PARAMETER, d.configure(DmaDirection.WRITE_TO_DEVICE).status());
    d.finishStart();
    assertEquals(List.of(new AdapterInfo(null, N_64K, FRAGMENT_64K)), d.enabler().adapters(),
        "the refused calls changed nothing");
  }

  @Test
  @DisplayName("§1.2/§1.5 SystemDuplex: one call per direction, each adds that direction's adapter; repeating a direction → STATUS_INVALID_PARAMETER")
  void systemDuplexPerDirection() {
    InPrepareHardware d = new InPrepareHardware(DmaEnablerConfig.init(DmaProfile.SYSTEM_DUPLEX, 65536));
    EnablerCreateResult read = d.configure(DmaDirection.READ_FROM_DEVICE);
    assertEquals(NtStatus.STATUS_SUCCESS, read.status());
    assertEquals(List.of(new AdapterInfo(DmaDirection.READ_FROM_DEVICE, N_64K, FRAGMENT_64K)), read.enabler().adapters());
    assertEquals(0, read.enabler().fragmentLength(DmaDirection.WRITE_TO_DEVICE), "the write direction is not configured yet");

    assertEquals(NtStatus.STATUS_INVALID_PARAMETER, d.configure(DmaDirection.READ_FROM_DEVICE).status(),
        "§1.5: direction already configured");

    EnablerCreateResult write = d.configure(DmaDirection.WRITE_TO_DEVICE);
    assertEquals(NtStatus.STATUS_SUCCESS, write.status());
    assertEquals(2, write.enabler().adapters().size());
    assertEquals(new AdapterInfo(DmaDirection.READ_FROM_DEVICE, N_64K, FRAGMENT_64K),
        write.enabler().adapterFor(DmaDirection.READ_FROM_DEVICE));
    assertEquals(new AdapterInfo(DmaDirection.WRITE_TO_DEVICE, N_64K, FRAGMENT_64K),
        write.enabler().adapterFor(DmaDirection.WRITE_TO_DEVICE));

    assertEquals(NtStatus.STATUS_INVALID_PARAMETER, d.configure(DmaDirection.WRITE_TO_DEVICE).status(),
        "§1.5: direction already configured");
    d.finishStart();
    EnablerInfo kept = d.enabler();
    assertEquals(2, kept.adapters().size());
    assertEquals(FRAGMENT_64K, kept.fragmentLength(DmaDirection.READ_FROM_DEVICE));
    assertEquals(FRAGMENT_64K, kept.fragmentLength(DmaDirection.WRITE_TO_DEVICE));
  }

  @Test
  @DisplayName("§1.5 NULL config → STATUS_INVALID_PARAMETER; the enabler stays unconfigured")
  void nullConfig() {
    InPrepareHardware d = new InPrepareHardware(DmaEnablerConfig.init(DmaProfile.SYSTEM_DUPLEX, 65536));
    assertEquals(NtStatus.STATUS_INVALID_PARAMETER, d.configure(DmaDirection.READ_FROM_DEVICE, null).status());
    d.finishStart();
    assertEquals(List.of(), d.enabler().adapters());
  }

  @Test
  @DisplayName("§1.5 NULL DmaDescriptor → STATUS_INVALID_PARAMETER; the enabler stays unconfigured")
  void nullDmaDescriptor() {
    InPrepareHardware d = new InPrepareHardware(DmaEnablerConfig.init(DmaProfile.SYSTEM, 65536));
    SystemProfileConfig noDescriptor = new SystemProfileConfig(false, 3, 7, false, false, 0);
    assertEquals(NtStatus.STATUS_INVALID_PARAMETER, d.configure(DmaDirection.READ_FROM_DEVICE, noDescriptor).status());
    d.finishStart();
    assertEquals(List.of(), d.enabler().adapters());
  }

  @Test
  @DisplayName("§1.5 bad (null) direction → STATUS_INVALID_PARAMETER; the enabler stays unconfigured")
  void badDirection() {
    InPrepareHardware d = new InPrepareHardware(DmaEnablerConfig.init(DmaProfile.SYSTEM_DUPLEX, 65536));
    assertEquals(NtStatus.STATUS_INVALID_PARAMETER, d.configure(null).status());
    InPrepareHardware simplex = new InPrepareHardware(DmaEnablerConfig.init(DmaProfile.SYSTEM, 65536));
    assertEquals(NtStatus.STATUS_INVALID_PARAMETER, simplex.configure(null).status());
    d.finishStart();
    simplex.finishStart();
    assertEquals(List.of(), d.enabler().adapters());
    assertEquals(List.of(), simplex.enabler().adapters());
  }

  @Test
  @DisplayName("§1.5 on a Packet enabler → STATUS_INVALID_DEVICE_REQUEST (emulator choice: the reference lists no status for a non-system enabler); its adapter is unchanged")
  void notASystemProfile() {
    InPrepareHardware d = new InPrepareHardware(DmaEnablerConfig.init(DmaProfile.PACKET, 65536));
    List<AdapterInfo> before = d.created.adapters();
    assertEquals(1, before.size());
    EnablerCreateResult r = d.configure(DmaDirection.READ_FROM_DEVICE);
    assertEquals(NtStatus.STATUS_INVALID_DEVICE_REQUEST, r.status());
    if (r.enabler() != null) {
      assertEquals(before, r.enabler().adapters());
    }
    d.finishStart();
    assertEquals(before, d.enabler().adapters());
  }

  @Test
  @DisplayName("§1.5 a refused call returns no changed enabler: failure status and, if an enabler comes back, it has no adapter")
  void refusedCallLeavesNoAdapter() {
    InPrepareHardware d = new InPrepareHardware(DmaEnablerConfig.init(DmaProfile.SYSTEM, 65536));
    EnablerCreateResult r = d.configure(DmaDirection.READ_FROM_DEVICE, null);
    assertEquals(NtStatus.STATUS_INVALID_PARAMETER, r.status());
    if (r.enabler() != null) {
      assertEquals(List.of(), r.enabler().adapters());
    }
    // A valid call afterwards still succeeds: the failure consumed nothing.
    assertEquals(NtStatus.STATUS_SUCCESS, d.configure(DmaDirection.READ_FROM_DEVICE).status());
    d.finishStart();
  }
}
