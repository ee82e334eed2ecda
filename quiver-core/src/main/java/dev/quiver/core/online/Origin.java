package dev.quiver.core.online;

import java.util.List;
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
   * @param stream the stream's identity (for Kafka, {@code kafka:topic}); not null
   * @param partition the partition, {@code >= 0}
   * @param offsets the offset of each row, aligned with the rows written, ascending
   * @param positions null when the events are written online only (each row's tie position is then
   *     its offset, after every file row); else each row's place in the batch twin it was appended to
   *     ({@link RowPosition.InFile}), aligned with the rows, so online ties follow the twin's file
   *     order as offline answers do (DESIGN §3, "Ties"), and a replay carries the same positions
   */
  record Stream(String stream, int partition, long[] offsets, List<RowPosition> positions) implements Origin {
    public Stream {
      Objects.requireNonNull(stream, "stream");
      Objects.requireNonNull(offsets, "offsets");
      if (partition < 0) {
        throw new IllegalArgumentException("partition must be >= 0, got " + partition);
      }
      positions = positions == null ? null : List.copyOf(positions);
    }

    /** Events written online only: their offsets are their tie positions. */
    public Stream(String stream, int partition, long[] offsets) {
      this(stream, partition, offsets, null);
    }
  }
}
