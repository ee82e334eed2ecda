package dev.quiver.server.flight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.NotFoundException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.offline.DatasetDirectory;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.offline.duckdb.DuckDbEngineProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dataset directory read as one table: its parts in name order, rows in order within each; empty and changed directories refused. */
class DatasetPartsTest {
  @TempDir Path tmp;
  private final OfflineEngine engine = new DuckDbEngineProvider().open(Map.of());

  @AfterEach
  void close() {
    engine.close();
  }

  /** Writes part {@code index} holding rows {@code from} to {@code to - 1} (n, and n * 2 as a string). */
  private static void part(Path dir, int index, long from, long to, String extra) throws Exception {
    Files.createDirectories(dir);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT range AS n, CAST(range * 2 AS VARCHAR) AS s" + extra + " FROM range(" + from + ", " + to
          + ") ORDER BY range) TO '" + dir.resolve(DatasetDirectory.partName(index)) + "' (FORMAT parquet)");
    }
  }

  @Test
  void thePartsAreReadOneAfterTheOtherInNameOrder() throws Exception {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    Path dir = tmp.resolve("set");
    int parts = r.nextInt(2, 12); // more than ten: part-00010 sorts after part-00009
    List<Long> expected = new ArrayList<>();
    long n = 0;
    for (int i = 0; i < parts; i++) {
      long size = r.nextInt(3) == 0 ? 0 : r.nextInt(1, 5000);
      part(dir, i, n, n + size, "");
      for (long k = n; k < n + size; k++) {
        expected.add(k);
      }
      n += size;
    }
    List<Long> got = new ArrayList<>();
    try (HistoricalRows rows = DatasetParts.read(engine, "set", dir)) {
      assertThat(rows.columns().stream().map(c -> c.name()).toList()).containsExactly("n", "s");
      while (rows.hasNext()) {
        Object[] row = rows.next();
        assertThat(row[1]).isEqualTo(String.valueOf((Long) row[0] * 2));
        got.add((Long) row[0]);
      }
    }
    assertThat(got).as("seed %d, %d parts", seed, parts).isEqualTo(expected);
  }

  @Test
  void aGoneOrEmptyDirectoryIsNotFoundAndAPartWithOtherColumnsIsNamed() throws Exception {
    assertThatThrownBy(() -> DatasetParts.read(engine, "gone", tmp.resolve("gone"))).isInstanceOf(NotFoundException.class)
        .hasMessageContaining("gone").hasMessageContaining("quiver datasets reproduce");
    Files.createDirectories(tmp.resolve("empty"));
    assertThatThrownBy(() -> DatasetParts.read(engine, "empty", tmp.resolve("empty"))).isInstanceOf(NotFoundException.class)
        .hasMessageContaining("no part files");
    Path dir = tmp.resolve("changed");
    part(dir, 0, 0, 3, "");
    part(dir, 1, 3, 6, ", 1 AS other");
    try (HistoricalRows rows = DatasetParts.read(engine, "changed", dir)) {
      for (int i = 0; i < 3; i++) {
        rows.next();
      }
      assertThatThrownBy(rows::hasNext).isInstanceOf(QuiverException.class).hasMessageContaining("part-00001.parquet");
    }
  }
}
