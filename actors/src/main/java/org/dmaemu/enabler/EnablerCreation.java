package org.dmaemu.enabler;

import java.util.List;
import org.dmaemu.device.PlatformSettings;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.device.EnablerCreateResult;
import org.dmaemu.protocol.enabler.AdapterInfo;
import org.dmaemu.protocol.enabler.DeviceDescriptionVersion;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaEnablerConfigFlags;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.protocol.enabler.EnablerHandle;
import org.dmaemu.protocol.enabler.EnablerInfo;
import org.dmaemu.protocol.enabler.SystemProfileConfig;

/**
 * WdfDmaEnablerCreate's checks and results, in the order of reference §1.4 (source
 * dma/fxdmaenablerapi.cpp and dma/fxdmaenabler.cpp). Pure: the device actor calls it and keeps the
 * returned {@link EnablerInfo}. The emulated OS is Windows 8 or later.
 */
public final class EnablerCreation {

  /** The highest DEVICE_DESCRIPTION version the emulated HAL knows. */
  static final int HIGHEST_HAL_VERSION = 3;

  private EnablerCreation() {}

  public static EnablerCreateResult create(
      EnablerHandle handle,
      DmaEnablerConfig config,
      String parentDeviceId,
      PlatformSettings platform,
      int kmdfMinorVersion) {
    // §1.4 step 3: from KMDF 1.11 an explicit parent must descend from the same device; before, it is ignored.
    if (parentDeviceId != null && !parentDeviceId.equals(handle.deviceId()) && kmdfMinorVersion >= 11) {
      return failure(NtStatus.STATUS_WDF_OBJECT_ATTRIBUTES_INVALID);
    }
    DmaProfile profile = config.profile();
    // §1.1 Profile and MaximumLength rows.
    if (!profile.isValid()) {
      return failure(NtStatus.STATUS_INVALID_PARAMETER);
    }
    if (config.maximumLength() == 0 || config.maximumLength() < 0) {
      return failure(NtStatus.STATUS_INVALID_PARAMETER);
    }
    // §1.1: KMDF keeps MaximumLength as a ULONG.
    long storedMaximumLength = config.maximumLength() & 0xFFFF_FFFFL;

    DeviceDescriptionVersion version =
        profile.isSystem() ? DeviceDescriptionVersion.VERSION3 : platform.architecture().defaultVersion();
    int addressWidth = 0;
    // §1.1 AddressWidthOverride row (Windows 8+: non-zero forces DMA v3).
    if (config.addressWidthOverride() != 0) {
      if (profile.isSystem()) {
        return failure(NtStatus.STATUS_INVALID_PARAMETER);
      }
      if (profile.is32BitOnly() && Integer.compareUnsigned(config.addressWidthOverride(), 32) > 0) {
        return failure(NtStatus.STATUS_INVALID_PARAMETER);
      }
      version = DeviceDescriptionVersion.VERSION3;
      addressWidth = config.addressWidthOverride();
    }
    // §1.1 WdmDmaVersionOverride row: lower than what the settings require is invalid.
    int requested = config.wdmDmaVersionOverride();
    if (requested != 0) {
      if (Integer.compareUnsigned(requested, version.number()) < 0) {
        return failure(NtStatus.STATUS_INVALID_PARAMETER);
      }
      if (Integer.compareUnsigned(requested, HIGHEST_HAL_VERSION) > 0) {
        // An unknown description version makes IoGetDmaAdapter return NULL (§1.4 step 7).
        return failure(NtStatus.STATUS_UNSUCCESSFUL);
      }
      version = DeviceDescriptionVersion.VERSION3;
    }
    if (version.usesDmaV3() && addressWidth == 0) {
      addressWidth = profile.is64Bit() ? 64 : profile.is32BitOnly() ? 32 : 24;
    } else if (addressWidth == 0) {
      addressWidth = profile.is64Bit() ? 64 : 32;
    }
    // §1.3 REQUIRE_SINGLE_TRANSFER: KMDF ≥ 1.19 and DMA v3 only.
    if ((config.flags() & DmaEnablerConfigFlags.REQUIRE_SINGLE_TRANSFER) != 0
        && (kmdfMinorVersion < 19 || !version.usesDmaV3())) {
      return failure(NtStatus.STATUS_INVALID_PARAMETER);
    }

    List<AdapterInfo> adapters;
    if (profile.isBusMaster()) {
      int mapRegisters = mapRegisters(storedMaximumLength, platform);
      if (mapRegisters < 2) {
        // KMDF asserts NumberOfMapRegisters > 1 (§1.4 step 7); a zero stored length cannot get there.
        return failure(NtStatus.STATUS_UNSUCCESSFUL);
      }
      long fragment = fragmentLength(storedMaximumLength, mapRegisters, platform.pageSize());
      adapters = profile.isDuplex()
          ? List.of(
              new AdapterInfo(DmaDirection.READ_FROM_DEVICE, mapRegisters, fragment),
              new AdapterInfo(DmaDirection.WRITE_TO_DEVICE, mapRegisters, fragment))
          : List.of(new AdapterInfo(null, mapRegisters, fragment));
    } else {
      // System profiles are "partially initialized" until ConfigureSystemProfile (§1.4 step 7).
      adapters = List.of();
    }
    EnablerInfo info =
        new EnablerInfo(handle, config, version, addressWidth, storedMaximumLength, adapters, false, false, false);
    return new EnablerCreateResult(NtStatus.STATUS_SUCCESS, info);
  }

