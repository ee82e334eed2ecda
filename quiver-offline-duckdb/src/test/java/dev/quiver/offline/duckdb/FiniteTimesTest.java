package dev.quiver.offline.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.SourceDataException;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Infinite event and created times are found in every kind of source and named with file and row. */
class FiniteTimesTest {
  @TempDir Path repo;

  private void check(FileSource source) throws Exception {
    SourceScan scan = new SourceScan(source, repo, "__staged");
    try (Connection c = DuckDbSchemaReader.openInMemory(); Statement s = c.createStatement()) {
      if (scan.staging != null) {
        s.execute(scan.staging);
      }
      FiniteTimes.requireFinite(c, scan);
    }
  }

  private void sql(String sql) throws Exception {
    try (Connection c = DuckDbSchemaReader.openInMemory(); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  @Test
  void findsAnInfiniteEventTimeInTheRightFileOfAGlob() throws Exception {
    Files.createDirectories(repo.resolve("data/p"));
    sql("COPY (SELECT i AS id, TIMESTAMP '2026-01-01' + to_days(i) AS ts, NULL::TIMESTAMP AS created FROM range(100) t(i))"
        + " TO '" + repo.resolve("data/p/a.parquet") + "' (FORMAT parquet)");
    sql("COPY (SELECT i AS id, CASE WHEN i = 41 THEN '-infinity'::TIMESTAMP ELSE TIMESTAMP '2026-01-01' END AS ts,"
        + " NULL::TIMESTAMP AS created FROM range(100) t(i)) TO '" + repo.resolve("data/p/b.parquet") + "' (FORMAT parquet)");
    FileSource source = new FileSource("events", "data/p/*.parquet", FileFormat.PARQUET, "ts", "created", null, null);

    assertThatThrownBy(() -> check(source))
        .isInstanceOfSatisfying(SourceDataException.class, e -> assertThat(e.file()).isEqualTo("data/p/b.parquet"))
        .hasMessage("source 'events' has an infinite event time (ts = -infinity) in data/p/b.parquet, row 42: Quiver needs"
            + " finite times; fix or remove such rows (a null event time skips the row)");
  }

  @Test
  void findsAnInfiniteCreatedTimeInACsvSource() throws Exception {
    Files.createDirectories(repo.resolve("data"));
    Files.writeString(repo.resolve("data/e.csv"), "id,ts,created\n1,2026-01-01 00:00:00,2026-01-01 00:00:00\n"
        + "2,2026-01-02 00:00:00,infinity\n");
    FileSource source = new FileSource("events", "data/e.csv", FileFormat.CSV, "ts", "created", null, null);

    assertThatThrownBy(() -> check(source))
        .isInstanceOf(SourceDataException.class)
        .hasMessageContaining("source 'events' has an infinite created time (created = infinity) in data/e.csv, row 2");
  }

  @Test
  void finiteTimesPass() throws Exception {
    Files.createDirectories(repo.resolve("data"));
    sql("COPY (SELECT 1 AS id, TIMESTAMP '2026-01-01' AS ts) TO '" + repo.resolve("data/f.parquet") + "' (FORMAT parquet)");
    check(new FileSource("events", "data/f.parquet", FileFormat.PARQUET, "ts", null, null, null));
  }
}
