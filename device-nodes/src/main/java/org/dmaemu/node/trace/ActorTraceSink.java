package org.dmaemu.node.trace;

import akka.actor.typed.ActorRef;
import org.dmaemu.protocol.trace.TraceEvent;
import org.dmaemu.trace.TraceSink;

/** The node's trace sink: every event becomes a message to the {@link TraceWriter}, so no actor waits on the disk. */
public final class ActorTraceSink implements TraceSink {

  private final ActorRef<TraceWriter.Command> writer;

  public ActorTraceSink(ActorRef<TraceWriter.Command> writer) {
    this.writer = writer;
  }

  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public void record(TraceEvent event) {
    writer.tell(new TraceWriter.Record(event));
  }
}
