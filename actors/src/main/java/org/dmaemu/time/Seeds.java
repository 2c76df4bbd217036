package org.dmaemu.time;

import java.nio.charset.StandardCharsets;

/**
 * Derivation of per-entity random streams from the one run seed (DESIGN §5): the stream of an
 * entity depends only on (run seed, entity id, purpose), never on which node or thread runs it.
 */
public final class Seeds {
  private Seeds() {}

  /** A 64-bit seed for the stream of {@code entityId} used for {@code purpose}. */
  public static long derive(long runSeed, String entityId, long purpose) {
    long h = mix(runSeed ^ 0x9E3779B97F4A7C15L);
    for (byte b : entityId.getBytes(StandardCharsets.UTF_8)) {
      h = mix(h ^ (b & 0xFF));
    }
    return mix(h ^ mix(purpose + 0x632BE59BD9B4E019L));
  }

  /** SplitMix64's finalizer: a bijective avalanche of 64 bits. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
