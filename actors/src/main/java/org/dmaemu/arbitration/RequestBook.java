package org.dmaemu.arbitration;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.dmaemu.protocol.arbitration.Requester;

/**
 * The requests an arbitration actor knows (waiting or granted), found by (requester, request id)
 * and by requester. Each requester is watched once, from its first request until it dies: requesters
 * are transactions, few per adapter and long-lived, and watching them across requests saves a
 * watch and an unwatch system message on every grant. Who is watched is the arbiter's
 * {@link Roster}, which outlives a crash of the arbiter; the requests do not.
 */
final class RequestBook<R extends RequestBook.Request> {

  /** One request; a requester's requests are linked together for its death. */
  abstract static class Request {
    final ActorRef<?> requester;
    final long requestId;
    Request previousOfRequester;
    Request nextOfRequester;

    Request(ActorRef<?> requester, long requestId) {
      this.requester = requester;
      this.requestId = requestId;
    }

    /** How logs and snapshots name it: the requester's path and the request id. */
    String describe() {
      return requester.path() + " request " + requestId;
    }
  }

  private record Key(ActorRef<?> requester, long requestId) {}

  private final ActorContext<?> context;
  private final HashMap<Key, R> byKey = new HashMap<>();
  private final HashMap<ActorRef<?>, R> firstByRequester = new HashMap<>();
  private final Roster watched;

  RequestBook(ActorContext<?> context, Roster watched) {
    this.context = context;
    this.watched = watched;
  }

  R get(ActorRef<?> requester, long requestId) {
    return byKey.get(new Key(requester, requestId));
  }

  /** Whether {@code request} itself is still in the book (not withdrawn, not ended, its requester alive). */
  boolean containsRequest(R request) {
    return byKey.get(new Key(request.requester, request.requestId)) == request;
  }

  boolean contains(ActorRef<?> requester, long requestId) {
    return byKey.containsKey(new Key(requester, requestId));
  }

  /** Adds a request whose (requester, id) is not known yet; watches the requester ({@code who}) if it is new. */
  void add(R request, Requester who) {
    byKey.put(new Key(request.requester, request.requestId), request);
    if (watched.enlist(request.requester, who)) {
      context.watch(request.requester);
    }
    R first = firstByRequester.put(request.requester, request);
    if (first != null) {
      request.nextOfRequester = first;
      first.previousOfRequester = request;
    }
  }

  /** Forgets a request; its requester stays watched. */
  @SuppressWarnings("unchecked")
  void remove(R request) {
    byKey.remove(new Key(request.requester, request.requestId));
    Request previous = request.previousOfRequester;
    Request next = request.nextOfRequester;
    if (previous != null) {
      previous.nextOfRequester = next;
    } else if (next != null) {
      firstByRequester.put(request.requester, (R) next);
    } else {
      firstByRequester.remove(request.requester);
    }
    if (next != null) {
      next.previousOfRequester = previous;
    }
    request.previousOfRequester = null;
    request.nextOfRequester = null;
  }

  /** Forgets every request of a requester that died, and returns them (newest first). */
  @SuppressWarnings("unchecked")
  List<R> removeAll(ActorRef<?> requester) {
    watched.remove(requester);
    R first = firstByRequester.remove(requester);
    if (first == null) {
      return List.of();
    }
    List<R> removed = new ArrayList<>();
    for (Request r = first; r != null; ) {
      Request next = r.nextOfRequester;
      byKey.remove(new Key(r.requester, r.requestId));
      r.previousOfRequester = null;
      r.nextOfRequester = null;
      removed.add((R) r);
      r = next;
    }
    return removed;
  }

  int size() {
    return byKey.size();
  }
}
