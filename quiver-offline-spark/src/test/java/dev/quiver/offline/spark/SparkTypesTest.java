package dev.quiver.offline.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.core.offline.HistoricalRows;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every Quiver type maps to a Spark type and back, and its values survive a Parquet round trip through Spark. */
class SparkTypesTest {
  @TempDir Path dir;

  private static List<ValueType> allTypes() {
    List<ValueType> types = new ArrayList<>(Arrays.asList(ScalarType.values()));
    Arrays.stream(ScalarType.values()).forEach(s -> types.add(new ListType(s)));
    return types;
  }

  @Test
  void everyTypeMapsBothWays() {
    for (ValueType t : allTypes()) {
      assertThat(SparkTypes.toQuiver(SparkTypes.toSpark(t))).as(t.spelling()).isEqualTo(t);
    }
  }

  @Test
  void valuesOfEveryTypeSurviveAParquetRoundTrip() {
    List<Column> columns = new ArrayList<>();
    List<ValueType> types = allTypes();
    for (int i = 0; i < types.size(); i++) {
      columns.add(new Column("c" + i, types.get(i)));
    }
    Object[] values = {Integer.MIN_VALUE, Long.MAX_VALUE, Float.NaN, -0.0, true, "ünïcødé ✓\n", new byte[] {0, -1},
        Instant.parse("1969-07-20T20:17:40.000001Z"),
        Arrays.asList(1, null), List.of(-1L), List.of(1.5f), List.of(Double.NEGATIVE_INFINITY), List.of(false),
        Arrays.asList("", null), List.of(new byte[] {7}), List.of(Instant.parse("2024-03-10T02:30:00.123456Z"))};
    Object[] nulls = new Object[values.length];
    Path file = dir.resolve("all.parquet");
    TestSpark.writeParquet(file, columns, List.of(values, nulls));
    try (HistoricalRows rows = TestSpark.engine().read(file, dev.quiver.core.model.FileFormat.PARQUET)) {
      assertThat(rows.columns()).isEqualTo(columns);
      Object[] back = rows.next();
      for (int i = 0; i < values.length; i++) {
        if (values[i] instanceof byte[] b) {
          assertThat((byte[]) back[i]).isEqualTo(b);
        } else if (values[i] instanceof List<?> l && l.getFirst() instanceof byte[] b) {
          assertThat((byte[]) ((List<?>) back[i]).getFirst()).isEqualTo(b);
        } else {
          assertThat(back[i]).as("column %d", i).isEqualTo(values[i]);
        }
      }
      assertThat(rows.next()).containsOnlyNulls();
      assertThat(rows.hasNext()).isFalse();
    }
  }
}
