package org.dmaemu.protocol.device;

import java.util.List;
import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.protocol.arbitration.AdapterInspection;
import org.dmaemu.protocol.transaction.TransactionView;

/**
 * A device with its DMA transactions, for {@code dmaemu inspect}.
 *
 * @param transactions every transaction of every enabler that answered in time, by enabler and id
 * @param adapters the adapters its enablers use (KMDF's own per enabler, or a shared domain), by id
 * @param complete every transaction and adapter answered; false if one went away or did not answer in time
 */
public record DeviceInspection(
    DeviceSnapshot device, List<TransactionView> transactions, List<AdapterInspection> adapters, boolean complete)
    implements CborSerializable {

  public DeviceInspection {
    transactions = List.copyOf(transactions);
    adapters = List.copyOf(adapters);
  }
}
