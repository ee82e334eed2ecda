package dev.quiver.offline.spark;

import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.testkit.SourceRowsContract;
import java.nio.file.Path;
import java.util.List;

/** Materialization's source reads on Spark local mode: the {@link SourceRowsContract}. */
class SparkSourceRowsTest extends SourceRowsContract {
  @Override
  protected OfflineEngine engine() {
    return TestSpark.engine();
  }

  @Override
  protected void writeTable(Path file, List<Column> columns, List<Object[]> rows) {
    TestSpark.writeParquet(file, columns, rows);
  }
}
