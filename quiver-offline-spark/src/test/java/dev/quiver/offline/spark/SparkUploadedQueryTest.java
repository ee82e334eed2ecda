package dev.quiver.offline.spark;

import static dev.quiver.offline.spark.DifferentialRepo.FEATURES;

import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uploaded query rows end to end on Spark, as the Flight server runs them: the randomized differential
 * repo's query rows written by the Spark engine's {@code writeQueryRows}, then the training set over
 * that file streamed on a thread with no active Spark session (a server's request thread), equal cell
 * by cell and in query order to DuckDB's over the original query file.
 */
class SparkUploadedQueryTest {
  @TempDir Path tmp;

  @Test
  void aTrainingSetOverUploadedRowsOnARequestThreadEqualsDuckDbs() throws Exception {
    long seed = new java.util.Random().nextLong();
    DifferentialRepo data = new DifferentialRepo(seed);
    data.writeData(tmp.resolve("src"));
    Path a = data.repo(tmp.resolve("duckdb"), tmp.resolve("src"), "{engine: duckdb}");
    Path b = data.repo(tmp.resolve("spark"), tmp.resolve("src"), "{engine: spark, master: 'local[2]'}");
    try (FeatureRepo duck = DuckDbSparkDifferentialTest.open(a); FeatureRepo spark = DuckDbSparkDifferentialTest.open(b)) {
      Path original = a.resolve("data/query.parquet");
      List<Column> columns;
      List<Object[]> rows = new ArrayList<>();
      try (HistoricalRows r = duck.offline().read(original, FileFormat.PARQUET)) {
        columns = r.columns();
        r.forEachRemaining(rows::add);
      }
      Path uploaded = b.resolve(".quiver/tmp/uploaded.parquet");
      java.nio.file.Files.createDirectories(uploaded.getParent());
      spark.offline().writeQueryRows(uploaded, columns, rows.iterator());
      List<FeatureRef> all = DuckDbSparkDifferentialTest.refs(FEATURES.keySet().toArray(String[]::new));
      Throwable[] failed = new Throwable[1];
      Thread request = new Thread(() -> {
        SparkSession.clearActiveSession(); // a gRPC request thread inherits no session
        try {
          DuckDbSparkDifferentialTest.assertSameTrainingSet(seed, "uploaded query rows", duck, spark,
              HistoricalRequest.ofFeatures(new QueryInput.Files(original.toString(), FileFormat.PARQUET), all).withFullFeatureNames(true),
              HistoricalRequest.ofFeatures(new QueryInput.Files(uploaded.toString(), FileFormat.PARQUET), all).withFullFeatureNames(true));
        } catch (Throwable e) {
          failed[0] = e;
        }
      });
      request.start();
      request.join();
      if (failed[0] != null) {
        throw new AssertionError("seed " + seed, failed[0]);
      }
    }
  }
}
