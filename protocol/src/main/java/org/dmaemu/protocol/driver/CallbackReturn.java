package org.dmaemu.protocol.driver;

import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.protocol.enabler.EnablerMessage;
import org.dmaemu.protocol.hardware.DmaEngineMessage;
import org.dmaemu.protocol.transaction.TransactionMessage;

/**
 * A driver's return from a callback, sent to the framework object that invoked it (a device, a DMA
 * enabler, a DMA transaction, or the interrupt of the device's DMA engine): the callback's return value. A framework object has at most one
 * callback outstanding at a time.
 *
 * @param status the NTSTATUS, for callbacks that return one ({@link CallbackKind#returnsStatus()});
 *     ignored for the others
 * @param result the BOOLEAN, for EvtDmaTransactionConfigureDmaChannel (EvtProgramDma's BOOLEAN is
 *     ignored by KMDF, reference §3.3)
 * @param invocation which callback of the invoking object this returns from: the object numbers
 *     the callbacks it sends to its driver 1, 2, … and ignores a return that names another one (a
 *     late or repeated return). 0: the driver does not say; the return is taken for whichever
 *     callback is outstanding.
 */
public record CallbackReturn(NtStatus status, boolean result, long invocation)
    implements DeviceMessage, EnablerMessage, TransactionMessage, DmaEngineMessage {

  public static final CallbackReturn SUCCESS = new CallbackReturn(NtStatus.STATUS_SUCCESS, true, 0);

  public CallbackReturn(NtStatus status, boolean result) {
    this(status, result, 0);
  }

  public CallbackReturn(NtStatus status) {
    this(status, status.isSuccess(), 0);
  }

  public static CallbackReturn ofBoolean(boolean result) {
    return new CallbackReturn(NtStatus.STATUS_SUCCESS, result, 0);
  }

  /** This return, naming the invocation it returns from. */
  public CallbackReturn answering(long invocationNumber) {
    return new CallbackReturn(status, result, invocationNumber);
  }
}
