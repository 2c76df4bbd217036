package org.dmaemu.arbitration;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.dmaemu.metrics.DmaObserver;
import org.dmaemu.protocol.arbitration.AdapterLockMessage;
import org.dmaemu.protocol.arbitration.MapRegisterMessage;
import org.dmaemu.trace.TraceSink;

/**
 * One adapter lock and one map-register pool shared by the adapters of many devices (DESIGN §3):
 * a shared IOMMU or bounce-buffer pool, or a system DMA controller. KMDF gives every enabler its
 * own adapter (reference §4.2); a device whose {@link ArbitrationSettings#sharedDomain()} names a
 * domain sends every adapter's lock and map-register requests here instead, and the domain's
 * policies decide among all its devices.
 *
 * <p>Map registers (§4.1): an adapter in a domain gets at most the domain's register count, as if
 * IoGetDmaAdapter had granted fewer registers than MaximumLength asks for — its fragments shrink to
 * fit (§4.5) and never ask the pool for more than it has. The domain is the run's, not an
 * enabler's: it outlives the devices that use it. The arbiters watch their holders, so registers
 * and the lock held by a device that crashed are reclaimed as for an own adapter. The domain's
 * arbiters themselves may crash ({@link #crash}): they restart and rebuild (see {@link AdapterLock}).
 *
 * @param id the adapter id the domain's arbiters report to the observer and the trace
 * @param mapRegisters the pool's size: at least 2, as KMDF asserts of any adapter
 */
public record AdapterDomain(
    String id, int mapRegisters, ActorRef<AdapterLockMessage> lock, ActorRef<MapRegisterMessage> registers) {

  public AdapterDomain {
    Objects.requireNonNull(lock, "adapter domain lock");
    Objects.requireNonNull(registers, "adapter domain registers");
    check(id, mapRegisters);
  }

  /**
   * Spawns the domain's lock and pool as children of {@code context} (the run's coordinator): actors
   * {@code adapter-domain-<id>-lock} and {@code adapter-domain-<id>-registers}; no trace, default
   * recovery timeouts.
   */
  public static AdapterDomain spawn(
      ActorContext<?> context,
      String id,
      int mapRegisters,
      ArbitrationPolicy lockPolicy,
      ArbitrationPolicy registerPolicy,
      DmaObserver observer) {
    return spawn(context, id, mapRegisters, lockPolicy, registerPolicy, observer, TraceSink.NONE,
        ArbiterRecovery.defaults());
  }

  /**
   * Spawns the domain's lock and pool as children of {@code context}, as {@link #spawn(ActorContext,
   * String, int, ArbitrationPolicy, ArbitrationPolicy, DmaObserver)} does, tracing crashes and
   * rebuilds to {@code trace} and recovering with {@code recovery}'s timeouts.
   */
  public static AdapterDomain spawn(
      ActorContext<?> context,
      String id,
      int mapRegisters,
      ArbitrationPolicy lockPolicy,
      ArbitrationPolicy registerPolicy,
      DmaObserver observer,
      TraceSink trace,
      ArbiterRecovery recovery) {
    check(id, mapRegisters);
    String name = "adapter-domain-" + URLEncoder.encode(id, StandardCharsets.UTF_8);
    return new AdapterDomain(
        id,
        mapRegisters,
        context.spawn(AdapterLock.create(id, lockPolicy, observer, trace, recovery), name + "-lock"),
        context.spawn(
            MapRegisterPool.create(id, mapRegisters, registerPolicy, observer, trace, recovery), name + "-registers"));
  }

  /**
   * Crashes the domain's arbiters (fault {@code faultId}, DESIGN §10): the lock and the pool each
   * fail, are restarted by their supervisor and rebuild from their requesters' answers. The two
   * rebuild independently; a transaction waiting for registers while holding the lock answers both.
   */
  public void crash(String faultId) {
    Objects.requireNonNull(faultId, "faultId");
    lock.tell(new AdapterLockMessage.Crash(faultId));
    registers.tell(new MapRegisterMessage.Crash(faultId));
  }

  private static void check(String id, int mapRegisters) {
    Objects.requireNonNull(id, "adapter domain id");
    if (mapRegisters < 2) {
      throw new IllegalArgumentException(
          "adapter domain " + id + " needs at least 2 map registers (KMDF asserts N > 1), got " + mapRegisters);
    }
  }

  /** The register count an adapter of {@code requested} registers gets in this domain (§4.1: never more than there are). */
  public int clamp(int requested) {
    return Math.min(requested, mapRegisters);
  }
}
