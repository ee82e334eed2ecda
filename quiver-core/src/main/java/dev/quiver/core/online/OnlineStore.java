package dev.quiver.core.online;

import java.util.List;
import java.util.Objects;

/**
 * Latest feature rows per entity key, for low-latency serving. A small key-value interface in the
 * manner of Chronon's {@code KVStore}: one table per feature view version, byte keys and values
 * produced by {@link KeyEncoding} and {@link RowEncoding}.
 *
 * <p><b>Newest wins.</b> {@link #multiPutIfNewer} never replaces a stored row with one whose order key
 * ({@link RowEncoding#orderKey}: event time, then created time, then the row's {@link RowPosition},
 * which decides ties) is smaller or equal, whatever the order of arrival, so every write is
 * idempotent and a late backfill cannot overwrite newer data; {@link #multiPutIfNotOlder} (refills)
 * replaces equal ones (the same row) too, never a greater one. Stores compare order keys as {@link
 * RowEncoding#compareOrder} does: unsigned, byte by byte, a key that is a prefix of another being the
 * smaller.
 *
 * <p>Implementations are thread-safe; each batch call costs one round trip to the store (a pipeline
 * or a multi-get), and fails with a {@link dev.quiver.core.QuiverException} naming the store within
 * its configured timeout. Every implementation passes {@code OnlineStoreContract} in the test kit.
 */
public interface OnlineStore extends AutoCloseable {

  /** Creates the table if it does not exist. Idempotent. */
  void createTable(String table);

  /** Drops the table and all its rows. Idempotent. */
  void dropTable(String table);

  /**
   * The stored values of {@code keys}, aligned with them; null where a key has no row (or the table
   * does not exist).
   */
  List<byte[]> multiGet(String table, List<byte[]> keys);

  /**
   * Writes each entry unless the table holds a row for its key with an order key greater than or
   * equal to the entry's. Entries for the same key within one call are applied as if in sequence.
   *
   * @return how many entries were written
   */
  int multiPutIfNewer(String table, List<Entry> entries);

  /**
   * Like {@link #multiPutIfNewer}, but an entry also replaces a stored row with an <em>equal</em>
   * order key (only a greater one is kept). For refills: materialization rewrites the rows it reads
   * again after a view gained features, so the rows it wrote before (same event and created times)
   * get the new features. Entries for the same key within one call are applied as if in sequence
   * (of equal ones, the last wins).
   *
   * @return how many entries were written
   */
  int multiPutIfNotOlder(String table, List<Entry> entries);

  /**
   * Writes each entry whatever the table holds for its key; of several entries for one key in a
   * call, the last wins. For rows whose merging the caller does (online tiles, {@link TileRows}),
   * never mixed with {@link #multiPutIfNewer} in one table. The values need no order key.
   */
  void multiPut(String table, List<Entry> entries);

  /**
   * Compare-and-set, one decision per entry: writes {@link Swap#value()} (or deletes the row when it
   * is null) only when the stored bytes equal {@link Swap#expected()} (null: the key has no row),
   * atomically per key against every writer of the store, in this process or any other. For rows
   * that Quiver merges itself (online tiles): a writer reads, merges and swaps, and reads again
   * when the swap fails. Keys within one call are distinct.
   *
   * <p>This default is atomic only against writers in this JVM that use it too (it holds a lock
   * around a read and a write); stores that other processes share override it with the store's own
   * compare-and-set.
   *
   * @return per entry, aligned: true when it was written (or deleted)
   */
  default boolean[] multiCompareAndSet(String table, List<Swap> swaps) {
    synchronized (OnlineStore.class) {
      List<byte[]> keys = swaps.stream().map(Swap::key).toList();
      List<byte[]> stored = multiGet(table, keys);
      boolean[] done = new boolean[swaps.size()];
      List<Entry> puts = new java.util.ArrayList<>();
      List<byte[]> deletes = new java.util.ArrayList<>();
      for (int i = 0; i < swaps.size(); i++) {
        Swap s = swaps.get(i);
        if (java.util.Arrays.equals(stored.get(i), s.expected())) {
          done[i] = true;
          if (s.value() == null) {
            deletes.add(s.key());
          } else {
            puts.add(new Entry(s.key(), s.value()));
          }
        }
      }
      if (!puts.isEmpty()) {
        multiPut(table, puts);
      }
      if (!deletes.isEmpty()) {
        delete(table, deletes);
      }
      return done;
    }
  }

  /**
   * The stored values of {@code keys} as {@link #multiGet} reads them, each with a version to pass
   * on in the {@link Swap} that expects it ({@link Swap#readVersion()}). A store that can tell, at
   * the swap, that a key was not written since this read (an embedded store, which sees every write)
   * then trusts the bytes read instead of reading them again; one that cannot returns {@link
   * Swap#UNREAD} versions and compares bytes as always. Versions are opaque and mean something only
   * to the store that gave them.
   */
  default VersionedRows readForSwap(String table, List<byte[]> keys) {
    List<byte[]> rows = multiGet(table, keys);
    long[] versions = new long[rows.size()];
    java.util.Arrays.fill(versions, Swap.UNREAD);
    return new VersionedRows(rows, versions);
  }

  /** Deletes the rows of {@code keys}; absent keys are ignored. */
  void delete(String table, List<byte[]> keys);

  /**
   * True when reads are in-process CPU work on local data (an embedded store), not a network round
   * trip: a server may then answer them on its I/O threads instead of handing them to a worker.
   */
  default boolean inProcess() {
    return false;
  }

  /** Checks the store answers (for readiness probes); throws a QuiverException when it does not. */
  void check();

  @Override
  void close();

  /**
   * One compare-and-set: {@code key}'s row becomes {@code value} (null: deleted) if it is now
   * {@code expected} (null: absent). {@code readVersion} is the version {@link #readForSwap} gave
   * with {@code expected} (then {@code expected} must be exactly the bytes it read), or {@link
   * #UNREAD}.
   */
  record Swap(byte[] key, byte[] expected, byte[] value, long readVersion) {
    /** The version of a swap whose expected bytes did not come from {@link #readForSwap}: compare bytes. */
    public static final long UNREAD = Long.MIN_VALUE;

    public Swap {
      Objects.requireNonNull(key, "key");
    }

    /** A swap whose expected bytes the store compares with what it holds ({@link #UNREAD}). */
    public Swap(byte[] key, byte[] expected, byte[] value) {
      this(key, expected, value, UNREAD);
    }
  }

  /**
   * Rows read by {@link #readForSwap}, aligned with the keys: the bytes (null: no row) and the
   * version to give the {@link Swap} that expects them.
   */
  record VersionedRows(List<byte[]> rows, long[] versions) {
    public VersionedRows {
      Objects.requireNonNull(rows, "rows");
      Objects.requireNonNull(versions, "versions");
      if (rows.size() != versions.length) {
        throw new IllegalArgumentException(rows.size() + " rows but " + versions.length + " versions");
      }
    }
  }

  /** One row to write: an encoded entity key and an encoded feature row. */
  record Entry(byte[] key, byte[] value) {
    public Entry {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
    }
  }
}
