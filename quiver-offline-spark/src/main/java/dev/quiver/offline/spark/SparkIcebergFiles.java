package dev.quiver.offline.spark;

import dev.quiver.core.QuiverException;
import dev.quiver.core.SourceDataException;
import dev.quiver.core.load.Secrets;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.IcebergTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.TypeUtil;
import org.apache.spark.sql.SparkSession;

/**
 * The data files of an Iceberg table source at its current snapshot (or the one it is pinned to), planned on the driver with
 * Iceberg's Java API (catalog, snapshot, manifests) and read by Spark's own Parquet reader, since no
 * Iceberg Spark runtime loads on Spark 4.2 (docs/spark.md, "Table sources"). What that reading
 * supports, and what it refuses in one line naming the source, the table and the fix:
 *
 * <ul>
 *   <li><b>Columns by name.</b> Files are read with the table's current schema converted to Spark's
 *       ({@link IcebergSchemas}), so a column added after a file was written reads null in it, as
 *       Iceberg reads it. A table whose history renamed a column, or reused a name for another field
 *       id (dropped and added again), is refused: its older files would be read wrongly by name.
 *   <li><b>Tie order.</b> The files are in the order of their data sequence numbers (commit order),
 *       then by path: rows committed later come later, as appended files do in a directory source.
 *   <li><b>Refused:</b> delete files (a v2 table with row-level deletes not yet compacted), data files
 *       other than Parquet, catalog types whose module Quiver does not ship ({@code hive}).
 * </ul>
 *
 * <p>Columns of types Spark's Parquet reader cannot read are left out ({@link IcebergSchemas}); an
 * identity-partition column missing from a file (imported from a Hive layout) reads the file's
 * partition value from the metadata ({@link IcebergPartitionValues}).
 *
 * <p>Catalogs are built once per distinct property map (after {@code ${ENV}} and {@code ${file:...}}
 * references are resolved) and kept for the process. A table with no snapshot yet has no files:
 * reading it is refused as an empty directory is. Thread-safe.
 */
final class SparkIcebergFiles {
  private static final Map<Map<String, String>, Catalog> CATALOGS = new ConcurrentHashMap<>();

  private SparkIcebergFiles() {}

  /**
   * The source pinned to its table's current snapshot and schema ({@link IcebergTable#snapshot()},
   * {@link IcebergTable#schema()}); a pinned source as it is.
   */
  static FileSource pinned(SparkSession spark, FileSource source, Path repoRoot) {
    IcebergTable iceberg = source.table().iceberg();
    if (iceberg.snapshot() != null) {
      return source;
    }
    String what = what(source);
    Table table = load(source, iceberg, repoRoot, spark.sparkContext().hadoopConfiguration(), what);
    Snapshot snapshot = snapshot(source, table, what);
    return source.withTable(source.table().withIceberg(iceberg.atSnapshot(snapshot.snapshotId(), table.schema().schemaId())));
  }

