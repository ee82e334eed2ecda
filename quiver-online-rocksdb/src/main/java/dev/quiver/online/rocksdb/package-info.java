/**
 * The embedded default online store: RocksDB in a directory of the feature repo, opened through
 * {@link dev.quiver.online.rocksdb.RocksDbOnlineStoreProvider} ({@code online.type: rocksdb}).
 *
 * <h2>Layout</h2>
 *
 * One RocksDB database per directory (default {@code .quiver/online}); one column family per table,
 * named {@code table:} followed by the table name (so no table collides with RocksDB's {@code
 * default} family), created on demand and found again when the store is reopened. Keys are {@link
 * dev.quiver.core.online.KeyEncoding} bytes, values {@link dev.quiver.core.online.RowEncoding} bytes,
 * both stored unchanged. Dropping a table drops its column family.
 *
 * <h2>Writes</h2>
 *
 * {@code multiPutIfNewer} reads the stored rows of the batch's keys with one multi-get, keeps an
 * entry when its order key (bytes 1 to 16 of the value, compared unsigned) is greater than the
 * stored row's and than the earlier entries' of the same key, and writes the survivors in one atomic
 * write batch, under striped locks on the key hashes (taken in ascending order), so concurrent
 * writers (materialization and push) cannot interleave a read-compare-write. {@code
 * multiCompareAndSet} (tile rows) and {@code multiPut} hold the same stripes, so a swap is atomic
 * against every writer; the process is the only one that can open the directory. Every write bumps
 * a counter per key slot ({@code RowVersions}) before releasing its stripes: a row read with its
 * counter ({@code readForSwap}, and the multi-get of {@code multiPutIfNewer}, which runs before the
 * stripes are taken) whose counter has not moved under the stripes is still the stored row, so it is
 * not read again; one whose counter moved is. What a swap or newest-wins write of a key stored (the
 * tile row; the order header) is kept by key ({@code KeptRows}, {@code WrittenRows}; bounded by
 * {@code written_rows_mb}, 256 MB by default), so a key this process wrote is not read from RocksDB
 * again while its entry stands: every write of a key records or forgets its entry under the key's
 * stripe before bumping its counter, a dropped table forgets them all, and a restart starts empty.
 * Every write goes through the write-ahead log; by default it is not fsynced ({@code sync: false}): an acknowledged
 * write survives a crash of the JVM, and an OS crash or power loss can lose the last moments, which
 * re-running the materialization or replaying the stream restores because writes are idempotent.
 * {@code close} syncs the log.
 *
 * <h2>Tuning (defaults)</h2>
 *
 * <ul>
 *   <li>a 128 MB LRU block cache shared by every table ({@code block_cache_mb}), holding index and
 *       filter blocks too (at high priority, level-0 ones pinned), so memory stays bounded;
 *   <li>full Bloom filters, 10 bits per key, on whole keys, plus a memtable Bloom filter: a lookup of
 *       an absent key (a new entity, a first materialization) rarely touches a data block;
 *   <li>a hash index inside data blocks, for point lookups;
 *   <li>LZ4 compression at every level;
 *   <li>64 MB memtables per table, three at most ({@code write_buffer_mb}); all tables' memtables and
 *       the WAL capped at four times that;
 *   <li>background flushes and compactions on as many threads as cores (at least two);
 *   <li>five info logs of at most 16 MB kept in the directory.
 * </ul>
 *
 * <h2>Processes</h2>
 *
 * RocksDB lets one process open a database at a time; a second open (from another process or
 * another store instance in the same one) fails with "the online store at PATH is in use by another
 * process". Serve and write from one process, or use the Redis online store.
 */
package dev.quiver.online.rocksdb;
