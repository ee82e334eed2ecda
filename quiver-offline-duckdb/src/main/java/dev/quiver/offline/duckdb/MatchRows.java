package dev.quiver.offline.duckdb;

import dev.quiver.core.QuiverException;
import dev.quiver.core.offline.sweep.KeyIds;
import java.sql.SQLException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.duckdb.DuckDBChunkedResult;
import org.duckdb.DuckDBDataChunkReader;
import org.duckdb.DuckDBReadableVector;

/**
 * The source rows of a {@link LatestRowMatch} — {@code (event µs, created µs or null, position,
 * then the key columns and key ids the joins read, each once, all BIGINT)} — read from DuckDB's
 * data chunks ({@link DuckDBChunkedResult}, without JDBC's per-value cost) on a thread of their
 * own into batches of primitive arrays. Each join consumes every batch at its own pace, on
 * a thread of its own: {@link #next(int)} gives that join its next batch (valid until its
 * following call), {@link #lookUp} fills its key ids. A batch returns to the reader once every join
 * is done with it, so a fast join runs at most a few batches ahead. {@link #close()} stops the reader.
 */
final class MatchRows implements AutoCloseable {
  private static final int BATCH = 8192;

  /** How one join gets its key id from a row. */
  record JoinKey(int[] columns, KeyIds ids) {}

  /** Rows {@code [0, size)}: event, created ({@link Long#MIN_VALUE} for null), position, the key columns, and per join its key id. */
  static final class Batch {
    final long[] event = new long[BATCH];
    final long[] created = new long[BATCH];
    final long[] position = new long[BATCH];
    /** Per result column after the position: its values, and whether each is null. */
    final long[][] columns;
    final boolean[][] nulls;
    /** Per join: the key id of each row (-1: the row has no key of this join), after {@link #lookUp}. */
    final int[][] kid;
    int size;
    Throwable failure;
    boolean last;
    /** How many joins have yet to finish with this batch. */
    final java.util.concurrent.atomic.AtomicInteger pending = new java.util.concurrent.atomic.AtomicInteger();

    Batch(int columnCount, int joins) {
      columns = new long[columnCount][BATCH];
      nulls = new boolean[columnCount][BATCH];
      kid = new int[joins][BATCH];
    }
  }

  private static final int POOL = 8;

  private final BlockingQueue<Batch> free = new ArrayBlockingQueue<>(POOL);
  /** Per join: the batches it has yet to take, in order. */
  private final BlockingQueue<Batch>[] queues;
  private final Thread reader;
  private volatile boolean stopped;
  private final JoinKey[] joins;
  /** Per join: the batch it holds, or null. */
  private final Batch[] handed;

  /**
   * @param columnCount how many result columns follow the position (column 4 on)
   * @param joins per join, which of those columns hold its key: its key columns with {@code ids}
   *     (numbered in Java), one key id column without, none for a join without keys
   */
  @SuppressWarnings("unchecked")
  MatchRows(DuckDBChunkedResult rs, int columnCount, JoinKey[] joins) {
    this.joins = joins;
    this.handed = new Batch[joins.length];
    this.queues = new BlockingQueue[joins.length];
    for (int j = 0; j < joins.length; j++) {
      queues[j] = new ArrayBlockingQueue<>(POOL + 1);
    }
    for (int i = 0; i < POOL; i++) {
      free.add(new Batch(columnCount, joins.length));
    }
    reader = Thread.ofPlatform().daemon().name("quiver-match-reader").start(() -> read(rs, columnCount));
  }

  private void read(DuckDBChunkedResult rs, int columnCount) {
    long cpu = StepRunner.timings() ? LatestRowMatch.threadCpu() : 0;
    try {
      readBatches(rs, columnCount);
    } finally {
      if (StepRunner.timings()) {
        System.err.printf("quiver offline:     reader: %.3f CPU-s%n", (LatestRowMatch.threadCpu() - cpu) / 1e9);
      }
    }
  }

