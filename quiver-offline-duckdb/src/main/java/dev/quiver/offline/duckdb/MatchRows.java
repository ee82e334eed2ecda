package dev.quiver.offline.duckdb;

import dev.quiver.core.QuiverException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The source rows of a {@link LatestRowMatch} — {@code (event µs, created µs or null, position,
 * then per join its key columns or key id)} — converted from JDBC on a thread of their own into
 * batches of primitive arrays. The caller takes batches with {@link #next()} (a batch is valid
 * until the following call) and fills each join's key ids with {@link #lookUp}. {@link #close()}
 * stops the reader.
 */
final class MatchRows implements AutoCloseable {
  private static final int BATCH = 8192;

  /** Rows {@code [0, size)}: event, created ({@link Long#MIN_VALUE} for null), position, and per join the key id (-1: none). */
  static final class Batch {
    final long[] event = new long[BATCH];
    final long[] created = new long[BATCH];
    final long[] position = new long[BATCH];
    final int[][] kid;
    /** Per join and key column, the raw key values (Java-numbered keys only). */
    final long[][][] keys;
    int size;
    Throwable failure;
    boolean last;

    Batch(int[] widths, KeyIds[] ids) {
      kid = new int[widths.length][BATCH];
      keys = new long[widths.length][][];
      for (int j = 0; j < widths.length; j++) {
        keys[j] = new long[ids[j] == null ? 0 : widths[j]][BATCH];
      }
    }
  }

  private final BlockingQueue<Batch> full = new ArrayBlockingQueue<>(4);
  private final BlockingQueue<Batch> free = new ArrayBlockingQueue<>(6);
  private final Thread reader;
  private volatile boolean stopped;
  private final KeyIds[] ids;
  private Batch handed;
  private boolean done;

  /**
   * @param widths per join: how many key columns it reads (Java-numbered keys), 1 with {@code ids}
   *     null (a key id column), or 0 (no keys: id 0)
   * @param ids per join: the key numbering, or null when the result carries key ids
   */
  MatchRows(ResultSet rs, int[] widths, KeyIds[] ids) {
    this.ids = ids;
    for (int i = 0; i < 6; i++) {
      free.add(new Batch(widths, ids));
    }
    reader = Thread.ofPlatform().daemon().name("quiver-match-reader").start(() -> read(rs, widths, ids));
  }

  private void read(ResultSet rs, int[] widths, KeyIds[] ids) {
    Batch b = take(free);
    try {
      while (b != null && !stopped && rs.next()) {
        int i = b.size;
        b.event[i] = rs.getLong(1);
        long created = rs.getLong(2);
        b.created[i] = rs.wasNull() ? Long.MIN_VALUE : created;
        b.position[i] = rs.getLong(3);
        int col = 4;
        for (int j = 0; j < widths.length; j++) {
          int w = widths[j];
          int kid;
          if (w == 0) {
            kid = 0;
          } else if (ids[j] == null) {
            kid = rs.getInt(col);
            if (rs.wasNull()) {
              kid = -1;
            }
          } else {
            // looked up by next(); 0 marks a row with every key column set
            kid = 0;
            long[][] keys = b.keys[j];
            for (int k = 0; k < w; k++) {
              keys[k][i] = rs.getLong(col + k);
              if (rs.wasNull()) {
                kid = -1;
              }
            }
          }
          b.kid[j][i] = kid;
          col += w;
        }
        if (++b.size == BATCH) {
          put(b);
          b = take(free);
        }
      }
    } catch (Throwable t) {
      if (b != null) {
        b.failure = t;
      }
    }
    if (b != null) {
      b.last = true;
      put(b);
    }
  }

  private Batch take(BlockingQueue<Batch> q) {
    try {
      while (!stopped) {
        Batch b = q.poll(100, TimeUnit.MILLISECONDS);
        if (b != null) {
          return b;
        }
      }
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private void put(Batch b) {
    try {
      while (!stopped && !full.offer(b, 100, TimeUnit.MILLISECONDS)) {
        // the consumer is busy; wait unless it stopped
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The next batch of rows, or null after the last. */
  Batch next() {
    if (handed != null) {
      handed.size = 0;
      free.offer(handed);
      handed = null;
    }
    if (done) {
      return null;
    }
    Batch b;
    try {
      b = full.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QuiverException("interrupted while reading source rows");
    }
    if (b.failure != null) {
      Throwable t = b.failure;
      throw t instanceof SQLException s ? DuckDbOfflineEngine.failed(s)
          : t instanceof RuntimeException r ? r : new QuiverException("reading source rows failed: " + t.getMessage(), t);
    }
    done = b.last;
    handed = b;
    return b;
  }

  /**
   * Fills join {@code j}'s key ids in {@code b} from its raw key columns (Java-numbered keys; a
   * no-op otherwise), in a tight loop over the batch so that the table's cache misses overlap. Call
   * once per batch and join, from any one thread.
   */
  void lookUp(Batch b, int j) {
    if (ids[j] != null) {
      lookUp(ids[j], b.keys[j], b.kid[j], b.size);
    }
  }

  private static void lookUp(KeyIds ids, long[][] keys, int[] kid, int size) {
    switch (keys.length) {
      case 1 -> {
        long[] a = keys[0];
        for (int i = 0; i < size; i++) {
          kid[i] = kid[i] < 0 ? -1 : ids.find1(a[i]);
        }
      }
      case 2 -> {
        long[] a = keys[0];
        long[] b = keys[1];
        for (int i = 0; i < size; i++) {
          kid[i] = kid[i] < 0 ? -1 : ids.find2(a[i], b[i]);
        }
      }
      default -> {
        long[] tuple = new long[keys.length];
        for (int i = 0; i < size; i++) {
          if (kid[i] >= 0) {
            for (int k = 0; k < keys.length; k++) {
              tuple[k] = keys[k][i];
            }
            kid[i] = ids.find(tuple);
          }
        }
      }
    }
  }

  @Override
  public void close() {
    stopped = true;
    full.clear();
    try {
      reader.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
