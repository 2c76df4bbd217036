package org.dmaemu.protocol.enabler;

import java.util.List;
import org.dmaemu.protocol.CborSerializable;

/**
 * What an enabler is, and what its power callbacks did: its configuration, the adapters and map
 * registers it got (§1.4, §4.1), and the failure flags of §2.4, which are never cleared.
 *
 * @param adapters empty for a system profile (its adapters come with ConfigureSystemProfile)
 */
public record EnablerInfo(
    EnablerHandle handle,
    DmaEnablerConfig config,
    DeviceDescriptionVersion version,
    int addressWidth,
    long storedMaximumLength,
    List<AdapterInfo> adapters,
    boolean fillFailed,
    boolean enableFailed,
    boolean selfManagedIoStartFailed)
    implements CborSerializable {

  public EnablerInfo {
    adapters = List.copyOf(adapters);
  }

  /** The adapter serving {@code direction} (the simplex adapter serves both). */
  public AdapterInfo adapterFor(DmaDirection direction) {
    for (AdapterInfo a : adapters) {
      if (a.direction() == null || a.direction() == direction) {
        return a;
      }
    }
    return null;
  }

  /** WdfDmaEnablerGetFragmentLength; 0 when the direction has no adapter yet (system profile). */
  public long fragmentLength(DmaDirection direction) {
    AdapterInfo a = adapterFor(direction);
    return a == null ? 0 : a.maximumFragmentLength();
  }

  public EnablerInfo withFailureFlags(boolean fill, boolean enable, boolean selfManagedIoStart) {
    return new EnablerInfo(
        handle, config, version, addressWidth, storedMaximumLength, adapters, fill, enable,
        selfManagedIoStart);
  }
}