  private void readBatches(DuckDBChunkedResult rs, int columnCount) {
    Batch b = take(free);
    DuckDBReadableVector[] columns = new DuckDBReadableVector[columnCount];
    try {
      while (b != null && !stopped && rs.nextChunk()) {
        DuckDBDataChunkReader chunk = rs.chunk();
        DuckDBReadableVector event = chunk.vector(0);
        DuckDBReadableVector created = chunk.vector(1);
        DuckDBReadableVector position = chunk.vector(2);
        for (int c = 0; c < columnCount; c++) {
          columns[c] = chunk.vector(3 + c);
        }
        int rows = Math.toIntExact(chunk.rowCount());
        for (int from = 0; from < rows && b != null; ) {
          int to = Math.min(rows, from + BATCH - b.size);
          int at = b.size;
          for (int r = from; r < to; r++, at++) {
            b.event[at] = event.getLong(r); // never null: the select keeps rows with an event time
            b.created[at] = created.isNull(r) ? Long.MIN_VALUE : created.getLong(r);
            b.position[at] = position.getLong(r);
          }
          for (int c = 0; c < columnCount; c++) {
            DuckDBReadableVector v = columns[c];
            long[] values = b.columns[c];
            boolean[] nulls = b.nulls[c];
            at = b.size;
            for (int r = from; r < to; r++, at++) {
              boolean isNull = v.isNull(r);
              nulls[at] = isNull;
              values[at] = isNull ? 0 : v.getLong(r);
            }
          }
          b.size = at;
          from = to;
          if (b.size == BATCH) {
            put(b);
            b = take(free);
          }
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

  /** Hands {@code b} to every join (its queue has room for every batch of the pool). */
  private void put(Batch b) {
    b.pending.set(joins.length);
    for (BlockingQueue<Batch> q : queues) {
      q.add(b);
    }
  }

  /**
   * Join {@code j}'s next batch, or null after the last; releases the batch it held. Call from one
   * thread per join.
   */
  Batch next(int j) {
    Batch held = handed[j];
    if (held != null) {
      handed[j] = null;
      if (held.last) {
        release(held);
        return null;
      }
      release(held);
    }
    Batch b;
    try {
      do {
        if (stopped) {
          return null;
        }
        b = queues[j].poll(100, TimeUnit.MILLISECONDS);
      } while (b == null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QuiverException("interrupted while reading source rows");
    }
    handed[j] = b;
    if (b.failure != null) {
      Throwable t = b.failure;
      throw t instanceof SQLException s ? DuckDbFailures.failed(s)
          : t instanceof RuntimeException r ? r : new QuiverException("reading source rows failed: " + t.getMessage(), t);
    }
    return b;
  }

  private void release(Batch b) {
    if (b.pending.decrementAndGet() == 0) {
      b.size = 0;
      free.offer(b);
    }
  }

  /**
   * Fills join {@code j}'s key ids in {@code b}; for keys numbered in Java, in a tight loop over the
   * batch so that the table's cache misses overlap. Call once per batch and join, from any one
   * thread; different joins may run on different threads.
   */
  void lookUp(Batch b, int j) {
    JoinKey key = joins[j];
    int[] kid = b.kid[j];
    int[] cols = key.columns();
    int size = b.size;
    if (cols.length == 0) {
      java.util.Arrays.fill(kid, 0, size, 0);
    } else if (key.ids() == null) {
      long[] id = b.columns[cols[0]];
      boolean[] isNull = b.nulls[cols[0]];
      for (int i = 0; i < size; i++) {
        kid[i] = isNull[i] ? -1 : (int) id[i];
      }
    } else if (cols.length == 1) {
      long[] a = b.columns[cols[0]];
      boolean[] na = b.nulls[cols[0]];
      KeyIds ids = key.ids();
      for (int i = 0; i < size; i++) {
        kid[i] = na[i] ? -1 : ids.find1(a[i]);
      }
    } else if (cols.length == 2) {
      long[] a = b.columns[cols[0]];
      long[] c = b.columns[cols[1]];
      boolean[] na = b.nulls[cols[0]];
      boolean[] nc = b.nulls[cols[1]];
      KeyIds ids = key.ids();
      for (int i = 0; i < size; i++) {
        kid[i] = na[i] || nc[i] ? -1 : ids.find2(a[i], c[i]);
      }
    } else {
      long[] tuple = new long[cols.length];
      for (int i = 0; i < size; i++) {
        boolean missing = false;
        for (int k = 0; k < cols.length; k++) {
          tuple[k] = b.columns[cols[k]][i];
          missing |= b.nulls[cols[k]][i];
        }
        kid[i] = missing ? -1 : key.ids().find(tuple);
      }
    }
  }

  /** Stops the reader and makes every {@link #next(int)} return null: a join failed. */
  void stop() {
    stopped = true;
  }

  @Override
  public void close() {
    stopped = true;
    try {
      reader.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
