package dev.quiver.offline.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.ArrowRows;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.PointInTimePlan.Column;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.util.Text;

/** Reads an engine's Arrow batches back as {@code HistoricalRows} values, checking each column's Arrow type. */
final class ArrowCells {
  private ArrowCells() {}

  /** Every row of the plan's Arrow batches (batches of at most 7 rows, so a case spans several); all memory freed. */
  static List<Object[]> read(OfflineEngine engine, PointInTimePlan plan, Path repoRoot) {
    List<Object[]> out = new ArrayList<>();
    try (BufferAllocator allocator = new RootAllocator()) {
      ArrowRows arrow = engine.arrowRows(plan, repoRoot, allocator, 7).orElseThrow();
      try (arrow) {
        ArrowReader reader = (ArrowReader) arrow.reader();
        VectorSchemaRoot root = reader.getVectorSchemaRoot();
        List<Column> columns = arrow.columns();
        assertThat(columns).isEqualTo(plan.columns());
        for (int c = 0; c < columns.size(); c++) {
          assertType(root.getSchema().getFields().get(c), columns.get(c));
        }
        while (reader.loadNextBatch()) {
          assertThat(root.getRowCount()).isLessThanOrEqualTo(7);
          for (int i = 0; i < root.getRowCount(); i++) {
            Object[] row = new Object[columns.size()];
            for (int c = 0; c < row.length; c++) {
              row[c] = value(root.getVector(c), i, columns.get(c).type());
            }
            out.add(row);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      assertThat(allocator.getAllocatedMemory()).as("Arrow memory left after close").isZero();
    }
    return out;
  }

  private static void assertType(Field field, Column column) {
    assertThat(field.getName()).isEqualTo(column.name());
    if (column.type() instanceof ListType l) {
      assertThat(field.getType()).as(column.name()).isEqualTo(ArrowType.List.INSTANCE);
      assertThat(field.getChildren().getFirst().getType()).as(column.name() + " items").isEqualTo(arrow(l.element()));
    } else {
      assertThat(field.getType()).as(column.name()).isEqualTo(arrow((ScalarType) column.type()));
    }
  }

  static ArrowType arrow(ScalarType s) {
    return switch (s) {
      case INT32 -> new ArrowType.Int(32, true);
      case INT64 -> new ArrowType.Int(64, true);
      case FLOAT32 -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      case FLOAT64 -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case BOOL -> ArrowType.Bool.INSTANCE;
      case STRING -> ArrowType.Utf8.INSTANCE;
      case BYTES -> ArrowType.Binary.INSTANCE;
      case TIMESTAMP -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC");
    };
  }

  private static Object value(FieldVector v, int i, ValueType type) {
    Object cell = v.getObject(i);
    if (cell == null) {
      return null;
    }
    return switch (type) {
      case ListType l -> ((List<?>) cell).stream().map(x -> x == null ? null : scalar(x, l.element())).toList();
      case ScalarType s -> scalar(cell, s);
    };
  }

  private static Object scalar(Object cell, ScalarType type) {
    return switch (type) {
      case STRING -> ((Text) cell).toString();
      case TIMESTAMP -> Timestamps.ofMicros((Long) cell);
      default -> cell;
    };
  }
}