  /**
   * WdfDmaEnablerConfigureSystemProfile (reference §1.5): the adapter for {@code direction} of a
   * System or SystemDuplex enabler (for simplex System, its one adapter for both directions), with
   * map registers granted as for any adapter (§4.1).
   */
  public static EnablerCreateResult configureSystemProfile(
      EnablerInfo enabler, DmaDirection direction, SystemProfileConfig config, PlatformSettings platform) {
    if (!enabler.config().profile().isSystem()) {
      // Not in the reference's error list: the emulator refuses it rather than give a bus master a second adapter.
      return failure(NtStatus.STATUS_INVALID_DEVICE_REQUEST);
    }
    if (config == null || !config.dmaDescriptorGiven() || direction == null) {
      return failure(NtStatus.STATUS_INVALID_PARAMETER);
    }
    boolean duplex = enabler.config().profile().isDuplex();
    for (AdapterInfo existing : enabler.adapters()) {
      if (!duplex || existing.direction() == direction) {
        // That direction is configured already.
        return failure(NtStatus.STATUS_INVALID_PARAMETER);
      }
    }
    int mapRegisters = mapRegisters(enabler.storedMaximumLength(), platform);
    if (mapRegisters < 2) {
      return failure(NtStatus.STATUS_UNSUCCESSFUL);
    }
    long fragment = fragmentLength(enabler.storedMaximumLength(), mapRegisters, platform.pageSize());
    List<AdapterInfo> adapters = new java.util.ArrayList<>(enabler.adapters());
    adapters.add(new AdapterInfo(duplex ? direction : null, mapRegisters, fragment));
    EnablerInfo configured =
        new EnablerInfo(
            enabler.handle(), enabler.config(), enabler.version(), enabler.addressWidth(),
            enabler.storedMaximumLength(), adapters, enabler.fillFailed(), enabler.enableFailed(),
            enabler.selfManagedIoStartFailed());
    return new EnablerCreateResult(NtStatus.STATUS_SUCCESS, configured);
  }

  /**
   * §4.1: the HAL grants one more register than MaximumLength needs, capped by the platform:
   * N = min(ceil(MaximumLength / PAGE_SIZE) + 1, limit).
   */
  public static int mapRegisters(long maximumLength, PlatformSettings platform) {
    long pages = (maximumLength + platform.pageSize() - 1) / platform.pageSize();
    return (int) Math.min(pages + 1, platform.mapRegisterLimit());
  }

  /** §1.4 step 7: MaximumFragmentLength = min(MaximumLength, (N − 1) × PAGE_SIZE). */
  public static long fragmentLength(long maximumLength, int mapRegisters, int pageSize) {
    return Math.min(maximumLength, (long) (mapRegisters - 1) * pageSize);
  }

  private static EnablerCreateResult failure(NtStatus status) {
    return new EnablerCreateResult(status, null);
  }
}
