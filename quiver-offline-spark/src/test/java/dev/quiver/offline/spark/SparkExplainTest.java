package dev.quiver.offline.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import dev.quiver.core.load.Origins;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ViewBuilder;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.LatestRowsPlan;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.core.offline.PointInTimePlanner;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.spi.SourceColumn;
import dev.quiver.core.validate.DefinitionValidator;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** explain says what runs without running it; what the engine cannot do yet is refused by name. */
class SparkExplainTest {
  @TempDir Path repo;

  private PointInTimePlan plan(OfflineEngine engine) {
    List<Column> events = List.of(new Column("user_id", ScalarType.INT64), new Column("ts", ScalarType.TIMESTAMP),
        new Column("amount", ScalarType.FLOAT64));
    ParquetFiles.write(repo.resolve("events.parquet"), events, List.<Object[]>of(new Object[] {1L, Instant.EPOCH, 2.5}));
    ParquetFiles.write(repo.resolve("query.parquet"), List.of(new Column("user_id", ScalarType.INT64),
        new Column("event_timestamp", ScalarType.TIMESTAMP)), List.<Object[]>of(new Object[] {1L, Instant.EPOCH}));
    Definitions defs = Definitions.builder("explain").entity("user", "user_id", ScalarType.INT64)
        .source(new FileSource("events", "events.parquet", FileFormat.PARQUET, "ts", null, Map.of(), Metadata.EMPTY))
        .view(ViewBuilder.named("user_stats").entities("user").source("events").column("amount"))
        .build();
    Definitions typed = new DefinitionValidator((source, root) -> events.stream()
        .map(c -> new SourceColumn(c.name(), c.type(), c.type().spelling())).toList(), repo)
        .validate(defs, Origins.none(), Set.of());
    QueryInput query = new QueryInput.Files(repo.resolve("query.parquet").toString(), FileFormat.PARQUET);
    List<FileSource> tables = typed.sources().stream().map(s -> (FileSource) s).toList();
    return PointInTimePlanner.plan(typed, 1, HistoricalRequest.ofFeatures(query, List.of(FeatureRef.of("user_stats:amount"))),
        engine.describe(query, tables, repo));
  }

  @Test
  void explainNamesTheStepsAndRunsNoTrainingSetJob() {
    try (OfflineEngine engine = TestSpark.engine()) {
      PointInTimePlan plan = plan(engine);
      engine.explain(plan, repo); // Spark infers a Parquet file's schema with a job, once per file
      AtomicInteger jobs = new AtomicInteger();
      SparkListener count = new SparkListener() {
        @Override
        public void onJobStart(SparkListenerJobStart start) {
          jobs.incrementAndGet();
        }
      };
      TestSpark.session().sparkContext().addSparkListener(count);
      try {
        String explained = engine.explain(plan, repo);
        assertThat(explained).contains("join user_stats@v1: source 'events'", "swept per key by the core JoinSweep",
            "ordered by id", "MapPartitions");
      } finally {
        TestSpark.session().sparkContext().removeSparkListener(count);
      }
      assertThat(jobs.get()).as("Spark jobs started by explain once the files' schemas are known").isZero();
    }
  }
}
