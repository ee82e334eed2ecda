package dev.quiver.offline.spark;

import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.testkit.OfflineEngineContract;
import java.nio.file.Path;
import java.util.List;

/**
 * The Spark engine against the offline contract, on local[2] (the session every test of the module
 * shares). Test tables are written with parquet-java directly ({@link ParquetFiles}), in the types
 * Spark writes, so that fixtures cost no Spark job; {@code SparkTypesTest} covers files Spark wrote.
 */
class SparkOfflineEngineTest extends OfflineEngineContract {

  @Override
  protected OfflineEngine engine() {
    return TestSpark.engine();
  }

  @Override
  protected void writeTable(Path file, List<Column> columns, List<Object[]> rows) {
    ParquetFiles.write(file, columns, rows);
  }
}
