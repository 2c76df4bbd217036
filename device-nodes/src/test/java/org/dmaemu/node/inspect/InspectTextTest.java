package org.dmaemu.node.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.dmaemu.protocol.arbitration.AdapterInspection;
import org.dmaemu.protocol.arbitration.AdapterLockSnapshot;
import org.dmaemu.protocol.arbitration.MapRegisterSnapshot;
import org.dmaemu.protocol.device.DeviceInspection;
import org.dmaemu.protocol.device.DevicePowerState;
import org.dmaemu.protocol.device.DeviceSnapshot;
import org.dmaemu.protocol.device.DeviceState;
import org.dmaemu.protocol.device.SelfManagedIoState;
import org.dmaemu.protocol.enabler.AdapterInfo;
import org.dmaemu.protocol.enabler.DeviceDescriptionVersion;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.protocol.enabler.EnablerHandle;
import org.dmaemu.protocol.enabler.EnablerInfo;
import org.dmaemu.protocol.transaction.TransactionState;
import org.dmaemu.protocol.transaction.TransactionView;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class InspectTextTest {

  @Test
  @DisplayName("dmaemu inspect: adapters with registers and lock holder, devices with each transaction's state")
  void rendersAdaptersAndTransactions() {
    EnablerInfo enabler = new EnablerInfo(new EnablerHandle("disk-0001", 0),
        DmaEnablerConfig.init(DmaProfile.PACKET64, 65536), DeviceDescriptionVersion.VERSION3, 64, 65536,
        List.of(new AdapterInfo(null, 17, 65536)), false, false, false);
    DeviceSnapshot device = new DeviceSnapshot("disk-0001", DeviceState.STARTED, DevicePowerState.D0,
        SelfManagedIoState.STARTED, List.of(enabler), false, 9, List.of());
    List<TransactionView> txs = List.of(
        new TransactionView(0, 1, TransactionState.TRANSFER, DmaDirection.READ_FROM_DEVICE, 65536, 16384, "", false, 16, 0),
        new TransactionView(0, 2, TransactionState.TRANSFER, DmaDirection.WRITE_TO_DEVICE, 4096, 0, "map registers", false, 0, 0),
        new TransactionView(0, 3, TransactionState.RELEASED, DmaDirection.READ_FROM_DEVICE, 0, 0, "", false, 0, 0));
    Inspection in = new Inspection("power-during-io", List.of("a", "b", "c"),
        List.of(new Inspection.AdapterEntry("node-b",
            new MapRegisterSnapshot("iommu", 64, 12, 52, 8, 3, 1234, 0, 0),
            new AdapterLockSnapshot("iommu", "disk-0001/enabler-0/tx-1", 5, 3001, 0))),
        List.of(new Inspection.DeviceEntry("node-a", new DeviceInspection(device, txs, List.of(
            new AdapterInspection(new MapRegisterSnapshot("iommu", 64, 12, 52, 8, 3, 1234, 0, 0),
                new AdapterLockSnapshot("iommu", "x", 5, 3001, 0)),
            new AdapterInspection(new MapRegisterSnapshot("disk-0001/enabler-0", 17, 1, 16, 0, 2, 40, 0, 0),
                new AdapterLockSnapshot("disk-0001/enabler-0", "", 0, 41, 0))), true))), 2);

    String text = InspectText.render(in);
    assertTrue(text.startsWith("run power-during-io · 3 nodes · 1 shared adapter · 1 device (2 more did not answer)"), text);
    assertTrue(text.contains("ADAPTER iommu  on node-b"), text);
    assertTrue(text.contains("map registers  64 total, 12 free, 52 held (8 reserved), 3 waiting; 1,234 grants"), text);
    assertTrue(text.contains("adapter lock   held by disk-0001/enabler-0/tx-1, 5 waiting; 3,001 grants"), text);
    assertTrue(text.contains("DEVICE disk-0001  on node-a"), text);
    assertTrue(text.contains("enabler 0  WdfDmaProfilePacket64, MaximumLength 65536, DMA v3, adapter 17 registers"), text);
    assertTrue(text.contains("tx-1   TRANSFER          read 65,536 B (16,384 moved), holds 16 map registers"), text);
    assertTrue(text.contains("tx-2   TRANSFER          write 4,096 B (0 moved), waiting for map registers"), text);
    assertTrue(text.contains("tx-3   RELEASED"), text);
    // The device's own adapter is listed under it; the shared one only once, above.
    assertTrue(text.contains("  adapter disk-0001/enabler-0\n    map registers  17 total, 1 free, 16 held (0 reserved), 2 waiting; 40 grants\n"
        + "    adapter lock   free, 0 waiting; 41 grants\n"), text);
    assertEquals(text.indexOf("64 total"), text.lastIndexOf("64 total"), text);
  }

  @Test
  @DisplayName("a lock holder on another node is named by its device path, without node and shard")
  void holderPath() {
    assertEquals("small-0021/device/enabler-0-1/tx-2 request 91", InspectText.holder(
        "akka://dmaemu@127.0.0.1:26522/system/sharding/device/693/small-0021/device/enabler-0-1/tx-2 request 91"));
    assertEquals("akka://dmaemu/user/pnp/dev-1/enabler-0/tx-1", InspectText.holder("akka://dmaemu/user/pnp/dev-1/enabler-0/tx-1"));
  }
}
