package org.dmaemu.node.cluster;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.cluster.Member;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.SelfUp;
import akka.cluster.typed.Subscribe;
import akka.cluster.typed.Unsubscribe;
import java.util.concurrent.CompletableFuture;

/**
 * Completes a future with this node's own member once the cluster has moved it to Up, then stops.
 * The cluster tells it (a subscription to {@link SelfUp}); nothing polls.
 */
public final class SelfUpWatch extends AbstractBehavior<SelfUp> {

  private final CompletableFuture<Member> up;

  public static Behavior<SelfUp> create(CompletableFuture<Member> up) {
    return Behaviors.setup(context -> new SelfUpWatch(context, up));
  }

  private SelfUpWatch(ActorContext<SelfUp> context, CompletableFuture<Member> up) {
    super(context);
    this.up = up;
    Cluster.get(context.getSystem()).subscriptions().tell(Subscribe.create(context.getSelf(), SelfUp.class));
  }

  @Override
  public Receive<SelfUp> createReceive() {
    return newReceiveBuilder().onMessage(SelfUp.class, this::onSelfUp).build();
  }

  private Behavior<SelfUp> onSelfUp(SelfUp event) {
    Cluster cluster = Cluster.get(getContext().getSystem());
    cluster.subscriptions().tell(new Unsubscribe<>(getContext().getSelf()));
    up.complete(cluster.selfMember());
    return Behaviors.stopped();
  }
}
