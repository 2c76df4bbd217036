package org.dmaemu.device;

import java.time.Duration;
import org.dmaemu.fault.FaultPlan;
import org.dmaemu.fault.MessageGate;
import java.util.EnumSet;
import java.util.Set;
import org.dmaemu.arbitration.AdapterDomain;
import org.dmaemu.arbitration.ArbitrationSettings;
import org.dmaemu.protocol.driver.CallbackKind;
import org.dmaemu.hardware.HardwareSettings;
import org.dmaemu.verifier.VerifierSettings;

/**
 * What a device is, apart from its driver: the platform, the KMDF version its driver binds to, its
 * interrupts, the device-level callbacks its driver registered, and how long a callback may take
 * before it counts as a hang. One instance is shared by every device of a group.
 *
 * @param kmdfMinorVersion the driver's KMDF 1.x minor version (1.33 → 33); gates checks of §1.1/§1.3
 * @param interruptCount WDFINTERRUPT objects of the device, in creation order
 * @param registeredCallbacks device and interrupt callbacks the driver registered; enabler callbacks
 *     are registered per enabler in its config
 * @param callbackDeadline modeled time after which an unanswered callback is a hang
 * @param verifier which checks apply and what a bug check does to the device
 * @param hardware the device's DMA engine, or {@code null} for a device without one (power only)
 * @param arbitration the device's group, priority and weight, its adapters' policies, and the
 *     shared adapter domain if it uses one
 * @param faults the run's fault plan; each of the device's actors takes its own gate from it
 */
public record DeviceSettings(
    PlatformSettings platform,
    int kmdfMinorVersion,
    int interruptCount,
    Set<CallbackKind> registeredCallbacks,
    Duration callbackDeadline,
    VerifierSettings verifier,
    HardwareSettings hardware,
    ArbitrationSettings arbitration,
    FaultPlan faults) {

  /** A device without faults. */
  public DeviceSettings(
      PlatformSettings platform,
      int kmdfMinorVersion,
      int interruptCount,
      Set<CallbackKind> registeredCallbacks,
      Duration callbackDeadline,
      VerifierSettings verifier,
      HardwareSettings hardware,
      ArbitrationSettings arbitration) {
    this(platform, kmdfMinorVersion, interruptCount, registeredCallbacks, callbackDeadline, verifier, hardware, arbitration,
        FaultPlan.NONE);
  }

  public DeviceSettings {
    faults = faults == null ? FaultPlan.NONE : faults;
    if (interruptCount < 0) {
      throw new IllegalArgumentException("interrupt count must not be negative");
    }
    if (callbackDeadline.isNegative() || callbackDeadline.isZero()) {
      throw new IllegalArgumentException("callback deadline must be positive");
    }
    if (verifier == null) {
      throw new IllegalArgumentException("verifier settings must not be null");
    }
    if (arbitration == null) {
      throw new IllegalArgumentException("arbitration settings must not be null");
    }
    registeredCallbacks = registeredCallbacks.isEmpty()
        ? Set.of()
        : Set.copyOf(EnumSet.copyOf(registeredCallbacks));
  }

  /**
   * Every device-level callback registered, one interrupt, KMDF 1.33, 1 s deadline, verifier on,
   * crash-device, no hardware, KMDF's arbitration (own adapters, FIFO).
   */
  public static DeviceSettings defaults() {
    return new DeviceSettings(
        PlatformSettings.defaults(), 33, 1, allDeviceCallbacks(), Duration.ofSeconds(1), VerifierSettings.defaults(), null,
        ArbitrationSettings.defaults());
  }

  public static Set<CallbackKind> allDeviceCallbacks() {
    EnumSet<CallbackKind> all = EnumSet.allOf(CallbackKind.class);
    all.removeIf(CallbackKind::isEnablerCallback);
    return all;
  }

  public DeviceSettings withInterruptCount(int count) {
    return new DeviceSettings(
        platform, kmdfMinorVersion, count, registeredCallbacks, callbackDeadline, verifier, hardware, arbitration, faults);
  }

  public DeviceSettings withCallbackDeadline(Duration deadline) {
    return new DeviceSettings(
        platform, kmdfMinorVersion, interruptCount, registeredCallbacks, deadline, verifier, hardware, arbitration, faults);
  }

  public DeviceSettings withVerifier(VerifierSettings v) {
    return new DeviceSettings(
        platform, kmdfMinorVersion, interruptCount, registeredCallbacks, callbackDeadline, v, hardware, arbitration, faults);
  }

  public DeviceSettings withHardware(HardwareSettings h) {
    return new DeviceSettings(
        platform, kmdfMinorVersion, interruptCount, registeredCallbacks, callbackDeadline, verifier, h, arbitration, faults);
  }

  public DeviceSettings withArbitration(ArbitrationSettings a) {
    return new DeviceSettings(
        platform, kmdfMinorVersion, interruptCount, registeredCallbacks, callbackDeadline, verifier, hardware, a, faults);
  }

  public DeviceSettings withFaults(FaultPlan plan) {
    return new DeviceSettings(
        platform, kmdfMinorVersion, interruptCount, registeredCallbacks, callbackDeadline, verifier, hardware, arbitration,
        plan);
  }

  /** The message gate of this device's actor {@code actorKey}. */
  public MessageGate gate(String deviceId, String actorKey) {
    return faults.gate(deviceId, arbitration.group(), actorKey);
  }

  /**
   * The HAL as the device's adapters meet it (reference §4.1): in a shared adapter domain,
   * IoGetDmaAdapter grants at most the domain's map registers, so an adapter's fragments always fit
   * the domain's pool.
   */
  public PlatformSettings adapterPlatform() {
    AdapterDomain domain = arbitration.sharedDomain();
    if (domain == null) {
      return platform;
    }
    return new PlatformSettings(platform.pageSize(), domain.clamp(platform.mapRegisterLimit()), platform.architecture());
  }

  /** Enabler callbacks are always offered: whether they run is decided by each enabler's config. */
  public boolean registers(CallbackKind kind) {
    return kind.isEnablerCallback() || registeredCallbacks.contains(kind);
  }
}
