package dev.quiver.offline.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link PicksTable} reads back exactly what was written, row for row in order, with nulls where a
 * join picked nothing — also when the lists are cut into several pieces (the reference workload's
 * million query rows fit in one piece, so only this test crosses a piece boundary).
 */
class PicksTableTest {
  @ParameterizedTest
  @CsvSource({"0, 1, 1", "1, 1, 1", "10, 3, 3", "1000, 7, 2", "1000, 1000, 3", "1000, 999, 1", "5000, 1024, 3", "3, 1048576, 2"})
  void writesEveryPickInQueryOrder(int n, int piece, int joins) throws Exception {
    SplittableRandom r = new SplittableRandom(31L * n + piece);
    long[][] picked = new long[joins][n];
    boolean[][] none = new boolean[joins][n];
    List<String> columns = new ArrayList<>();
    for (int j = 0; j < joins; j++) {
      columns.add("p" + j);
      for (int i = 0; i < n; i++) {
        none[j][i] = r.nextInt(5) == 0;
        picked[j][i] = none[j][i] ? r.nextLong() : r.nextLong(-1_000_000_000_000L, 1_000_000_000_000L);
      }
    }
    try (Connection c = DuckDbSchemaReader.openInMemory(); Statement s = c.createStatement()) {
      PicksTable.write(c, "picks", columns, picked, none, n, piece);
      int row = 0;
      try (ResultSet rs = s.executeQuery("SELECT * FROM picks ORDER BY rowid")) {
        assertThat(rs.getMetaData().getColumnCount()).isEqualTo(joins);
        while (rs.next()) {
          for (int j = 0; j < joins; j++) {
            long value = rs.getLong(j + 1);
            if (none[j][row]) {
              assertThat(rs.wasNull()).as("join %d, row %d", j, row).isTrue();
            } else {
              assertThat(rs.wasNull()).as("join %d, row %d", j, row).isFalse();
              assertThat(value).as("join %d, row %d", j, row).isEqualTo(picked[j][row]);
            }
          }
          row++;
        }
      }
      assertThat(row).isEqualTo(n);
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'picks_lists'")) {
        rs.next();
        assertThat(rs.getLong(1)).as("the staging lists are dropped").isZero();
      }
    }
  }
}