  /**
   * Lists the table's files at its pinned snapshot ({@link IcebergTable#snapshot()}), else at its
   * current one, in tie order, with the pinned schema, else the table's current one (as Iceberg reads
   * the current state: a column renamed since the last commit has its new name).
   */
  static SparkRemoteFiles list(SparkSession spark, FileSource source, Path repoRoot) {
    IcebergTable iceberg = source.table().iceberg();
    String what = what(source);
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    Table table = load(source, iceberg, repoRoot, hadoop, what);
    Snapshot snapshot = snapshot(source, table, what);
    Schema schema = schema(source, table, what);
    List<DataFile> files = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(snapshot.snapshotId()).planFiles()) {
      for (FileScanTask task : tasks) {
        if (!task.deletes().isEmpty()) {
          throw new SourceDataException(source.name(), source.path(), what + " has row-level delete files at snapshot "
              + snapshot.snapshotId() + " (for example " + task.deletes().getFirst().location() + "), which Quiver cannot"
              + " apply; compact the table so that its deletes are applied to the data files (Spark:"
              + " CALL <catalog>.system.rewrite_data_files(table => '" + iceberg.table() + "', options =>"
              + " map('delete-file-threshold', '1'))), then read it again");
        }
        if (task.file().format() != FileFormat.PARQUET) {
          throw new SourceDataException(source.name(), source.path(), what + " holds a " + task.file().format()
              + " data file (" + task.file().location() + "); Quiver reads Iceberg tables whose data files are"
              + " Parquet (write.format.default=parquet)");
        }
        files.add(task.file());
      }
    } catch (IOException e) {
      throw new SourceDataException(source.name(), source.path(), what + ": cannot plan its scan: " + e.getMessage(), e);
    } catch (UncheckedIOException e) {
      throw new SourceDataException(source.name(), source.path(), what + ": cannot read its metadata: "
          + SparkSessions.firstLine(e.getMessage()), e);
    }
    if (files.isEmpty()) {
      throw new SourceDataException(source.name(), source.path(), what + " has no data files at snapshot "
          + snapshot.snapshotId() + "; write to the table first");
    }
    refuseRenames(source, table, schema, files, what);
    files.sort(Comparator.<DataFile>comparingLong(f -> f.dataSequenceNumber() == null ? 0 : f.dataSequenceNumber())
        .thenComparing(DataFile::location));
    List<String> paths = new ArrayList<>(files.size());
    List<String> keys = new ArrayList<>(files.size());
    List<String> names = new ArrayList<>(files.size());
    long bytes = 0;
    try {
      for (DataFile f : files) {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(f.location());
        FileSystem fs = p.getFileSystem(hadoop);
        org.apache.hadoop.fs.Path qualified = fs.makeQualified(p);
        paths.add(SparkRemoteFiles.escaped(qualified.toString()));
        keys.add(SparkRemoteFiles.sparkKey(qualified.toUri()));
        names.add(qualified.toString());
        bytes += f.fileSizeInBytes();
      }
    } catch (IOException e) {
      throw new SourceDataException(source.name(), source.path(), what + ": cannot resolve its data files' file system: "
          + SparkSessions.firstLine(e.getMessage()) + " (a cluster reading s3a:// needs hadoop-aws on its classpath)", e);
    }
    return new SparkRemoteFiles(List.copyOf(paths), List.copyOf(keys), List.copyOf(names), bytes, SparkTables.PLAIN,
        IcebergSchemas.toSpark(schema), snapshot.snapshotId(), IcebergPartitionValues.of(table, schema, files, keys));
  }

  private static String what(FileSource source) {
    return "source '" + source.name() + "' (Iceberg table " + source.table().iceberg().table() + ")";
  }

  /** The pinned schema ({@link IcebergTable#schema()}), else the table's current one, as Iceberg reads a table. */
  private static Schema schema(FileSource source, Table table, String what) {
    Integer pinned = source.table().iceberg().schema();
    if (pinned == null) {
      return table.schema();
    }
    Schema s = table.schemas().get(pinned);
    if (s == null) {
      throw new SourceDataException(source.name(), source.path(), what + " no longer has schema " + pinned
          + ", which the snapshot was read with; it cannot be read the same way again");
    }
    return s;
  }

  /** The pinned snapshot, else the current one; a clear error when there is none. */
  private static Snapshot snapshot(FileSource source, Table table, String what) {
    Long pinned = source.table().iceberg().snapshot();
    if (pinned != null) {
      Snapshot s = table.snapshot(pinned);
      if (s == null) {
        throw new SourceDataException(source.name(), source.path(), what + " no longer has snapshot " + pinned
            + " (expired: expire_snapshots removes old snapshots), so what was read then cannot be read again; keep"
            + " snapshots that saved datasets read (a tag: ALTER TABLE ... CREATE TAG ... AS OF VERSION " + pinned + ")");
      }
      return s;
    }
    Snapshot current = table.currentSnapshot();
    if (current == null) {
      throw new SourceDataException(source.name(), source.path(), what + " has no snapshot yet (no rows were ever"
          + " committed); write to the table first");
    }
    return current;
  }

  private static Table load(FileSource source, IcebergTable iceberg, Path repoRoot, Configuration hadoop, String what) {
    Map<String, String> properties = new TreeMap<>();
    for (Map.Entry<String, String> e : iceberg.catalog().entrySet()) {
      try {
        properties.put(e.getKey(), Secrets.resolve(e.getValue(), repoRoot, what + " catalog." + e.getKey()));
      } catch (QuiverException x) {
        throw new SourceDataException(source.name(), source.path(), x.getMessage(), x);
      }
    }
    String type = properties.getOrDefault(CatalogUtil.ICEBERG_CATALOG_TYPE, "");
    if (type.isEmpty() && !properties.containsKey("catalog-impl")) {
      throw new SourceDataException(source.name(), source.path(), what + ": its catalog has no type; give catalog:"
          + " {type: rest, uri: ...} or {type: hadoop, warehouse: ...}");
    }
    if (type.toLowerCase(Locale.ROOT).equals(CatalogUtil.ICEBERG_CATALOG_TYPE_HIVE)) {
      throw new SourceDataException(source.name(), source.path(), what + ": catalog type 'hive' needs Iceberg's Hive"
          + " metastore client, which Quiver does not ship; use the metastore through a REST catalog, or type: hadoop");
    }
    Catalog catalog;
    try {
      catalog = CATALOGS.computeIfAbsent(Map.copyOf(properties), p -> CatalogUtil.buildIcebergCatalog(
          "quiver_" + Integer.toHexString(new TreeMap<>(p).toString().hashCode()), new HashMap<>(p), hadoop));
    } catch (RuntimeException e) {
      throw new SourceDataException(source.name(), source.path(), what + ": cannot open its catalog (type "
          + (type.isEmpty() ? properties.get("catalog-impl") : type) + "): " + Secrets.redact(SparkSessions.firstLine(
              String.valueOf(rootCause(e).getMessage()))) + "; check the catalog's properties and that it is reachable", e);
    }
    TableIdentifier id;
    try {
      id = TableIdentifier.parse(iceberg.table());
    } catch (IllegalArgumentException e) {
      throw new SourceDataException(source.name(), source.path(), what + ": '" + iceberg.table() + "' is not a table"
          + " identifier; write namespace.table", e);
    }
    try {
      return catalog.loadTable(id);
    } catch (NoSuchNamespaceException e) {
      throw new SourceDataException(source.name(), source.path(), what + ": the catalog has no namespace '"
          + id.namespace() + "'; check the table's name (namespace.table) and the catalog's properties", e);
    } catch (NoSuchTableException e) {
      throw new SourceDataException(source.name(), source.path(), what + ": the catalog has no table '" + iceberg.table()
          + "'; check the table's name (namespace.table) and the catalog's properties", e);
    } catch (RuntimeException e) {
      throw new SourceDataException(source.name(), source.path(), what + ": cannot load it from its catalog: "
          + Secrets.redact(SparkSessions.firstLine(String.valueOf(rootCause(e).getMessage())))
          + "; check that the catalog is reachable from this machine and its properties", e);
    }
  }

  /**
   * Refuses files written under another name for a column of the schema read ({@code current}, the
   * snapshot's), or with that name on another field id (dropped and added again): they are read by
   * name. A file's schema is the one current when the snapshot that added it was committed (by its
   * file sequence number); when that snapshot was expired, every schema the table remembers is checked.
   */
  private static void refuseRenames(FileSource source, Table table, Schema current, List<DataFile> files, String what) {
    Map<Integer, String> currentNames = TypeUtil.indexNameById(current.asStruct());
    Map<Long, Integer> schemaBySequence = new HashMap<>();
    for (Snapshot s : table.snapshots()) {
      if (s.schemaId() != null) {
        schemaBySequence.put(s.sequenceNumber(), s.schemaId());
      }
    }
    java.util.Set<Integer> checked = new java.util.HashSet<>();
    for (DataFile f : files) {
      Integer schemaId = f.fileSequenceNumber() == null ? null : schemaBySequence.get(f.fileSequenceNumber());
      List<Schema> candidates = schemaId == null || table.schemas().get(schemaId) == null
          ? List.copyOf(table.schemas().values()) : List.of(table.schemas().get(schemaId));
      for (Schema written : candidates) {
        if (!checked.add(written.schemaId())) {
          continue;
        }
        Map<Integer, String> writtenNames = TypeUtil.indexNameById(written.asStruct());
        for (Map.Entry<Integer, String> e : writtenNames.entrySet()) {
          String now = currentNames.get(e.getKey());
          if (now != null && !now.equals(e.getValue())) {
            throw new SourceDataException(source.name(), source.path(), what + ": column '" + now + "' was named '"
                + e.getValue() + "' when some of its data files were written (Iceberg field id " + e.getKey() + ", schema "
                + written.schemaId() + "); Quiver reads the table's Parquet files by column name, so those files would read"
                + " it as null; rewrite them with the current names (Spark: CALL <catalog>.system.rewrite_data_files(table =>"
                + " '" + source.table().iceberg().table() + "', options => map('rewrite-all', 'true')))");
          }
          Integer currentId = current.findField(e.getValue()) == null ? null : current.findField(e.getValue()).fieldId();
          if (currentId != null && currentId.intValue() != e.getKey() && !currentNames.containsKey(e.getKey())) {
            throw new SourceDataException(source.name(), source.path(), what + ": column '" + e.getValue() + "' is Iceberg"
                + " field id " + currentId + ", but some data files were written when that name was field id " + e.getKey()
                + " (dropped and added again; schema " + written.schemaId() + "); Quiver reads the table's Parquet files by"
                + " column name, so those files would read the old field's values; rewrite them with the current schema (Spark:"
                + " CALL <catalog>.system.rewrite_data_files(table => '" + source.table().iceberg().table() + "', options =>"
                + " map('rewrite-all', 'true')))");
          }
        }
      }
    }
  }

  private static Throwable rootCause(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c;
  }
}
