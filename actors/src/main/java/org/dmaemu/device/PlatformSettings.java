package org.dmaemu.device;

/**
 * The emulated HAL's parameters. The map-register limit is a model parameter: Windows does not
 * document the HAL's formula (reference §10 item 1). The emulated OS is Windows 8 or later.
 *
 * @param pageSize PAGE_SIZE in bytes
 * @param mapRegisterLimit the most map registers IoGetDmaAdapter grants one adapter (at least 2)
 */
public record PlatformSettings(int pageSize, int mapRegisterLimit, Architecture architecture) {

  public PlatformSettings {
    if (pageSize <= 0 || Integer.bitCount(pageSize) != 1) {
      throw new IllegalArgumentException("page size must be a positive power of two, got " + pageSize);
    }
    if (mapRegisterLimit < 2) {
      throw new IllegalArgumentException(
          "platform map-register limit must be at least 2 (KMDF asserts N > 1), got " + mapRegisterLimit);
    }
  }

  public static PlatformSettings defaults() {
    return new PlatformSettings(4096, 256, Architecture.X64);
  }
}
