package dev.quiver.bench.stream;

import dev.quiver.core.aggregate.EntityTiles;
import dev.quiver.core.aggregate.TileLayout;
import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * The spike's operand format: a key's pending events, appended blind. Each event is self-delimiting,
 * so concatenated operands (RocksDB's {@code StringAppendOperator} with an empty delimiter) parse
 * back in append order: {@code 0x01 varint(partition) varint(offset) zigzag(event µs) value}, or a
 * latest row riding along, {@code 0x02 varint(length) row}; value
 * {@code 0x00} (null) or {@code 0x01 be64(double bits)} (the one aggregated column of the benchmark
 * view). A real format would carry the view's aggregated columns with the state format's value
 * encoding, the created time, and the kind of origin (stream offset or push sequence).
 */
final class PendingEvents {
  private static final int EVENT = 1;
  private static final int ROW = 2;

  private PendingEvents() {}

  /** The operand of one batch's events of one key (in offset order). */
  static byte[] encode(int partition, List<BlindAppendBenchmark.Event> events) {
    return encode(partition, events, null);
  }

  /** The operand of one batch's events of one key and, when not null, the key's newest latest row. */
  static byte[] encode(int partition, List<BlindAppendBenchmark.Event> events, byte[] latestRow) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(20 * events.size() + (latestRow == null ? 0 : latestRow.length + 3));
    if (latestRow != null) {
      out.write(ROW);
      varint(out, latestRow.length);
      out.writeBytes(latestRow);
    }
    for (BlindAppendBenchmark.Event e : events) {
      out.write(EVENT);
      varint(out, partition);
      varint(out, e.offset());
      varint(out, (e.micros() << 1) ^ (e.micros() >> 63));
      out.write(1);
      long bits = Double.doubleToRawLongBits(e.amount());
      for (int s = 56; s >= 0; s -= 8) {
        out.write((int) (bits >>> s));
      }
    }
    return out.toByteArray();
  }

  /**
   * Adds the pending events to {@code tiles} in append order, skipping each whose offset the row
   * (or an earlier pending event) took already, as a read-modify-write does.
   *
   * @return how many the tiles dropped as late
   */
  static long apply(EntityTiles tiles, byte[] pending, String stream) {
    long late = 0;
    int[] at = {0};
    Object[] values = new Object[1];
    while (at[0] < pending.length) {
      if (pending[at[0]++] == ROW) {
        int n = (int) varint(pending, at); // read first: a compound assignment would load at[0] before
        at[0] += n;
        continue;
      }
      int partition = (int) varint(pending, at);
      long offset = varint(pending, at);
      long z = varint(pending, at);
      long micros = (z >>> 1) ^ -(z & 1);
      Double amount = null;
      if (pending[at[0]++] == 1) {
        long bits = 0;
        for (int i = 0; i < 8; i++) {
          bits = (bits << 8) | (pending[at[0]++] & 0xFF);
        }
        amount = Double.longBitsToDouble(bits);
      }
      if (offset > tiles.appliedOffset(stream, partition)) {
        values[0] = amount;
        if (!tiles.add(micros, Long.MIN_VALUE, values)) {
          late++;
        }
        tiles.recordOffset(stream, partition, offset);
      }
    }
    return late;
  }

  /** The newest of the latest rows in the pending value (newest wins), null if it holds none. */
  static byte[] newestRow(byte[] pending) {
    byte[] newest = null;
    int[] at = {0};
    while (at[0] < pending.length) {
      if (pending[at[0]++] == ROW) {
        int n = (int) varint(pending, at);
        byte[] row = java.util.Arrays.copyOfRange(pending, at[0], at[0] + n);
        at[0] += n;
        newest = newest == null || dev.quiver.core.online.RowEncoding.isNewer(row, newest) ? row : newest;
      } else {
        varint(pending, at);
        varint(pending, at);
        varint(pending, at);
        at[0] += pending[at[0]] == 1 ? 9 : 1;
      }
    }
    return newest;
  }

  /** The serving read: the stored row with the pending events folded in memory (nothing written). */
  static Object[] read(TileLayout layout, byte[] row, byte[] pending, String stream, long t) {
    if (pending == null) {
      return EntityTiles.read(layout, row == null ? new EntityTiles(layout).encode() : row, t);
    }
    EntityTiles tiles = row == null ? new EntityTiles(layout) : EntityTiles.decode(layout, row);
    apply(tiles, pending, stream);
    return EntityTiles.read(layout, tiles.encode(), t);
  }

  private static void varint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  private static long varint(byte[] in, int[] at) {
    long v = 0;
    for (int shift = 0; ; shift += 7) {
      byte b = in[at[0]++];
      v |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return v;
      }
    }
  }
}
