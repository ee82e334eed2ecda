package dev.quiver.online.rocksdb;

import dev.quiver.core.QuiverException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.DataBlockIndexType;
import org.rocksdb.Filter;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;
import org.rocksdb.WriteOptions;

/**
 * The native option objects of one open store (the tuning the package documentation lists), and
 * how a directory is opened with them. Released by {@link #close} once the database is closed.
 *
 * @param readOptions for every read: the serving reads and the reads of the write path
 */
record RocksDbResources(
    Cache cache, Filter filter, DBOptions dbOptions, ColumnFamilyOptions familyOptions,
    ReadOptions readOptions, WriteOptions writeOptions) {

  private static final Object LIBRARY = new Object();
  private static boolean libraryLoaded;

  /** A database opened with its column families: the default one first, then the tables'. */
  record Opened(Path dir, RocksDB db, List<ColumnFamilyHandle> handles, RocksDbResources resources) {}

  /** Releases the option objects; the database using them must be closed first. */
  void close() {
    readOptions.close();
    writeOptions.close();
    familyOptions.close();
    dbOptions.close();
    filter.close();
    cache.close();
  }

  /**
   * Opens (creating if needed) the database in {@code path} with every column family it has.
   *
   * @throws QuiverException when the directory cannot be created or opened, naming it; when another
   *     process (or another open store in this one) holds it, saying so
   */
  static Opened open(Path path, long blockCacheBytes, long writeBufferBytes, boolean sync) {
    Path dir = path.toAbsolutePath().normalize();
    loadLibrary();
    try {
      Files.createDirectories(dir);
    } catch (IOException | RuntimeException e) {
      throw new QuiverException("cannot create the online store directory " + dir + ": " + e, e);
    }
    RocksDbResources resources = create(blockCacheBytes, writeBufferBytes, sync);
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    RocksDB db = null;
    try {
      List<ColumnFamilyDescriptor> families = new ArrayList<>();
      families.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, resources.familyOptions()));
      if (Files.exists(dir.resolve("CURRENT"))) {
        try (Options options = new Options()) {
          for (byte[] name : RocksDB.listColumnFamilies(options, dir.toString())) {
            if (!Arrays.equals(name, RocksDB.DEFAULT_COLUMN_FAMILY)) {
              families.add(new ColumnFamilyDescriptor(name, resources.familyOptions()));
            }
          }
        }
      }
      db = RocksDB.open(resources.dbOptions(), dir.toString(), families, handles);
      return new Opened(dir, db, handles, resources);
    } catch (RocksDBException e) {
      release(handles, db, resources);
      if (isLockConflict(e)) {
        String advice = String.valueOf(e.getMessage()).contains("current process")
            ? "here another store in this same process has it open: close that one first"
            : "stop the other server or command using it, or set online.path to another directory";
        throw new QuiverException("the online store at " + dir + " is in use by another process (RocksDB lets one"
            + " process open it at a time); " + advice + " (" + e.getMessage() + ")", e);
      }
      throw new QuiverException("cannot open the online store at " + dir + ": " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      release(handles, db, resources);
      throw e;
    }
  }

  /** The name of a column family. */
  static String familyName(ColumnFamilyHandle h) {
    try {
      return new String(h.getName(), StandardCharsets.UTF_8);
    } catch (RocksDBException e) {
      throw new QuiverException("cannot read a column family name: " + e.getMessage(), e);
    }
  }

  private static void release(List<ColumnFamilyHandle> handles, RocksDB db, RocksDbResources resources) {
    handles.forEach(ColumnFamilyHandle::close);
    if (db != null) {
      db.close();
    }
    resources.close();
  }

  private static void loadLibrary() {
    synchronized (LIBRARY) {
      if (libraryLoaded) {
        return;
      }
      try {
        RocksDB.loadLibrary();
      } catch (RuntimeException | LinkageError e) {
        throw new QuiverException("cannot load RocksDB's native library for " + System.getProperty("os.name") + " "
            + System.getProperty("os.arch") + "; use another online store type on this platform: " + e, e);
      }
      libraryLoaded = true;
    }
  }

  private static RocksDbResources create(long blockCacheBytes, long writeBufferBytes, boolean sync) {
    int cores = Runtime.getRuntime().availableProcessors();
    Cache cache = new LRUCache(blockCacheBytes, -1, false, 0.2);
    Filter filter = new BloomFilter(10);
    BlockBasedTableConfig table = new BlockBasedTableConfig()
        .setBlockCache(cache)
        .setFilterPolicy(filter)
        .setWholeKeyFiltering(true)
        .setOptimizeFiltersForMemory(true)
        .setCacheIndexAndFilterBlocks(true)
        .setCacheIndexAndFilterBlocksWithHighPriority(true)
        .setPinL0FilterAndIndexBlocksInCache(true)
        .setDataBlockIndexType(DataBlockIndexType.kDataBlockBinaryAndHash)
        .setDataBlockHashTableUtilRatio(0.75);
    ColumnFamilyOptions family = new ColumnFamilyOptions()
        .setTableFormatConfig(table)
        .setCompressionType(CompressionType.LZ4_COMPRESSION)
        .setBottommostCompressionType(CompressionType.LZ4_COMPRESSION)
        .setWriteBufferSize(writeBufferBytes)
        .setMaxWriteBufferNumber(3)
        .setLevelCompactionDynamicLevelBytes(true)
        .setMemtableWholeKeyFiltering(true)
        .setMemtablePrefixBloomSizeRatio(0.1);
    DBOptions db = new DBOptions()
        .setCreateIfMissing(true)
        .setCreateMissingColumnFamilies(true)
        .setIncreaseParallelism(Math.max(2, cores))
        .setMaxBackgroundJobs(Math.max(2, cores))
        .setDbWriteBufferSize(4 * writeBufferBytes)
        .setMaxTotalWalSize(4 * writeBufferBytes)
        .setBytesPerSync(1L << 20)
        .setKeepLogFileNum(5)
        .setMaxLogFileSize(16L << 20);
    WriteOptions write = new WriteOptions().setSync(sync).setDisableWAL(false);
    return new RocksDbResources(cache, filter, db, family, new ReadOptions(), write);
  }

  private static boolean isLockConflict(RocksDBException e) {
    Status status = e.getStatus();
    String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    return (status == null || status.getCode() == Status.Code.IOError) && message.contains("lock");
  }
}
