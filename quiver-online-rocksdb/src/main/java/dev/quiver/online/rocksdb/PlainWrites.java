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
 * between the read and the write of a swap, bumping the keys' write counters ({@link RowVersions})
 * before the stripes are let go. Thread-safe; the caller holds the store's lifecycle read lock.
 */
final class PlainWrites {
  private final RocksDB db;
  private final RocksDbResources resources;
  private final KeyStripes keyStripes;
  private final RowVersions versions;

  PlainWrites(RocksDB db, RocksDbResources resources, KeyStripes keyStripes, RowVersions versions) {
    this.db = db;
    this.resources = resources;
    this.keyStripes = keyStripes;
    this.versions = versions;
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

  /** Counts a finished write of each key ({@link RowVersions}); the caller holds their stripes. */
  private void bumpAll(String table, List<byte[]> keys) {
    int tableHash = table.hashCode();
    for (byte[] key : keys) {
      versions.bump(versions.slot(key, tableHash));
    }
  }
}
