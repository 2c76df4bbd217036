package org.dmaemu.driver;

import akka.actor.typed.ActorRef;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.device.EnablerCreateResult;
import org.dmaemu.protocol.device.WdfDmaEnablerCreate;
import org.dmaemu.protocol.driver.CallbackReturn;
import org.dmaemu.protocol.driver.DriverCallback;
import org.dmaemu.protocol.driver.DriverMessage;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.transaction.TransactionCreateResult;
import org.dmaemu.protocol.transaction.TransactionHandle;
import org.dmaemu.protocol.transaction.WdfDmaTransactionCreate;

/**
 * What a DMA driver does in EvtDriverDeviceAdd (reference §9.1): create its enabler, then its
 * transactions, then return from the callback — by its rules, or with the first failing status, as
 * a KMDF driver returns it. One per driver actor; the driver hands it the two create results.
 */
final class DmaObjectsSetup {
  private final DriverContext driverContext;
  private final ActorRef<DriverMessage> self;
  private final RuleBook rules;
  private final List<TransactionHandle> transactions = new ArrayList<>();
  private DriverCallback pendingAdd;
  private int wanted;
  private Consumer<List<TransactionHandle>> whenCreated;

  DmaObjectsSetup(DriverContext driverContext, ActorRef<DriverMessage> self, RuleBook rules) {
    this.driverContext = driverContext;
    this.self = self;
    this.rules = rules;
  }

  /** Starts: WdfDmaEnablerCreate, then {@code count} WdfDmaTransactionCreate; {@code whenCreated} runs before the callback returns. */
  void start(
      DriverCallback.EvtDriverDeviceAdd add, DmaEnablerConfig enabler, int count, Consumer<List<TransactionHandle>> whenCreated) {
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

  void onEnablerCreated(EnablerCreateResult result) {
    if (!result.status().isSuccess()) {
      finish(result.status());
      return;
    }
    for (int i = 0; i < wanted; i++) {
      driverContext.device().tell(new WdfDmaTransactionCreate(result.enabler().handle(), false, self.narrow()));
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
    if (failure != null) {
      add.replyTo().tell(new CallbackReturn(failure));
    } else {
      rules.answer(add);
    }
  }
}
