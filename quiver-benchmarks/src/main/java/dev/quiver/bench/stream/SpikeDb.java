package dev.quiver.bench.stream;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.DataBlockIndexType;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.StringAppendOperator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The {@link BlindAppendBenchmark}'s database: RocksDB tuned as the online store's defaults
 * ({@code RocksDbResources}: 128 MB LRU block cache, Bloom filters of 10 bits per key, hash index in
 * data blocks, LZ4, 64 MB memtables, three at most, the write-ahead log on and not fsynced) with three
 * column families: {@code latest} and {@code tiles} as the online store's two tables of a view with
 * aggregates, and {@code pending}, whose values are appended to by {@code merge} with RocksDB's
 * built-in {@link StringAppendOperator} and an empty delimiter (values are concatenated as they are).
 */
final class SpikeDb implements AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  final ColumnFamilyHandle latest;
  final ColumnFamilyHandle tiles;
  final ColumnFamilyHandle pending;
  private final RocksDB db;
  private final List<ColumnFamilyHandle> handles = new ArrayList<>();
  private final List<AutoCloseable> owned = new ArrayList<>();
  private final ReadOptions read = new ReadOptions();
  private final WriteOptions write = new WriteOptions().setSync(false).setDisableWAL(false);

  SpikeDb(Path dir) throws RocksDBException {
    long buffer = 64L << 20;
    LRUCache cache = new LRUCache(128L << 20, -1, false, 0.2);
    BloomFilter filter = new BloomFilter(10);
    StringAppendOperator append = new StringAppendOperator("");
    owned.addAll(List.of(read, write, append, filter, cache));
    BlockBasedTableConfig table = new BlockBasedTableConfig().setBlockCache(cache).setFilterPolicy(filter)
        .setWholeKeyFiltering(true).setOptimizeFiltersForMemory(true).setCacheIndexAndFilterBlocks(true)
        .setCacheIndexAndFilterBlocksWithHighPriority(true).setPinL0FilterAndIndexBlocksInCache(true)
        .setDataBlockIndexType(DataBlockIndexType.kDataBlockBinaryAndHash).setDataBlockHashTableUtilRatio(0.75);
    ColumnFamilyOptions plain = family(table, buffer);
    ColumnFamilyOptions merged = family(table, buffer).setMergeOperator(append);
    int cores = Runtime.getRuntime().availableProcessors();
    DBOptions options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
        .setIncreaseParallelism(Math.max(2, cores)).setMaxBackgroundJobs(Math.max(2, cores))
        .setDbWriteBufferSize(4 * buffer).setMaxTotalWalSize(4 * buffer).setBytesPerSync(1L << 20)
        .setKeepLogFileNum(5).setMaxLogFileSize(16L << 20);
    owned.addAll(List.of(plain, merged, options));
    List<ColumnFamilyDescriptor> families = List.of(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, plain),
        new ColumnFamilyDescriptor("latest".getBytes(), plain), new ColumnFamilyDescriptor("tiles".getBytes(), plain),
        new ColumnFamilyDescriptor("pending".getBytes(), merged));
    db = RocksDB.open(options, dir.toString(), families, handles);
    latest = handles.get(1);
    tiles = handles.get(2);
    pending = handles.get(3);
  }

  private static ColumnFamilyOptions family(BlockBasedTableConfig table, long buffer) {
    return new ColumnFamilyOptions().setTableFormatConfig(table).setCompressionType(CompressionType.LZ4_COMPRESSION)
        .setBottommostCompressionType(CompressionType.LZ4_COMPRESSION).setWriteBufferSize(buffer)
        .setMaxWriteBufferNumber(3).setLevelCompactionDynamicLevelBytes(true).setMemtableWholeKeyFiltering(true)
        .setMemtablePrefixBloomSizeRatio(0.1);
  }

  List<byte[]> multiGet(ColumnFamilyHandle family, List<byte[]> keys) throws RocksDBException {
    return db.multiGetAsList(read, Collections.nCopies(keys.size(), family), keys);
  }

  /** Every key of a column family, in key order. */
  List<byte[]> keys(ColumnFamilyHandle family) {
    List<byte[]> out = new ArrayList<>();
    try (RocksIterator it = db.newIterator(family, read)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        out.add(it.key());
      }
    }
    return out;
  }

  void write(WriteBatch batch) throws RocksDBException {
    db.write(write, batch);
  }

  void flushWal() throws RocksDBException {
    db.flushWal(false);
  }

  @Override
  public void close() {
    handles.forEach(ColumnFamilyHandle::close);
    db.close();
    for (AutoCloseable c : owned) {
      try {
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
