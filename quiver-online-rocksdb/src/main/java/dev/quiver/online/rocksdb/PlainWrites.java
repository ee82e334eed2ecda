package dev.quiver.online.rocksdb;

import dev.quiver.core.online.OnlineStore.Entry;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * The unconditional writes of {@link RocksDbOnlineStore} ({@code multiPut}, {@code delete}): one
 * atomic {@link WriteBatch} under the stripes of its keys ({@link KeyStripes}), so it never lands
 * between the read and the write of a swap, forgetting the keys' kept rows ({@link KeptRows}) and
 * bumping their write counters ({@link RowVersions}) before the stripes are let go. Thread-safe; the caller holds the store's lifecycle read lock.
 */
final class PlainWrites {
  private final RocksDB db;
  private final RocksDbResources resources;
  private final KeyStripes keyStripes;
  private final RowVersions versions;
  private final KeptRows kept;

  PlainWrites(RocksDB db, RocksDbResources resources, KeyStripes keyStripes, RowVersions versions, KeptRows kept) {
    this.db = db;
    this.resources = resources;
    this.keyStripes = keyStripes;
    this.versions = versions;
    this.kept = kept;
  }

  /** Writes the entries to the table's column family. */
  void put(String table, ColumnFamilyHandle handle, List<Entry> entries) throws RocksDBException {
    List<byte[]> keys = new ArrayList<>(entries.size());
    entries.forEach(e -> keys.add(e.key()));
    int[] held = keyStripes.lock(table, keys);
    try (WriteBatch batch = new WriteBatch()) {
      for (Entry e : entries) {
        batch.put(handle, e.key(), e.value());
      }
      db.write(resources.writeOptions(), batch);
      bumpAll(table, keys);
    } finally {
      keyStripes.unlock(held);
    }
  }

  /** Deletes the keys from the table's column family. */
  void delete(String table, ColumnFamilyHandle handle, List<byte[]> keys) throws RocksDBException {
    int[] held = keyStripes.lock(table, keys);
    try (WriteBatch batch = new WriteBatch()) {
      for (byte[] key : keys) {
        batch.delete(handle, key);
      }
      db.write(resources.writeOptions(), batch);
      bumpAll(table, keys);
    } finally {
      keyStripes.unlock(held);
    }
  }

  /**
   * Forgets the keys' kept rows ({@link KeptRows}), then counts a finished write of each ({@link
   * RowVersions}); the caller holds their stripes.
   */
  private void bumpAll(String table, List<byte[]> keys) {
    int tableHash = table.hashCode();
    try (WrittenRows.Recording rows = kept.rows().recording(); WrittenRows.Recording heads = kept.headers().recording()) {
      for (byte[] key : keys) {
        int hash = WrittenRows.hash(KeyRef.hash(key), tableHash);
        rows.forget(hash, table, key);
        heads.forget(hash, table, key);
      }
    }
    for (byte[] key : keys) {
      versions.bump(versions.slot(key, tableHash));
    }
  }
}
