package org.dmaemu.enabler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.stream.Stream;
import org.dmaemu.device.Architecture;
import org.dmaemu.device.PlatformSettings;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.device.EnablerCreateResult;
import org.dmaemu.protocol.enabler.DeviceDescriptionVersion;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaEnablerConfigFlags;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.protocol.enabler.EnablerHandle;
import org.dmaemu.protocol.enabler.EnablerInfo;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** WdfDmaEnablerCreate: the checks of reference §1.1, §1.3, §1.4 and the map registers of §4.1. */
class EnablerCreationTest {
  static final EnablerHandle HANDLE = new EnablerHandle("dev-create", 0);
  static final PlatformSettings X64 = PlatformSettings.defaults();

  static EnablerCreateResult create(DmaEnablerConfig config, String parent, int kmdfMinor) {
    return EnablerCreation.create(HANDLE, config, parent, X64, kmdfMinor);
  }

  static Stream<Arguments> statuses() {
    int single = DmaEnablerConfigFlags.REQUIRE_SINGLE_TRANSFER;
    return Stream.of(
        Arguments.of("§1.1 valid packet", DmaEnablerConfig.init(DmaProfile.PACKET, 4096), null, 33, NtStatus.STATUS_SUCCESS),
        Arguments.of("§1.1 profile Invalid", DmaEnablerConfig.init(DmaProfile.INVALID, 4096), null, 33, NtStatus.STATUS_INVALID_PARAMETER),
        Arguments.of("§1.1 MaximumLength 0", DmaEnablerConfig.init(DmaProfile.SCATTER_GATHER, 0), null, 33, NtStatus.STATUS_INVALID_PARAMETER),
        Arguments.of("§1.1 AddressWidthOverride on System", DmaEnablerConfig.init(DmaProfile.SYSTEM, 4096).withAddressWidthOverride(32), null, 33, NtStatus.STATUS_INVALID_PARAMETER),
        Arguments.of("§1.1 AddressWidthOverride 40 on 32-bit Packet", DmaEnablerConfig.init(DmaProfile.PACKET, 4096).withAddressWidthOverride(40), null, 33, NtStatus.STATUS_INVALID_PARAMETER),
        Arguments.of("§1.1 AddressWidthOverride 40 on Packet64", DmaEnablerConfig.init(DmaProfile.PACKET64, 4096).withAddressWidthOverride(40), null, 33, NtStatus.STATUS_SUCCESS),
        Arguments.of("§1.1 AddressWidthOverride 32 on 32-bit SG", DmaEnablerConfig.init(DmaProfile.SCATTER_GATHER, 4096).withAddressWidthOverride(32), null, 33, NtStatus.STATUS_SUCCESS),
        Arguments.of("§1.1 WdmDmaVersionOverride 2 below System's 3", DmaEnablerConfig.init(DmaProfile.SYSTEM, 4096).withWdmDmaVersionOverride(2), null, 33, NtStatus.STATUS_INVALID_PARAMETER),
        Arguments.of("§1.1 WdmDmaVersionOverride 2 below AddressWidthOverride's 3", DmaEnablerConfig.init(DmaProfile.PACKET64, 4096).withAddressWidthOverride(48).withWdmDmaVersionOverride(2), null, 33, NtStatus.STATUS_INVALID_PARAMETER),
        Arguments.of("§1.1 WdmDmaVersionOverride 3 on x64", DmaEnablerConfig.init(DmaProfile.PACKET, 4096).withWdmDmaVersionOverride(3), null, 33, NtStatus.STATUS_SUCCESS),
        Arguments.of("§1.4 step 7 WdmDmaVersionOverride 4: IoGetDmaAdapter returns NULL", DmaEnablerConfig.init(DmaProfile.PACKET, 4096).withWdmDmaVersionOverride(4), null, 33, NtStatus.STATUS_UNSUCCESSFUL),
        Arguments.of("§1.3 REQUIRE_SINGLE_TRANSFER without DMA v3", DmaEnablerConfig.init(DmaProfile.PACKET, 4096).withFlags(single), null, 33, NtStatus.STATUS_INVALID_PARAMETER),
        Arguments.of("§1.3 REQUIRE_SINGLE_TRANSFER with v3, KMDF 1.19", DmaEnablerConfig.init(DmaProfile.PACKET, 4096).withWdmDmaVersionOverride(3).withFlags(single), null, 19, NtStatus.STATUS_SUCCESS),
        Arguments.of("§1.3 REQUIRE_SINGLE_TRANSFER with v3, KMDF 1.17", DmaEnablerConfig.init(DmaProfile.PACKET, 4096).withWdmDmaVersionOverride(3).withFlags(single), null, 17, NtStatus.STATUS_INVALID_PARAMETER),
        Arguments.of("§1.3 unknown flag bits are not checked", DmaEnablerConfig.init(DmaProfile.PACKET, 4096).withFlags(0x100), null, 33, NtStatus.STATUS_SUCCESS),
        Arguments.of("§1.4 step 3 parent of another device, KMDF 1.11", DmaEnablerConfig.init(DmaProfile.PACKET, 4096), "dev-other", 11, NtStatus.STATUS_WDF_OBJECT_ATTRIBUTES_INVALID),
        Arguments.of("§1.4 step 3 parent of another device, KMDF 1.9 (ignored)", DmaEnablerConfig.init(DmaProfile.PACKET, 4096), "dev-other", 9, NtStatus.STATUS_SUCCESS),
        Arguments.of("§1.4 step 3 parent is the device itself", DmaEnablerConfig.init(DmaProfile.PACKET, 4096), "dev-create", 33, NtStatus.STATUS_SUCCESS));
  }

