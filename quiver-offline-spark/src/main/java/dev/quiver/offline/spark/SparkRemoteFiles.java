package dev.quiver.offline.spark;

import dev.quiver.core.SourceDataException;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.Partitioning;
import dev.quiver.core.spi.SourceFiles;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.SparkSession;

/**
 * The files of a source at a URI ({@code s3a://lake/events/}, {@code hdfs://nn/e/*.parquet}), listed
 * on the driver through the Hadoop file system the cluster configures (nothing is checked on this
 * machine's disk): a dataset directory is every {@code .parquet} file below it, hidden and {@code _}
 * names skipped, and a glob is Hadoop's; in both the files are sorted by path, which is the tie
 * rule's file order, as {@link SourceFiles} sorts local files.
 *
 * @param paths the files, as Spark reads them (glob characters escaped)
 * @param keys the files as Spark's {@code _metadata.file_path} names them
 * @param names the files as people read them (their URIs)
 * @param bytes the files' total size
 * @param read how their folders add columns
 * @param schema the schema to read the files with, or null to infer it from them (an Iceberg
 *     table's current schema, {@link SparkIcebergFiles})
 * @param snapshot the Iceberg snapshot the files are, or null
 * @param partitionValues an Iceberg table's identity-partition values by column and file key, for
 *     files without the column ({@link IcebergPartitionValues}); empty otherwise
 */
record SparkRemoteFiles(List<String> paths, List<String> keys, List<String> names, long bytes, SparkTables.Read read,
    org.apache.spark.sql.types.StructType schema, Long snapshot, java.util.Map<String, java.util.Map<String, Object>> partitionValues) {

  /**
   * The files of a source this machine does not read itself: an Iceberg table's at its current
   * snapshot ({@link SparkIcebergFiles}) or those at a URI ({@link #list}); null for local files.
   */
  static SparkRemoteFiles of(SparkSession spark, FileSource source, java.nio.file.Path repoRoot) {
    if (source.isIceberg()) {
      return SparkIcebergFiles.list(spark, source, repoRoot);
    }
    return source.scheme() == null ? null : list(spark, source);
  }

  /** Lists the source's files; a clear error when the URI cannot be listed or names nothing. */
  static SparkRemoteFiles list(SparkSession spark, FileSource source) {
    String what = "source '" + source.name() + "' (" + source.path() + ")";
    try {
      org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(source.path());
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      List<FileStatus> files = new ArrayList<>();
      String base = null;
      if (SourceFiles.isGlob(source.path())) {
        FileStatus[] matched = fs.globStatus(path);
        for (FileStatus s : matched == null ? new FileStatus[0] : matched) {
          if (s.isFile()) {
            files.add(s);
          }
        }
        if (source.table().partitioning() == Partitioning.HIVE) {
          base = globBase(source.path());
        }
      } else if (fs.getFileStatus(path).isDirectory()) {
        if (source.format() != FileFormat.PARQUET) {
          throw new SourceDataException(source.name(), source.path(), what + " is a directory, read as a Parquet dataset;"
              + " give format: parquet, or a glob of its files");
        }
        String root = fs.makeQualified(path).toUri().getPath();
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(path, true);
        while (it.hasNext()) {
          LocatedFileStatus s = it.next();
          String rel = s.getPath().toUri().getPath().substring(Math.min(root.length(), s.getPath().toUri().getPath().length()));
          if (s.isFile() && visible(rel) && s.getPath().getName().toLowerCase(Locale.ROOT).endsWith(".parquet")) {
            files.add(s);
          }
        }
        if (source.table().partitioning() != Partitioning.NONE) {
          base = fs.makeQualified(path).toString();
        }
      } else {
        files.add(fs.getFileStatus(path));
      }
      if (files.isEmpty()) {
        throw new SourceDataException(source.name(), source.path(), what + ": no file matches; check the path and that"
            + " the cluster can list it");
      }
      files.sort((a, b) -> a.getPath().toString().compareTo(b.getPath().toString()));
      List<String> paths = new ArrayList<>();
      List<String> keys = new ArrayList<>();
      List<String> names = new ArrayList<>();
      long bytes = 0;
      for (FileStatus s : files) {
        String uri = fs.makeQualified(s.getPath()).toString();
        paths.add(escaped(uri));
        names.add(uri);
        keys.add(sparkKey(fs.makeQualified(s.getPath()).toUri()));
        bytes += s.getLen();
      }
      SparkTables.Read read = base == null ? SparkTables.PLAIN : new SparkTables.Read(base, source.table().partitionTypes());
      return new SparkRemoteFiles(List.copyOf(paths), List.copyOf(keys), List.copyOf(names), bytes, read, null, null,
          java.util.Map.of());
    } catch (IOException | RuntimeException e) {
      if (e instanceof SourceDataException s) {
        throw s;
      }
      throw new SourceDataException(source.name(), source.path(), what + ": Spark cannot list it: "
          + SparkSessions.firstLine(e.getMessage()) + " (a cluster reading s3a:// needs hadoop-aws on its classpath"
          + " and credentials in its Spark conf; see docs/spark.md)", e);
    }
  }

  /** The URI as Spark's {@code _metadata.file_path} writes it ({@code file:/x}, not {@code file:///x}). */
  static String sparkKey(java.net.URI u) throws IOException {
    String authority = u.getAuthority() == null || u.getAuthority().isEmpty() ? null : u.getAuthority();
    try {
      return new org.apache.hadoop.fs.Path(new java.net.URI(u.getScheme(), authority, u.getPath(), null, null)).toUri().toString();
    } catch (java.net.URISyntaxException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private static boolean visible(String relative) {
    for (String part : relative.split("/")) {
      if (part.startsWith(".") || part.startsWith("_")) {
        return false;
      }
    }
    return true;
  }

  /** A glob's directory: its segments before the first with a glob character. */
  private static String globBase(String glob) {
    String[] segments = glob.split("/", -1);
    int i = 0;
    while (i < segments.length - 1 && !SourceFiles.isGlob(segments[i])) {
      i++;
    }
    return String.join("/", java.util.Arrays.copyOfRange(segments, 0, i));
  }

  /** A path naming exactly this file for Spark's reader, which expands glob characters. */
  static String escaped(String uri) {
    StringBuilder s = new StringBuilder(uri.length());
    for (char c : uri.toCharArray()) {
      if ("\\{}[]*?".indexOf(c) >= 0) {
        s.append('\\');
      }
      s.append(c);
    }
    return s.toString();
  }
}
