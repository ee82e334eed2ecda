package dev.quiver.offline.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whether an Iceberg Spark runtime works on this module's Spark: a Hadoop catalog in a temporary
 * warehouse, a table created, rows with timestamps (and a null) inserted and read back, and a
 * time-travel read of the first snapshot (SQL {@code VERSION AS OF} and the {@code snapshot-id}
 * option) after a second insert. What the Spark engine would need to read {@code format: iceberg}
 * sources; docs/spark.md ("Table sources") records the outcome per runtime.
 *
 * <p>Not part of the suite (no Iceberg dependency by default; the name does not match Surefire's
 * patterns): the {@code iceberg-probe} profile adds the runtime named by {@code iceberg.spark} (the
 * Spark line it was built for) and {@code iceberg.version}, in test scope only:
 *
 * <pre>{@code
 * ./mvnw -q -o -pl quiver-offline-spark -am verify -Piceberg-probe -Diceberg.spark=4.1 -Diceberg.version=1.12.0 \
 *   -Dtest=IcebergRuntimeProbe -Dsurefire.failIfNoSpecifiedTests=false
 * }</pre>
 */
class IcebergRuntimeProbe {
  @TempDir Path warehouse;

  @Test
  void theRuntimeCreatesWritesReadsAndTimeTravels() {
    SparkSession spark = SparkSessions.isolated(TestSpark.session());
    spark.conf().set("spark.sql.catalog.probe", "org.apache.iceberg.spark.SparkCatalog");
    spark.conf().set("spark.sql.catalog.probe.type", "hadoop");
    spark.conf().set("spark.sql.catalog.probe.warehouse", warehouse.toUri().toString());
    spark.sql("CREATE NAMESPACE IF NOT EXISTS probe.db");
    spark.sql("CREATE TABLE probe.db.events (id BIGINT, ts TIMESTAMP, v STRING) USING iceberg");
    spark.sql("INSERT INTO probe.db.events VALUES (1, TIMESTAMP '2026-01-01 00:00:00.000001', 'a'),"
        + " (2, TIMESTAMP '2026-01-02 12:00:00', NULL)");
    long first = spark.sql("SELECT snapshot_id FROM probe.db.events.snapshots").first().getLong(0);
    spark.sql("INSERT INTO probe.db.events VALUES (3, TIMESTAMP '2026-01-03 00:00:00', 'c')");

    List<Row> now = spark.sql("SELECT id, ts, v FROM probe.db.events ORDER BY id").collectAsList();
    assertThat(now).extracting(r -> r.getLong(0)).containsExactly(1L, 2L, 3L);
    assertThat((Instant) now.get(0).get(1)).isEqualTo(Instant.parse("2026-01-01T00:00:00.000001Z"));
    assertThat((Object) now.get(1).get(2)).isNull();
    List<Row> then = spark.sql("SELECT id FROM probe.db.events VERSION AS OF " + first + " ORDER BY id").collectAsList();
    assertThat(then).extracting(r -> r.getLong(0)).containsExactly(1L, 2L);
    assertThat(spark.read().option("snapshot-id", first).table("probe.db.events").count()).isEqualTo(2);
  }
}
