package dev.quiver.offline.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.SourceDataException;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.core.repo.Reproduction;
import dev.quiver.core.repo.TrainingSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Saved datasets over an Iceberg table: the training set pins the table's current snapshot (every
 * view over it reads that one), the dataset records it, and a reproduction reads that snapshot again
 * after newer commits, byte for byte; once the snapshot is expired, reproducing says so.
 */
class SparkIcebergDatasetsTest {
  private static final Instant NOW = MaterializationRepos.END.plus(Duration.ofDays(1));

  @TempDir Path tmp;

  @Test
  void aSavedDatasetRecordsTheSnapshotItReadAndReproducesItAfterNewerCommits() throws Exception {
    MaterializationRepos data = new MaterializationRepos(5);
    Path repo = data.writeIceberg(tmp.resolve("spark"), "{engine: spark, master: 'local[2]'}",
        "{type: rocksdb, path: .quiver/online}", "ds");
    List<Object[]> query = new ArrayList<>();
    for (long u = 0; u <= data.users; u++) {
      for (int h = 0; h < 6 * 24 + 12; h += 7) {
        query.add(new Object[] {u, MaterializationRepos.T0.plus(Duration.ofHours(h))});
      }
    }
    TestSpark.writeParquet(repo.resolve("query.parquet"), List.of(new Column("user_id", ScalarType.INT64),
        new Column("ts", ScalarType.TIMESTAMP)), query);
    HistoricalRequest request = new HistoricalRequest(new QueryInput.Files(repo.resolve("query.parquet").toString(),
        FileFormat.PARQUET), MaterializationRepos.USER_REFS, null, 0, false, "ts");
    HadoopCatalog catalog = new HadoopCatalog(new Configuration(), repo.resolve("warehouse").toString());
    Table table = catalog.loadTable(TableIdentifier.of("db", "txns"));
    long first = table.currentSnapshot().snapshotId();
    try (FeatureRepo r = MaterializationRepos.open(repo, NOW)) {
      TrainingSet saved = r.writeHistoricalFeatures(request, repo.resolve("train.parquet"), p -> {}, "ds", "test");
      assertThat(saved.dataset().sourceFingerprints()).containsEntry("iceberg table db.txns", "snapshot " + first
          + ", schema " + table.schema().schemaId());

      // a newer commit: rows for every user inside the query's span, so the same request now answers differently
      List<Object[]> newer = new ArrayList<>();
      for (long u = 0; u <= data.users; u++) {
        newer.add(new Object[] {u, "m-a", MaterializationRepos.T0.plus(Duration.ofHours(1)), null, 99_999.0, "new", 1_000});
      }
      Path file = repo.resolve("data/newer.parquet");
      TestSpark.writeParquet(file, MaterializationRepos.COLUMNS, newer);
      table.newAppend().appendFile(DataFiles.builder(PartitionSpec.unpartitioned()).withPath(file.toString())
          .withFormat(org.apache.iceberg.FileFormat.PARQUET).withFileSizeInBytes(Files.size(file)).withRecordCount(newer.size())
          .build()).commit();
      TrainingSet now = r.writeHistoricalFeatures(request, repo.resolve("now.parquet"), p -> {}, null, "test");
      assertThat(Files.readAllBytes(repo.resolve("now.parquet"))).as("the newer commit changes the answer")
          .isNotEqualTo(Files.readAllBytes(repo.resolve("train.parquet")));
      assertThat(now.rows()).isEqualTo(saved.rows());

      Reproduction again = r.reproduceDataset("ds", repo.resolve("again.parquet"), p -> {});
      assertThat(again.identical()).as("reproduced at the recorded snapshot").isTrue();
      assertThat(Files.readAllBytes(repo.resolve("again.parquet"))).isEqualTo(Files.readAllBytes(repo.resolve("train.parquet")));

      table.refresh();
      table.expireSnapshots().expireSnapshotId(first).commit();
      assertThatThrownBy(() -> r.reproduceDataset("ds", repo.resolve("gone.parquet"), p -> {}))
          .isInstanceOf(SourceDataException.class)
          .hasMessageStartingWith("source 'txns' (Iceberg table db.txns) no longer has snapshot " + first + " (expired");
    }
    catalog.close();
  }
}
