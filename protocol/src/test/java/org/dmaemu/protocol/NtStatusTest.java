package org.dmaemu.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reference §7: the NTSTATUS values on the DMA paths. */
class NtStatusTest {

  @ParameterizedTest(name = "§7 {0} = {1}")
  @CsvSource({
    "STATUS_SUCCESS, 0x00000000",
    "STATUS_MORE_PROCESSING_REQUIRED, 0xC0000016",
    "STATUS_UNSUCCESSFUL, 0xC0000001",
    "STATUS_INVALID_PARAMETER, 0xC000000D",
    "STATUS_INVALID_DEVICE_REQUEST, 0xC0000010",
    "STATUS_INSUFFICIENT_RESOURCES, 0xC000009A",
    "STATUS_INFO_LENGTH_MISMATCH, 0xC0000004",
    "STATUS_NOT_SUPPORTED, 0xC00000BB",
    "STATUS_BUFFER_TOO_SMALL, 0xC0000023",
    "STATUS_CANCELLED, 0xC0000120",
    "STATUS_INVALID_DEVICE_STATE, 0xC0000184",
    "STATUS_INVALID_BUFFER_SIZE, 0xC0000206",
    "STATUS_WDF_BUSY, 0xC0200204",
    "STATUS_WDF_TOO_FRAGMENTED, 0xC020020A",
    "STATUS_WDF_TOO_MANY_TRANSFERS, 0xC0200213",
    "STATUS_WDF_NOT_ENOUGH_MAP_REGISTERS, 0xC0200214",
    "STATUS_WDF_OBJECT_ATTRIBUTES_INVALID, 0xC0200209",
    "STATUS_WDF_PARENT_ASSIGNMENT_NOT_ALLOWED, 0xC020020F",
    "STATUS_NO_SUCH_DEVICE, 0xC000000E",
    "STATUS_IO_TIMEOUT, 0xC00000B5"
  })
  void values(String name, String hex) {
    NtStatus status = NtStatus.valueOf(name);
    assertEquals(hex, status.hex());
    assertEquals(status, NtStatus.parse(hex).orElseThrow());
    assertEquals(status, NtStatus.parse(name.toLowerCase()).orElseThrow());
  }

  @Test
  @DisplayName("§7 the table has exactly the 18 values of the reference, and the drivers' STATUS_NO_SUCH_DEVICE and STATUS_IO_TIMEOUT")
  void count() {
    // STATUS_NO_SUCH_DEVICE and STATUS_IO_TIMEOUT are no framework statuses: the reference drivers
    // complete the requests of a surprise-removed device with the first (§6.4 leaves their
    // completion to the driver), and those their watchdog gave up on with the second.
    assertEquals(20, NtStatus.values().length);
  }

  @Test
  @DisplayName("NT_SUCCESS: success only for non-negative values")
  void ntSuccess() {
    assertTrue(NtStatus.STATUS_SUCCESS.isSuccess());
    assertFalse(NtStatus.STATUS_WDF_BUSY.isSuccess());
    assertFalse(NtStatus.STATUS_MORE_PROCESSING_REQUIRED.isSuccess());
    assertTrue(NtStatus.parse("STATUS_NO_SUCH_THING").isEmpty());
  }
}
