package dev.quiver.online.redis;

import dev.quiver.core.online.RowEncoding;
import java.util.ArrayList;
import java.util.List;

/**
 * The entries of one key in a put-if-newer batch: the newest goes to Redis, the sequence decides the
 * count. With {@code replaceEqual} (refills) an entry also replaces an equal order key. Not
 * thread-safe: one batch call owns it.
 */
final class PendingPut {
  final byte[] rowKey;
  final boolean replaceEqual;
  byte[] max;
  /** Every entry in order, when there is more than one. */
  List<byte[]> sequence;

  PendingPut(byte[] rowKey, byte[] row, boolean replaceEqual) {
    this.rowKey = rowKey;
    this.max = row;
    this.replaceEqual = replaceEqual;
  }

  void add(byte[] row) {
    if (sequence == null) {
      sequence = new ArrayList<>();
      sequence.add(max);
    }
    sequence.add(row);
    if (replaceEqual ? RowEncoding.isNotOlder(row, max) : RowEncoding.isNewer(row, max)) {
      max = row; // of equal maxima the first stays, as in sequence (the last with replaceEqual)
    }
  }

  /**
   * How many of the entries a sequential application would write over {@code stored}, the
   * order key that was in Redis (empty when there was no row).
   */
  int written(byte[] stored) {
    byte[] current = stored.length == 0 ? null : stored; // an order key, then a row
    boolean isRow = false;
    int n = 0;
    for (byte[] row : sequence == null ? List.of(max) : sequence) {
      int order = current == null ? 1
          : isRow ? RowEncoding.compareOrder(row, current) : RowEncoding.compareOrderTo(row, current);
      if (order > 0 || replaceEqual && order == 0) {
        n++;
        current = row;
        isRow = true;
      }
    }
    return n;
  }
}
