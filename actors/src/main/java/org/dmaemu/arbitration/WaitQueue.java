package org.dmaemu.arbitration;

import java.util.function.Predicate;

/**
 * The waiting requests of one arbitration actor, ordered by its {@link ArbitrationPolicy}. Not
 * thread-safe: the owning actor is its only user.
 *
 * <p>The actor keeps one invariant the policy may rely on: after the actor has served waiters
 * ({@link #takeNext} until it returns {@code null}), no waiter the policy would serve is left
 * queued — so a newcomer only needs {@link #mayOvertake} to know whether it can go first. A
 * newcomer served without queueing (the queue was empty, or it may overtake) is reported with
 * {@link #grantedAtOnce}, so that policies which account service count it.
 */
public interface WaitQueue<W extends ArbitrationPolicy.Waiter> {

  /** Queues {@code waiter}; the entry withdraws it later in O(1) (or O(log n) for ordered policies). */
  Entry<W> add(W waiter);

  /**
   * Withdraws a waiter that is still queued (cancelled, or its requester died).
   *
   * @return false if the entry was already taken or removed, or belongs to another queue
   */
  boolean remove(Entry<W> entry);

  /**
   * Removes and returns the waiter to serve now, or {@code null} if the policy serves nobody now.
   * {@code servable} tells whether what is free now meets a waiter's demand; the policy chooses
   * among the waiters, and a policy with head-of-line blocking returns {@code null} when its head is
   * not servable even if a later waiter is.
   */
  W takeNext(Predicate<? super W> servable);

  /**
   * Whether {@code newcomer}, which could be served now, may be served ahead of the waiters already
   * queued (none of which can be served now). Asked only while the queue is not empty; changes
   * nothing.
   */
  boolean mayOvertake(W newcomer);

  /** {@code waiter} was served without queueing: the queue was empty, or {@link #mayOvertake} said yes. */
  default void grantedAtOnce(W waiter) {}

  int size();

  default boolean isEmpty() {
    return size() == 0;
  }

  /** A queued waiter's place in its queue. */
  interface Entry<W> {
    W waiter();
  }
}
