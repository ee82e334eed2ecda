package dev.quiver.offline.spark;

import dev.quiver.core.QuiverException;
import dev.quiver.core.offline.DatasetDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;

/**
 * Writes a training set as a Parquet dataset directory ({@link DatasetDirectory}): every executor
 * task writes the part of its partition of the id-ordered result (range partitions, so part {@code
 * i} holds rows before part {@code i + 1}'s), into a hidden directory beside the target; Spark's part
 * files are then renamed {@code part-00000.parquet}, … in partition order, its other files ({@code
 * _SUCCESS}, checksums) removed, and the directory renamed onto the target. Nothing passes through
 * the driver. The target must be on a file system every executor writes to (a shared mount on a
 * cluster).
 */
final class TrainingSetDirectory {
  private TrainingSetDirectory() {}

  /** Writes {@code rows} (ordered by range partitions) to {@code dir}; returns the rows written. */
  static long write(Dataset<Row> rows, Path dir) {
    Path target = dir.toAbsolutePath();
    DatasetDirectory.checkTarget(target);
    Path temp = DatasetDirectory.temp(target);
    try {
      if (target.getParent() != null) {
        Files.createDirectories(target.getParent());
      }
      DatasetDirectory.deleteTree(temp);
      SparkWrites.run(rows.sparkSession().sparkContext(), () -> rows.write().mode(SaveMode.Overwrite).parquet(temp.toString()));
      List<Path> written;
      try (Stream<Path> files = Files.list(temp)) {
        // Spark names parts part-<partition, 5+ digits>-<job uuid>-c<file>; name order is partition order
        written = files.filter(p -> p.getFileName().toString().startsWith("part-")
            && p.getFileName().toString().endsWith(".parquet")).sorted().toList();
      }
      long count = 0;
      for (int i = 0; i < written.size(); i++) {
        Path part = temp.resolve(DatasetDirectory.partName(i));
        Files.move(written.get(i), part);
        count += TrainingSetFile.parquetRows(rows.sparkSession(), part);
      }
      try (Stream<Path> files = Files.list(temp)) {
        for (Path other : files.filter(p -> !p.getFileName().toString().matches("part-\\d{5,}\\.parquet")).toList()) {
          Files.delete(other);
        }
      }
      DatasetDirectory.commit(temp, target);
      return count;
    } catch (IOException e) {
      throw new QuiverException("cannot write the training set directory " + dir + ": " + e.getMessage(), e);
    } finally {
      try {
        DatasetDirectory.deleteTree(temp);
      } catch (IOException ignored) {
        // best effort: a leftover hidden directory is harmless and replaced next time
      }
    }
  }
}
