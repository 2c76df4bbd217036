package org.dmaemu.protocol.transaction;

import akka.actor.typed.ActorRef;
import org.dmaemu.protocol.CborSerializable;
import org.dmaemu.protocol.enabler.EnablerHandle;

/**
 * A WDFDMATRANSACTION handle: its enabler (the parent, reference §3.3), an id unique within that
 * enabler, and where its DDI calls go.
 */
public record TransactionHandle(EnablerHandle enabler, long id, ActorRef<TransactionMessage> ref)
    implements CborSerializable {

  public String deviceId() {
    return enabler.deviceId();
  }

  @Override
  public String toString() {
    return enabler + "/tx-" + id;
  }
}
