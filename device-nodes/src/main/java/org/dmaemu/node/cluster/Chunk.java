package org.dmaemu.node.cluster;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dmaemu.protocol.CborSerializable;

/**
 * One piece of a message too large for one remote frame (Artery's {@code maximum-frame-size}, 256
 * KiB by default, which this project leaves as it is): a node's metrics with every device's totals
 * and every interval's histograms, or a run's merged result. The sender serializes the whole
 * message with its usual serializer and sends it in {@link #SIZE}-byte pieces, in order, to one
 * recipient; the recipient puts them together ({@link Assembly}) and deserializes.
 *
 * @param transferId names one message among those in flight to the recipient
 * @param index this piece's position, from 0
 * @param count pieces in all
 * @param serializerId the serializer of the whole message
 * @param manifest its manifest
 * @param data this piece's bytes
 */
public record Chunk(String transferId, int index, int count, int serializerId, String manifest, byte[] data)
    implements CborSerializable {

  /** 64 KiB: far below the frame limit once CBOR has wrapped it, and small enough not to hold up other messages. */
  public static final int SIZE = 64 * 1024;

  /** {@code message} in pieces of at most {@code size} bytes; at least one piece. */
  public static List<Chunk> split(ActorSystem<?> system, String transferId, CborSerializable message, int size) {
    Serialization serialization = SerializationExtension.get(Adapter.toClassic(system));
    Serializer serializer = serialization.findSerializerFor(message);
    byte[] bytes = serializer.toBinary(message);
    String manifest = Serializers.manifestFor(serializer, message);
    int count = Math.max(1, (bytes.length + size - 1) / size);
    List<Chunk> chunks = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      byte[] piece = Arrays.copyOfRange(bytes, i * size, Math.min(bytes.length, (i + 1) * size));
      chunks.add(new Chunk(transferId, i, count, serializer.identifier(), manifest, piece));
    }
    return chunks;
  }

  /** Puts the pieces of the transfers to one recipient together. Owned by one actor. */
  public static final class Assembly {
    private final Serialization serialization;
    private final Map<String, Chunk[]> pending = new HashMap<>();

    public Assembly(ActorSystem<?> system) {
      this.serialization = SerializationExtension.get(Adapter.toClassic(system));
    }

    /** The whole message once its last piece is in, else {@code null}. */
    public Object add(Chunk chunk) {
      Chunk[] pieces = pending.computeIfAbsent(chunk.transferId(), id -> new Chunk[chunk.count()]);
      if (chunk.count() != pieces.length || chunk.index() < 0 || chunk.index() >= pieces.length) {
        throw new IllegalArgumentException("piece " + chunk.index() + " of " + chunk.count() + " does not fit transfer "
            + chunk.transferId() + " of " + pieces.length);
      }
      pieces[chunk.index()] = chunk;
      int length = 0;
      for (Chunk c : pieces) {
        if (c == null) {
          return null;
        }
        length += c.data().length;
      }
      pending.remove(chunk.transferId());
      byte[] whole = new byte[length];
      int at = 0;
      for (Chunk c : pieces) {
        System.arraycopy(c.data(), 0, whole, at, c.data().length);
        at += c.data().length;
      }
      return serialization.deserialize(whole, chunk.serializerId(), chunk.manifest()).get();
    }

    /** Forgets unfinished transfers (a run that was given up). */
    public void clear() {
      pending.clear();
    }
  }
}
