package dev.quiver.offline.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.SourceDataException;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.offline.DatasetDirectory;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a cluster makes possible, reported as such: a source file the executors cannot read (gone
 * after the driver listed it) names the source and the file; a source whose files drifted from the
 * types the registry recorded (a key column, a column feature) names the source, the column, the type
 * expected and the type found, before any task runs.
 */
class SparkSourceErrorsTest {
  private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
  private static final List<Column> TXNS = List.of(new Column("user_id", ScalarType.INT64), new Column("event_ts",
      ScalarType.TIMESTAMP), new Column("amount", ScalarType.FLOAT64), new Column("country", ScalarType.STRING));

  @TempDir Path repo;

  private FeatureRepo open() throws Exception {
    Files.createDirectories(repo.resolve("features"));
    Files.writeString(repo.resolve("quiver.yaml"), "project: errs\nregistry: {type: file, path: .quiver/registry}\n"
        + "offline: {engine: spark, master: 'local[2]'}\nonline: {type: rocksdb, path: .quiver/online}\ndefinitions: [features]\n");
    Files.writeString(repo.resolve("features/defs.yaml"), """
        entities:
          - {name: user, join_keys: [user_id], type: int64}
        sources:
          - {name: txns, path: data/txns/*.parquet, timestamp: event_ts}
        feature_views:
          - name: user_txn
            entities: [user]
            source: txns
            features: [{name: amount}, {name: country}]
        """);
    for (int f = 0; f < 3; f++) {
      writeTxns(f, TXNS, false);
    }
    List<Object[]> query = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      query.add(new Object[] {(long) (i % 7), T0.plusSeconds(3600L * i)});
    }
    TestSpark.writeParquet(repo.resolve("data/query.parquet"), List.of(new Column("user_id", ScalarType.INT64),
        new Column("event_timestamp", ScalarType.TIMESTAMP)), query);
    FeatureRepo r = FeatureRepo.open(repo, Clock.fixed(T0.plusSeconds(86_400 * 10), ZoneOffset.UTC));
    r.apply(r.plan(false), "test", "first", false);
    return r;
  }

  private void writeTxns(int file, List<Column> columns, boolean drifted) {
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      long user = (i + file) % 7;
      rows.add(new Object[] {columns.get(0).type() == ScalarType.STRING ? "u" + user : user, T0.plusSeconds(1800L * i + file),
          drifted && columns.get(2).type() == ScalarType.STRING ? "12.5" : 1.5 * i, "c" + i % 3});
    }
    TestSpark.writeParquet(repo.resolve("data/txns/part-" + file + ".parquet"), columns, rows);
  }

  private HistoricalRequest request() {
    return HistoricalRequest.ofFeatures(new QueryInput.Files(repo.resolve("data/query.parquet").toString(), FileFormat.PARQUET),
        List.of(FeatureRef.of("user_txn:amount"), FeatureRef.of("user_txn:country")));
  }

  @Test
  void aSourceFileTheExecutorsCannotReadIsNamed() throws Exception {
    try (FeatureRepo r = open()) {
      SparkOfflineEngine engine = (SparkOfflineEngine) r.offline();
      PointInTimePlan plan = r.planHistoricalFeatures(request());
      TrainingSetJob job = new TrainingSetJob(engine.spark(), plan, repo); // the driver lists the files
      Path gone = repo.resolve("data/txns/part-1.parquet");
      Files.delete(gone); // then one is gone before the executors read it
      Path out = repo.resolve("out/train");
      assertThatThrownBy(() -> engine.writeDataset(job, plan, repo, out, p -> {}))
          .isInstanceOf(SourceDataException.class)
          .hasMessageStartingWith("source 'txns' (data/txns/*.parquet): the Spark executors cannot read " + gone
              + " (the file does not exist): every executor must see the source's files at the same path");
      assertThat(out).doesNotExist();
      assertThat(DatasetDirectory.temp(out)).doesNotExist();
    }
  }

  @Test
  void aKeyColumnOfAnotherTypeIsNamedWithBothTypes() throws Exception {
    try (FeatureRepo r = open()) {
      List<Column> drifted = new ArrayList<>(TXNS);
      drifted.set(0, new Column("user_id", ScalarType.STRING));
      for (int f = 0; f < 3; f++) {
        writeTxns(f, drifted, true);
      }
      assertThatThrownBy(() -> r.writeHistoricalFeatures(request(), repo.resolve("out/train"), p -> {}, null, "test"))
          .isInstanceOf(SourceDataException.class)
          .hasMessage("source 'txns' (data/txns/*.parquet): column 'user_id' (a key of view user_txn@v1) should be int64,"
              + " as registry version 1 recorded, but the files hold string; fix the files, or change the definitions"
              + " and apply them (quiver plan shows what differs)");
    }
  }

  @Test
  void aFeatureColumnOfAnotherTypeIsNamedWithBothTypes() throws Exception {
    try (FeatureRepo r = open()) {
      List<Column> drifted = new ArrayList<>(TXNS);
      drifted.set(2, new Column("amount", ScalarType.STRING));
      for (int f = 0; f < 3; f++) {
        writeTxns(f, drifted, true);
      }
      assertThatThrownBy(() -> r.writeHistoricalFeatures(request(), repo.resolve("out/train.parquet"), p -> {}, null, "test"))
          .isInstanceOf(SourceDataException.class)
          .hasMessageContaining("column 'amount' (a feature of view user_txn@v1) should be float64")
          .hasMessageContaining("but the files hold string;");
      // widths of integers are one type (int32 = int64), and the unchanged repo works
      assertThat(SourceDrift.fits(ScalarType.INT64, ScalarType.INT32)).isTrue();
      assertThat(SourceDrift.fits(ScalarType.FLOAT64, ScalarType.INT32)).isTrue();
      assertThat(SourceDrift.fits(ScalarType.INT64, ScalarType.FLOAT64)).isFalse();
      assertThat(SourceDrift.fits(ScalarType.STRING, ScalarType.BYTES)).isFalse();
    }
  }
}
