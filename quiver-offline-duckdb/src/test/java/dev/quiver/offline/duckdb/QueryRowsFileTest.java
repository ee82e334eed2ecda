package dev.quiver.offline.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan.Column;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uploaded query rows written to Parquet read back as written: every scalar type, nulls, order, the types kept. */
class QueryRowsFileTest {
  @TempDir Path tmp;
  private final OfflineEngine engine = new DuckDbEngineProvider().open(Map.of());

  @AfterEach
  void close() {
    engine.close();
  }

  @Test
  void randomRowsOfEveryScalarTypeReadBackAsWritten() {
    List<Column> columns = List.of(new Column("i32", ScalarType.INT32), new Column("i64", ScalarType.INT64),
        new Column("f32", ScalarType.FLOAT32), new Column("f64", ScalarType.FLOAT64), new Column("b", ScalarType.BOOL),
        new Column("s", ScalarType.STRING), new Column("bytes", ScalarType.BYTES), new Column("t", ScalarType.TIMESTAMP));
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      Object[] row = {r.nextInt(), r.nextLong(), r.nextFloat(), r.nextDouble(), r.nextBoolean(), "s" + r.nextInt(100),
          new byte[] {(byte) r.nextInt(), 0, (byte) i}, Instant.ofEpochSecond(1_700_000_000L + r.nextInt(1_000_000), r.nextInt(1_000_000) * 1000L)};
      row[r.nextInt(row.length)] = null;
      rows.add(row);
    }
    Path out = tmp.resolve("query.parquet");
    assertThat(engine.writeQueryRows(out, columns, rows.iterator())).isEqualTo(rows.size());
    try (HistoricalRows back = engine.read(out, FileFormat.PARQUET)) {
      assertThat(back.columns()).containsExactlyElementsOf(columns);
      for (int i = 0; back.hasNext(); i++) {
        Object[] got = back.next();
        for (int c = 0; c < columns.size(); c++) {
          assertThat(got[c]).as("seed %d row %d column %s", seed, i, columns.get(c).name()).isEqualTo(rows.get(i)[c]);
        }
      }
    }
  }

  @Test
  void aListColumnOrAValueOfTheWrongTypeIsRefusedNamingIt() {
    assertThatThrownBy(() -> engine.writeQueryRows(tmp.resolve("a.parquet"), List.of(new Column("emb", new ListType(ScalarType.FLOAT32))),
        List.<Object[]>of().iterator())).isInstanceOf(InvalidRequestException.class).hasMessageContaining("emb");
    assertThatThrownBy(() -> engine.writeQueryRows(tmp.resolve("b.parquet"), List.of(new Column("user_id", ScalarType.INT64)),
        List.<Object[]>of(new Object[] {"x"}).iterator())).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("user_id").hasMessageContaining("int64");
  }
}
