package dev.quiver.online.rocksdb;

import dev.quiver.core.QuiverException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * The open database of a {@link RocksDbOnlineStore} and its tables: one column family per table
 * (named {@link RocksDbOnlineStore#TABLE_PREFIX} and the table), and the lifecycle lock. Data calls
 * hold its read lock ({@link #readLock}, {@link #readLockCreating}); creating and dropping a table
 * and closing hold the write lock, so they wait for the calls in flight and no call ever touches a
 * released native handle. Thread-safe.
 */
final class RocksDbTables {
  private final Path path;
  private final RocksDB db;
  private final ColumnFamilyHandle defaultFamily;
  private final RocksDbResources resources;
  private final RowVersions versions;
  private final KeptRows kept;
  private final Map<String, ColumnFamilyHandle> tables = new ConcurrentHashMap<>();
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private volatile boolean closed;

  /**
   * @param versions the store's write counters, all bumped when a table is dropped
   * @param kept the rows the store's writes keep, all forgotten when a table is dropped
   */
  RocksDbTables(RocksDbResources.Opened opened, RowVersions versions, KeptRows kept) {
    this.path = opened.dir();
    this.db = opened.db();
    this.resources = opened.resources();
    this.versions = versions;
    this.kept = kept;
    List<ColumnFamilyHandle> handles = opened.handles();
    this.defaultFamily = handles.get(0);
    for (ColumnFamilyHandle h : handles.subList(1, handles.size())) {
      String name = RocksDbResources.familyName(h);
      if (name.startsWith(RocksDbOnlineStore.TABLE_PREFIX)) {
        tables.put(name.substring(RocksDbOnlineStore.TABLE_PREFIX.length()), h);
      }
    }
  }

  /** The table's column family; null when it does not exist. */
  ColumnFamilyHandle handle(String table) {
    return tables.get(table);
  }

  /** Creates the table's column family unless it exists. */
  void create(String table) {
    Objects.requireNonNull(table, "table");
    if (tables.containsKey(table)) {
      ensureOpen();
      return;
    }
    Lock lock = lifecycle.writeLock();
    lock.lock();
    try {
      ensureOpen();
      if (!tables.containsKey(table)) {
        byte[] name = (RocksDbOnlineStore.TABLE_PREFIX + table).getBytes(StandardCharsets.UTF_8);
        tables.put(table, db.createColumnFamily(new ColumnFamilyDescriptor(name, resources.familyOptions())));
      }
    } catch (RocksDBException e) {
      throw failure("create table " + table, e);
    } finally {
      lock.unlock();
    }
  }

  /** Drops the table's column family, if it exists, forgets every kept row and bumps every write counter. */
  void drop(String table) {
    Objects.requireNonNull(table, "table");
    Lock lock = lifecycle.writeLock();
    lock.lock();
    try {
      ensureOpen();
      ColumnFamilyHandle handle = tables.get(table);
      if (handle != null) {
        db.dropColumnFamily(handle);
        tables.remove(table);
        handle.close();
        kept.clear(); // its rows are gone: none is kept, and no swap may trust a read of them
        versions.bumpAll();
      }
    } catch (RocksDBException e) {
      throw failure("drop table " + table, e);
    } finally {
      lock.unlock();
    }
  }

  /** The read lock, held; the caller unlocks it (and checks {@link #ensureOpen} under it). */
  Lock readLock() {
    Lock lock = lifecycle.readLock();
    lock.lock();
    return lock;
  }

  /** The read lock, held with the table existing (created here when missing). */
  Lock readLockCreating(String table) {
    while (true) {
      Lock lock = lifecycle.readLock();
      lock.lock();
      if (closed) {
        lock.unlock();
        ensureOpen();
      }
      if (tables.containsKey(table)) {
        return lock;
      }
      lock.unlock();
      create(table); // a concurrent drop may remove it again before the read lock: try again
    }
  }

  /** Reads a property of the database: cheap, and it fails when the store is closed or broken. */
  void check() {
    Lock lock = lifecycle.readLock();
    lock.lock();
    try {
      ensureOpen();
      db.getLongProperty(defaultFamily, "rocksdb.estimate-num-keys");
    } catch (RocksDBException e) {
      throw failure("answer a health check", e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Syncs the WAL unless every write did ({@code sync}), then releases the column family handles, the
   * database and every native option object. Waits for calls in flight; idempotent.
   */
  void close(boolean sync) {
    Lock lock = lifecycle.writeLock();
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      RocksDBException failure = null;
      try {
        if (!sync) {
          db.flushWal(true);
        }
      } catch (RocksDBException e) {
        failure = e;
      }
      tables.values().forEach(ColumnFamilyHandle::close);
      tables.clear();
      defaultFamily.close();
      try {
        db.closeE();
      } catch (RocksDBException e) {
        failure = failure == null ? e : failure;
      } finally {
        resources.close();
      }
      if (failure != null) {
        throw failure("close", failure);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Throws a {@link QuiverException} naming the directory once the store is closed. */
  void ensureOpen() {
    if (closed) {
      throw new QuiverException("the online store at " + path + " is closed");
    }
  }

  /** A RocksDB failure as a {@link QuiverException} naming the directory and what failed. */
  QuiverException failure(String action, RocksDBException e) {
    return new QuiverException("the online store at " + path + " could not " + action + ": " + e.getMessage(), e);
  }
}
