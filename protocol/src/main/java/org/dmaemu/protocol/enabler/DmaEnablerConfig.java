package org.dmaemu.protocol.enabler;

import java.util.EnumSet;
import java.util.Set;
import org.dmaemu.protocol.CborSerializable;

/**
 * WDF_DMA_ENABLER_CONFIG (reference §1.1): every field that changes behaviour. Callback pointers
 * become the set of registered callbacks; {@code Size} is not modeled (the emulator's drivers
 * always pass the current layout).
 *
 * @param profile WDF_DMA_PROFILE
 * @param maximumLength MaximumLength in bytes (size_t; KMDF keeps only the low 32 bits)
 * @param callbacks which of the six power callbacks the driver registered
 * @param addressWidthOverride 0 = the profile's width
 * @param wdmDmaVersionOverride 0 = default; otherwise the DEVICE_DESCRIPTION version requested
 * @param flags OR of {@link DmaEnablerConfigFlags}
 */
public record DmaEnablerConfig(
    DmaProfile profile,
    long maximumLength,
    Set<EnablerCallback> callbacks,
    int addressWidthOverride,
    int wdmDmaVersionOverride,
    int flags)
    implements CborSerializable {

  public DmaEnablerConfig {
    if (profile == null) {
      throw new IllegalArgumentException("profile must not be null (use INVALID)");
    }
    callbacks = callbacks == null || callbacks.isEmpty() ? Set.of() : Set.copyOf(callbacks);
  }

  /** WDF_DMA_ENABLER_CONFIG_INIT: profile and MaximumLength set, everything else zero. */
  public static DmaEnablerConfig init(DmaProfile profile, long maximumLength) {
    return new DmaEnablerConfig(profile, maximumLength, Set.of(), 0, 0, 0);
  }

  public DmaEnablerConfig withCallbacks(Set<EnablerCallback> registered) {
    return new DmaEnablerConfig(
        profile, maximumLength, registered, addressWidthOverride, wdmDmaVersionOverride, flags);
  }

  public DmaEnablerConfig withAllCallbacks() {
    return withCallbacks(EnumSet.allOf(EnablerCallback.class));
  }

  public DmaEnablerConfig withAddressWidthOverride(int width) {
    return new DmaEnablerConfig(profile, maximumLength, callbacks, width, wdmDmaVersionOverride, flags);
  }

  public DmaEnablerConfig withWdmDmaVersionOverride(int version) {
    return new DmaEnablerConfig(profile, maximumLength, callbacks, addressWidthOverride, version, flags);
  }

  public DmaEnablerConfig withFlags(int newFlags) {
    return new DmaEnablerConfig(
        profile, maximumLength, callbacks, addressWidthOverride, wdmDmaVersionOverride, newFlags);
  }

  public boolean registers(EnablerCallback callback) {
    return callbacks.contains(callback);
  }
}