  @ParameterizedTest(name = "{0} → {4}")
  @MethodSource("statuses")
  void createStatus(String rule, DmaEnablerConfig config, String parent, int kmdfMinor, NtStatus expected) {
    EnablerCreateResult result = create(config, parent, kmdfMinor);
    assertEquals(expected, result.status());
    if (!expected.isSuccess()) {
      assertNull(result.enabler(), "no handle is returned on failure (§1.4 step 9)");
    }
  }

  @ParameterizedTest(name = "§4.1 MaximumLength {0}, platform limit {1} → N = {2}, fragment {3}")
  @CsvSource({
    "1,        256, 2,   1",
    "4096,     256, 2,   4096",
    "4097,     256, 3,   4097",
    "65536,    256, 17,  65536",
    "1048576,  256, 256, 1044480",
    "1048576,  16,  16,  61440",
    "1048576,  2,   2,   4096",
    "8192,     2,   2,   4096",
    "4194304,  1024, 1024, 4190208",
    "4194304,  2048, 1025, 4194304"
  })
  void mapRegisterTable(long maximumLength, int limit, int expectedN, long expectedFragment) {
    PlatformSettings platform = new PlatformSettings(4096, limit, Architecture.X64);
    EnablerInfo info =
        EnablerCreation.create(HANDLE, DmaEnablerConfig.init(DmaProfile.SCATTER_GATHER, maximumLength), null, platform, 33)
            .enabler();
    assertEquals(1, info.adapters().size());
    assertEquals(expectedN, info.adapters().get(0).mapRegisters());
    assertEquals(expectedFragment, info.fragmentLength(DmaDirection.READ_FROM_DEVICE));
    assertEquals(expectedFragment, info.fragmentLength(DmaDirection.WRITE_TO_DEVICE));
  }

  @Test
  @DisplayName("§4.1 with 64 KiB pages the same rule holds: N = ceil(len / PAGE_SIZE) + 1")
  void largePages() {
    PlatformSettings platform = new PlatformSettings(65536, 256, Architecture.ARM64);
    EnablerInfo info =
        EnablerCreation.create(HANDLE, DmaEnablerConfig.init(DmaProfile.PACKET64, 1 << 20), null, platform, 33).enabler();
    assertEquals(17, info.adapters().get(0).mapRegisters());
    assertEquals(1 << 20, info.fragmentLength(DmaDirection.READ_FROM_DEVICE));
    assertEquals(DeviceDescriptionVersion.VERSION3, info.version(), "§1.1: ARM64 defaults to DMA v3");
    assertEquals(64, info.addressWidth());
  }

  @Test
  @DisplayName("§4.2 duplex profiles get two adapters, one per direction, each with its own map registers")
  void duplexHasTwoAdapters() {
    EnablerInfo info = create(DmaEnablerConfig.init(DmaProfile.SCATTER_GATHER64_DUPLEX, 65536), null, 33).enabler();
    assertEquals(2, info.adapters().size());
    assertEquals(DmaDirection.READ_FROM_DEVICE, info.adapters().get(0).direction());
    assertEquals(DmaDirection.WRITE_TO_DEVICE, info.adapters().get(1).direction());
    assertEquals(17, info.adapterFor(DmaDirection.WRITE_TO_DEVICE).mapRegisters());
  }

  @Test
  @DisplayName("§1.4 step 7 system profiles have no adapter until ConfigureSystemProfile; they use DMA v3")
  void systemHasNoAdapterYet() {
    EnablerInfo info = create(DmaEnablerConfig.init(DmaProfile.SYSTEM_DUPLEX, 65536), null, 33).enabler();
    assertEquals(0, info.adapters().size());
    assertEquals(0, info.fragmentLength(DmaDirection.READ_FROM_DEVICE));
    assertEquals(DeviceDescriptionVersion.VERSION3, info.version());
  }

  @Test
  @DisplayName("§1.1 DMA version: x64 default v2; AddressWidthOverride forces v3 and sets the width; v3 without a width uses the profile's")
  void versions() {
    EnablerInfo v2 = create(DmaEnablerConfig.init(DmaProfile.PACKET, 4096), null, 33).enabler();
    assertEquals(DeviceDescriptionVersion.VERSION2, v2.version());
    EnablerInfo awo = create(DmaEnablerConfig.init(DmaProfile.PACKET64, 4096).withAddressWidthOverride(48), null, 33).enabler();
    assertEquals(DeviceDescriptionVersion.VERSION3, awo.version());
    assertEquals(48, awo.addressWidth());
    EnablerInfo v3 = create(DmaEnablerConfig.init(DmaProfile.SCATTER_GATHER, 4096).withWdmDmaVersionOverride(3), null, 33).enabler();
    assertEquals(32, v3.addressWidth());
  }

  @Test
  @DisplayName("§1.1 MaximumLength is kept as a ULONG: 4 GiB + 8 KiB is stored as 8 KiB")
  void maximumLengthTruncated() {
    EnablerInfo info = create(DmaEnablerConfig.init(DmaProfile.SCATTER_GATHER64, (1L << 32) + 8192), null, 33).enabler();
    assertEquals(8192, info.storedMaximumLength());
    assertEquals(3, info.adapters().get(0).mapRegisters());
  }
}
