package dev.quiver.online.rocksdb;

import dev.quiver.core.QuiverException;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.RowEncoding;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Lock;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * The embedded online store: one RocksDB database in one directory, one column family per table.
 * See the package documentation for the layout, the durability and the tuning.
 *
 * <p>Thread-safe. Arguments must not be null (a {@link NullPointerException} says which); RocksDB
 * failures become a {@link QuiverException} naming the directory. Data calls run concurrently;
 * {@link #createTable}, {@link #dropTable} and {@link #close} wait for the calls in flight and hold
 * the others back while they run, so no call ever touches a released native handle. Every write
 * ({@link #multiPutIfNewer}, {@link #multiCompareAndSet}, {@link #multiPut}, {@link #delete}) locks
 * the stripes of its keys ({@link KeyStripes}, in ascending order, so two batches cannot deadlock)
 * around its read, compare and write, so concurrent writers of one key (materialization, pushes,
 * stream consumers) never interleave: the newest row always wins and a swap is atomic against every
 * other write of the process, the only one that can open the directory.
 */
final class RocksDbOnlineStore implements OnlineStore {
  static final long DEFAULT_BLOCK_CACHE_BYTES = 128L << 20;
  static final long DEFAULT_WRITE_BUFFER_BYTES = 64L << 20;

  /** Column family names are this prefix and the table name, so no table collides with "default". */
  static final String TABLE_PREFIX = "table:";

  /** Key-hash stripes; a power of two. Big batches take most of them, small ones one or two. */
  private static final int STRIPES = 1024;

  /**
   * Write-counter slots ({@link RowVersions}); a power of two, 8 MB. While one writer's batch of
   * 5,000 keys goes from its read to its swap, another writer's batch bumps about 10,000 slots (its
   * latest rows and its tile rows): about 1% of the first batch's keys are then read again.
   */
  private static final int VERSION_SLOTS = 1 << 20;

  /**
   * Bytes of rows the writes keep ({@link KeptRows}: tile rows and latest rows' order headers, keys
   * and about 64 bytes each) unless the {@code written_rows_mb} option says otherwise: about 100,000
   * keys of tile rows of 1–2 KB, or a million latest rows' headers.
   */
  static final long DEFAULT_WRITTEN_ROWS_BYTES = 256L << 20;

  /**
   * What the rows kept take when {@code written_rows_mb} is not set: {@link #DEFAULT_WRITTEN_ROWS_BYTES},
   * or an eighth of the JVM's largest heap when that is less, so that a small heap is not filled by them.
   */
  static long defaultWrittenRowsBytes() {
    return Math.min(DEFAULT_WRITTEN_ROWS_BYTES, Runtime.getRuntime().maxMemory() / 8);
  }

  private final Path path;
  private final boolean sync;
  private final RocksDB db;
  private final RocksDbResources resources;
  private final KeyStripes keyStripes = new KeyStripes(STRIPES);
  /** Write counters per key slot, so a swap trusts what {@link #readForSwap} read ({@link RowVersions}). */
  private final RowVersions versions = new RowVersions(VERSION_SLOTS);
  private final RocksDbTables tables;
  /** The rows this process's writes stored, kept for their next writes ({@link KeptRows}). */
  private final KeptRows kept;
  private final NewestWinsWrites newestWins;
  private final RowSwaps swaps;
  private final PlainWrites plain;

  private RocksDbOnlineStore(RocksDbResources.Opened opened, boolean sync, long writtenRowsBytes) {
    this.path = opened.dir();
    this.sync = sync;
    this.db = opened.db();
    this.resources = opened.resources();
    this.kept = KeptRows.within(writtenRowsBytes);
    this.tables = new RocksDbTables(opened, versions, kept);
    this.newestWins = new NewestWinsWrites(db, resources, keyStripes, versions, kept);
    this.swaps = new RowSwaps(db, resources, keyStripes, versions, kept);
    this.plain = new PlainWrites(db, resources, keyStripes, versions, kept);
  }

  /** Opens the store in {@code path} with the default cache and write buffer, {@code sync} off. */
  static RocksDbOnlineStore open(Path path) {
    return open(path, DEFAULT_BLOCK_CACHE_BYTES, DEFAULT_WRITE_BUFFER_BYTES, false);
  }

  /**
   * Opens (creating if needed) the store in {@code path} ({@link RocksDbResources#open}).
   *
   * @param blockCacheBytes the block cache shared by every table
   * @param writeBufferBytes each table's memtable; all of them together are capped at four times it
   * @param sync whether each write waits for the WAL to reach the disk (fsync)
   * @throws QuiverException when the directory cannot be created or opened, naming it; when another
   *     process (or another open store in this one) holds it, saying so
   */
  static RocksDbOnlineStore open(Path path, long blockCacheBytes, long writeBufferBytes, boolean sync) {
    return open(path, blockCacheBytes, writeBufferBytes, sync, defaultWrittenRowsBytes());
  }

  /**
   * Opens the store as {@link #open(Path, long, long, boolean)} does, keeping at most {@code
   * writtenRowsBytes} of the rows its writes store for their next writes ({@link KeptRows}; 0 keeps none).
   */
  static RocksDbOnlineStore open(Path path, long blockCacheBytes, long writeBufferBytes, boolean sync,
      long writtenRowsBytes) {
    return new RocksDbOnlineStore(RocksDbResources.open(path, blockCacheBytes, writeBufferBytes, sync), sync,
        writtenRowsBytes);
  }

  /** The bytes of rows kept for the next writes now ({@link KeptRows}), for tests. */
  long keptBytes() {
    return kept.rows().keptBytes();
  }

  /** How many swaps read their row again under the lock so far (the others trusted {@link #readForSwap}). */
  long swapRereads() {
    return swaps.rereads();
  }

  /** How many rows newest-wins writes read again under their stripes so far (written by another since the first read). */
  long putRereads() {
    return newestWins.rereads();
  }

  /** How many rows newest-wins writes did not read, knowing their order header ({@link WrittenRows}). */
  long putRowsKnown() {
    return newestWins.knownHits();
  }

  /** How many rows {@link #readForSwap} took from the rows swaps wrote ({@link WrittenRows}), not from RocksDB. */
  long swapRowsKnown() {
    return swaps.knownHits();
  }

  /** How many rows {@link #readForSwap} read from RocksDB (not kept). */
  long swapRowsStored() {
    return swaps.storedReads();
  }

  /** How many rows newest-wins writes read from RocksDB before taking their stripes (not kept). */
  long putRowsStored() {
    return newestWins.storedReads();
  }

  /** The directory of this store. */
  Path path() {
    return path;
  }

  // ---- tables -----------------------------------------------------------------------------------

  /** Creates the table's column family unless it exists ({@link RocksDbTables#create}). */
  @Override
  public void createTable(String table) {
    tables.create(table);
  }

  /** Drops the table's column family, if it exists ({@link RocksDbTables#drop}). */
  @Override
  public void dropTable(String table) {
    tables.drop(table);
  }

  // ---- reads and writes -------------------------------------------------------------------------

  /**
   * {@inheritDoc}
   *
   * @return a new list, as long as {@code keys}
   * @throws NullPointerException when an argument or a key is null
   * @throws QuiverException when RocksDB fails or the store is closed
   */
  @Override
  public List<byte[]> multiGet(String table, List<byte[]> keys) {
    Objects.requireNonNull(table, "table");
    requireNoNulls(keys, "keys");
    Lock lock = tables.readLock();
    try {
      tables.ensureOpen();
      ColumnFamilyHandle handle = tables.handle(table);
      if (handle == null || keys.isEmpty()) {
        return Arrays.asList(new byte[keys.size()][]);
      }
      return db.multiGetAsList(resources.readOptions(), Collections.nCopies(keys.size(), handle), keys);
    } catch (RocksDBException e) {
      throw tables.failure("read " + keys.size() + " keys of table " + table, e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Reads each key's write counter ({@link RowVersions}), then its row, without locks: a row a
   * swap wrote last in its slot, while the counter has not moved since, from the rows kept in memory
   * ({@link WrittenRows}), the others in one multi-get ({@link RowSwaps#read}). A swap that finds the
   * counter unchanged under the key's stripe writes without reading the row again.
   *
   * @throws NullPointerException when an argument or a key is null
   * @throws QuiverException when RocksDB fails or the store is closed
   */
  @Override
  public VersionedRows readForSwap(String table, List<byte[]> keys) {
    Objects.requireNonNull(table, "table");
    requireNoNulls(keys, "keys");
    Lock lock = tables.readLock();
    try {
      tables.ensureOpen();
      ColumnFamilyHandle handle = tables.handle(table);
      if (handle == null || keys.isEmpty()) {
        return new VersionedRows(Arrays.asList(new byte[keys.size()][]), swaps.versionsOf(table, keys));
      }
      return swaps.read(table, handle, keys);
    } catch (RocksDBException e) {
      throw tables.failure("read " + keys.size() + " keys of table " + table, e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Creates the table when it does not exist. Reads the stored rows of the batch's distinct keys
   * in one multi-get (in key order) before taking their stripes, except those this kind of write
   * stored last and no write touched since ({@link WrittenRows}), then, under the stripes, again
   * those another write changed meanwhile ({@link RowVersions}); keeps each entry that is newer than
   * the stored row and than the entries before it, and writes the last one kept per key in one atomic
   * {@link WriteBatch} ({@link NewestWinsWrites}).
   *
   * @return the entries written when applied in sequence (an entry superseded later in the same
   *     batch counts, though only the newest reaches the disk)
   * @throws IllegalArgumentException when a value is too short to hold an order key
   * @throws NullPointerException when an argument or an entry is null
   * @throws QuiverException when RocksDB fails or the store is closed
   */
  @Override
  public int multiPutIfNewer(String table, List<Entry> entries) {
    return putUnlessOlder(table, entries, false);
  }

  /** {@inheritDoc} The same locking and batching as {@link #multiPutIfNewer}. */
  @Override
  public int multiPutIfNotOlder(String table, List<Entry> entries) {
    return putUnlessOlder(table, entries, true);
  }

  /** Writes the entries newer than the stored rows, or also equal ones with {@code replaceEqual}. */
  private int putUnlessOlder(String table, List<Entry> entries, boolean replaceEqual) {
    Objects.requireNonNull(table, "table");
    requireNoNulls(entries, "entries");
    if (entries.isEmpty()) {
      return 0;
    }
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      if (!RowEncoding.hasOrderKey(e.value())) {
        throw new IllegalArgumentException("entry " + i + " of table " + table + ": the value (" + e.value().length
            + " bytes) holds no whole order key; encode rows with RowEncoding");
      }
    }
    Lock lock = tables.readLockCreating(table);
    try {
      return newestWins.write(table, tables.handle(table), entries, replaceEqual);
    } catch (RocksDBException e) {
      throw tables.failure("write " + entries.size() + " rows to table " + table, e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>One atomic {@link WriteBatch}, creating the table if needed, under the stripes of its keys, so
   * it never lands between the read and the write of a {@link #multiCompareAndSet}.
   *
   * @throws NullPointerException when an argument or an entry is null
   * @throws QuiverException when RocksDB fails or the store is closed
   */
  @Override
  public void multiPut(String table, List<Entry> entries) {
    Objects.requireNonNull(table, "table");
    requireNoNulls(entries, "entries");
    if (entries.isEmpty()) {
      return;
    }
    Lock lock = tables.readLockCreating(table);
    try {
      plain.put(table, tables.handle(table), entries);
    } catch (RocksDBException e) {
      throw tables.failure("write " + entries.size() + " rows to table " + table, e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Every writer of a key lives in this process (RocksDB locks the directory), so the swaps hold
   * the stripes of their keys (as every other write does) around one multi-get, the byte
   * comparisons and one atomic {@link WriteBatch} of the swaps that succeeded. A swap whose expected
   * bytes {@link #readForSwap} read, and whose key's write counter has not moved since, is not read
   * again ({@link RowVersions}); the others are. Reads take no lock. The table is created when
   * missing, as by the other writes.
   *
   * @throws IllegalArgumentException when two swaps have the same key
   * @throws NullPointerException when an argument or a swap is null
   * @throws QuiverException when RocksDB fails or the store is closed
   */
  @Override
  public boolean[] multiCompareAndSet(String table, List<Swap> swaps) {
    Objects.requireNonNull(table, "table");
    requireNoNulls(swaps, "swaps");
    boolean[] done = new boolean[swaps.size()];
    if (swaps.isEmpty()) {
      return done;
    }
    KeyRef[] keys = RowSwaps.distinctKeys(table, swaps);
    Lock lock = tables.readLockCreating(table);
    try {
      return this.swaps.swap(table, tables.handle(table), swaps, keys);
    } catch (RocksDBException e) {
      throw tables.failure("swap " + swaps.size() + " rows of table " + table, e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>One atomic {@link WriteBatch}; a missing table is ignored.
   *
   * @throws NullPointerException when an argument or a key is null
   * @throws QuiverException when RocksDB fails or the store is closed
   */
  @Override
  public void delete(String table, List<byte[]> keys) {
    Objects.requireNonNull(table, "table");
    requireNoNulls(keys, "keys");
    Lock lock = tables.readLock();
    try {
      tables.ensureOpen();
      ColumnFamilyHandle handle = tables.handle(table);
      if (handle == null || keys.isEmpty()) {
        return;
      }
      plain.delete(table, handle, keys);
    } catch (RocksDBException e) {
      throw tables.failure("delete " + keys.size() + " keys of table " + table, e);
    } finally {
      lock.unlock();
    }
  }

  /** Reads hit the block cache or the local files: CPU work, no network. */
  @Override
  public boolean inProcess() {
    return true;
  }

  /** Reads a property of the database: cheap, and it fails when the store is closed or broken. */
  @Override
  public void check() {
    tables.check();
  }

  /**
   * Syncs the WAL (so a clean shutdown loses nothing even with {@code sync} off), then releases the
   * column family handles, the database and every native option object. Waits for calls in flight;
   * idempotent; later calls fail with a {@link QuiverException}.
   */
  @Override
  public void close() {
    tables.close(sync);
  }

  @Override
  public String toString() {
    return "RocksDbOnlineStore[" + path + "]";
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private static void requireNoNulls(List<?> items, String what) {
    Objects.requireNonNull(items, what);
    for (int i = 0; i < items.size(); i++) {
      if (items.get(i) == null) {
        throw new NullPointerException(what + "[" + i + "] is null");
      }
    }
  }
}
