package org.dmaemu.driver;

import akka.actor.typed.ActorRef;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.device.EnablerCreateResult;
import org.dmaemu.protocol.device.WdfDmaEnablerConfigureSystemProfile;
import org.dmaemu.protocol.enabler.DmaDirection;
import org.dmaemu.protocol.enabler.EnablerHandle;
import org.dmaemu.protocol.enabler.EnablerInfo;
import org.dmaemu.protocol.enabler.SystemProfileConfig;
import org.dmaemu.protocol.device.WdfDmaEnablerCreate;
import org.dmaemu.protocol.driver.CallbackReturn;
import org.dmaemu.protocol.driver.DriverCallback;
import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.transaction.TransactionCreateResult;
import org.dmaemu.protocol.transaction.TransactionHandle;
import org.dmaemu.protocol.transaction.WdfDmaTransactionCreate;

/**
 * What a DMA driver does in EvtDriverDeviceAdd (reference §9.1) — or, for a System enabler, in
 * EvtDevicePrepareHardware, where its DMA resources are known: create its enabler, configure a
 * System profile for each direction (§1.5), then create its transactions, then return from the
 * callback — by its rules, or with the first failing status, as a KMDF driver returns it. One per
 * driver actor; the driver hands it the create and configure results.
 */
final class DmaObjectsSetup {
  private final DriverContext driverContext;
  private final ActorRef<DriverMessage> self;
  private final RuleBook rules;
  private final List<TransactionHandle> transactions = new ArrayList<>();
  private DriverCallback pendingAdd;
  private int wanted;
  private int configuring;
  private boolean configureSystemProfile;
  private Consumer<List<TransactionHandle>> whenCreated;

  DmaObjectsSetup(DriverContext driverContext, ActorRef<DriverMessage> self, RuleBook rules) {
    this.driverContext = driverContext;
    this.self = self;
    this.rules = rules;
  }

  /** Starts: WdfDmaEnablerCreate, then {@code count} WdfDmaTransactionCreate; {@code whenCreated} runs before the callback returns. */
  void start(DriverCallback add, DmaEnablerConfig enabler, int count, Consumer<List<TransactionHandle>> whenCreated) {
    start(add, enabler, count, false, whenCreated);
  }

  /** As {@link #start}; with {@code configureSystemProfile}, a System enabler is configured per direction first. */
  void start(
      DriverCallback add,
      DmaEnablerConfig enabler,
      int count,
      boolean configureSystemProfile,
      Consumer<List<TransactionHandle>> whenCreated) {
    this.configureSystemProfile = configureSystemProfile;
    this.pendingAdd = add;
    this.wanted = count;
    this.whenCreated = whenCreated;
    transactions.clear();
    driverContext.device().tell(new WdfDmaEnablerCreate(enabler, null, self.narrow()));
  }

  /** True while EvtDriverDeviceAdd has not returned: create results belong to the setup. */
  boolean running() {
    return pendingAdd != null;
  }

  /** The answer to WdfDmaEnablerCreate, and to each WdfDmaEnablerConfigureSystemProfile. */
  void onEnablerCreated(EnablerCreateResult result) {
    if (!result.status().isSuccess()) {
      finish(result.status());
      return;
    }
    EnablerInfo enabler = result.enabler();
    if (configuring > 0) {
      if (--configuring == 0) {
        createTransactions(enabler.handle());
      }
      return;
    }
    if (configureSystemProfile && enabler.config().profile().isSystem()) {
      List<DmaDirection> directions =
          enabler.config().profile().isDuplex()
              ? List.of(DmaDirection.READ_FROM_DEVICE, DmaDirection.WRITE_TO_DEVICE)
              : List.of(DmaDirection.READ_FROM_DEVICE);
      configuring = directions.size();
      for (DmaDirection direction : directions) {
        // Channel and request line as a DMA resource descriptor would give them.
        driverContext.device().tell(new WdfDmaEnablerConfigureSystemProfile(
            enabler.handle(), direction, SystemProfileConfig.of(direction.ordinal(), direction.ordinal()), self.narrow()));
      }
      return;
    }
    createTransactions(enabler.handle());
  }

  private void createTransactions(EnablerHandle enabler) {
    for (int i = 0; i < wanted; i++) {
      driverContext.device().tell(new WdfDmaTransactionCreate(enabler, false, self.narrow()));
    }
  }

  void onTransactionCreated(TransactionCreateResult result) {
    if (!result.status().isSuccess()) {
      finish(result.status());
      return;
    }
    transactions.add(result.transaction());
    if (transactions.size() == wanted) {
      whenCreated.accept(List.copyOf(transactions));
      finish(null);
    }
  }

  private void finish(NtStatus failure) {
    DriverCallback add = pendingAdd;
    pendingAdd = null;
    configuring = 0;
    if (failure != null) {
      rules.reply(add, new CallbackReturn(failure));
    } else {
      rules.answer(add);
    }
  }
}
