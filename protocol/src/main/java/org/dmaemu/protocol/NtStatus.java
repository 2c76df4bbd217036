package org.dmaemu.protocol;

import java.util.Locale;
import java.util.Optional;

/**
 * The NTSTATUS values that appear on the KMDF DMA paths (reference §7), with their numeric values.
 * Never pass a status as a bare int or string.
 */
public enum NtStatus {
  STATUS_SUCCESS(0x00000000),
  STATUS_UNSUCCESSFUL(0xC0000001),
  STATUS_INFO_LENGTH_MISMATCH(0xC0000004),
  STATUS_INVALID_PARAMETER(0xC000000D),
  /** Not a DMA-path status: the reference drivers complete a request whose device was surprise-removed with it. */
  STATUS_NO_SUCH_DEVICE(0xC000000E),
  STATUS_INVALID_DEVICE_REQUEST(0xC0000010),
  STATUS_MORE_PROCESSING_REQUIRED(0xC0000016),
  STATUS_BUFFER_TOO_SMALL(0xC0000023),
  STATUS_INSUFFICIENT_RESOURCES(0xC000009A),
  /**
   * Not a DMA-path status: the reference drivers' watchdog ends a request with it when a transfer's
   * interrupt (or a DDI's return) never came.
   */
  STATUS_IO_TIMEOUT(0xC00000B5),
  STATUS_NOT_SUPPORTED(0xC00000BB),
  STATUS_CANCELLED(0xC0000120),
  STATUS_INVALID_DEVICE_STATE(0xC0000184),
  STATUS_INVALID_BUFFER_SIZE(0xC0000206),
  STATUS_WDF_BUSY(0xC0200204),
  STATUS_WDF_OBJECT_ATTRIBUTES_INVALID(0xC0200209),
  STATUS_WDF_TOO_FRAGMENTED(0xC020020A),
  STATUS_WDF_PARENT_ASSIGNMENT_NOT_ALLOWED(0xC020020F),
  STATUS_WDF_TOO_MANY_TRANSFERS(0xC0200213),
  STATUS_WDF_NOT_ENOUGH_MAP_REGISTERS(0xC0200214);

  private final int value;

  NtStatus(int value) {
    this.value = value;
  }

  /** The 32-bit NTSTATUS value. */
  public int value() {
    return value;
  }

  /** {@code NT_SUCCESS(status)}: severity success or informational, i.e. the signed value is not negative. */
  public boolean isSuccess() {
    return value >= 0;
  }

  /** The value as the debugger prints it, e.g. {@code 0xC000009A}. */
  public String hex() {
    return String.format(Locale.ROOT, "0x%08X", value);
  }

  /** Parses a name ({@code STATUS_WDF_BUSY}) or a hex value ({@code 0xC0200204}). */
  public static Optional<NtStatus> parse(String text) {
    String t = text.trim();
    for (NtStatus s : values()) {
      if (s.name().equalsIgnoreCase(t) || s.hex().equalsIgnoreCase(t)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
