package dev.quiver.core.online;

import java.util.Objects;

/**
 * Where rows written online come from (DESIGN §3, online writes): it decides how a replay of the
 * same rows is recognised, and the rows' place in the tie order.
 *
 * <ul>
 *   <li>{@link Push}: a push (HTTP, gRPC, Java). Without an idempotency key it is applied
 *       at least once: repeating it counts its rows again in window aggregates. With one, the
 *       push is applied once: repeating it changes nothing.
 *   <li>{@link Stream}: events consumed from one partition of a stream, with their offsets. A
 *       replay of offsets already applied changes nothing (exactly-once effect).
 * </ul>
 */
public sealed interface Origin {

  /** A push without an idempotency key: at least once. */
  Origin PUSH = new Push(null);

  /**
   * A push.
   *
   * @param idempotencyKey null for an at-least-once push; else a key (1–256 characters) under which
   *     the push is applied once
   */
  record Push(String idempotencyKey) implements Origin {}

  /**
   * Events consumed from one partition of a stream, in offset order.
   *
   * @param stream the stream's identity (for Kafka, {@code bootstrap/topic}); not null
   * @param partition the partition, {@code >= 0}
   * @param offsets the offset of each row, aligned with the rows written, ascending
   */
  record Stream(String stream, int partition, long[] offsets) implements Origin {
    public Stream {
      Objects.requireNonNull(stream, "stream");
      Objects.requireNonNull(offsets, "offsets");
      if (partition < 0) {
        throw new IllegalArgumentException("partition must be >= 0, got " + partition);
      }
    }
  }
}
