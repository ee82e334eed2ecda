package dev.quiver.server.flight;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.PointInTimePlan;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Rows of a training set ({@link HistoricalRows}) as Arrow record batches of at most {@code batchRows}
 * rows, with the types {@code quiver historical} writes to Parquet: int32 {@code int32}, int64 {@code
 * int64}, float32 {@code float}, float64 {@code double}, bool, string {@code utf8}, bytes {@code
 * binary}, timestamp {@code timestamp[us, tz=UTC]}, lists as Arrow lists of those. Nulls stay null.
 * One batch lives in memory at a time (the root is refilled). Not thread-safe.
 */
final class ArrowBatches implements TrainingBatches {
  private final HistoricalRows rows;
  private final List<PointInTimePlan.Column> columns;
  private final VectorSchemaRoot root;
  private final int batchRows;

  ArrowBatches(HistoricalRows rows, BufferAllocator allocator, int batchRows) {
    this.rows = rows;
    this.columns = rows.columns();
    this.batchRows = batchRows;
    try {
      this.root = VectorSchemaRoot.create(schema(columns), allocator);
    } catch (RuntimeException | Error e) {
      rows.close(); // the caller's try-with-resources never got this object to close
      throw e;
    }
  }

  static Schema schema(List<PointInTimePlan.Column> columns) {
    List<Field> fields = new ArrayList<>();
    for (PointInTimePlan.Column c : columns) {
      fields.add(field(c.name(), c.type()));
    }
    return new Schema(fields);
  }

  private static Field field(String name, ValueType type) {
    return switch (type) {
      case ScalarType s -> Field.nullable(name, arrow(s));
      case ListType l -> new Field(name, FieldType.nullable(ArrowType.List.INSTANCE), List.of(Field.nullable("item", arrow(l.element()))));
    };
  }

  private static ArrowType arrow(ScalarType s) {
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

  @Override
  public VectorSchemaRoot root() {
    return root;
  }

  /** Fills the root with the next batch; false (and an empty root) when the rows are exhausted. */
  @Override
  public boolean next() {
    root.clear();
    root.allocateNew();
    int n = 0;
    while (n < batchRows && rows.hasNext()) {
      Object[] row = rows.next();
      for (int i = 0; i < columns.size(); i++) {
        set(root.getVector(i), n, row[i], columns.get(i));
      }
      n++;
    }
    root.setRowCount(n);
    return n > 0;
  }

  private static void set(FieldVector v, int i, Object value, PointInTimePlan.Column column) {
    if (value == null) {
      setNull(v, i);
      return;
    }
    if (v instanceof ListVector list) {
      ValueVector child = list.getDataVector();
      int start = list.startNewValue(i);
      List<?> items = (List<?>) value;
      for (int k = 0; k < items.size(); k++) {
        setScalar(child, start + k, items.get(k), column);
      }
      list.endValue(i, items.size());
      return;
    }
    setScalar(v, i, value, column);
  }

  private static void setNull(ValueVector v, int i) {
    switch (v) {
      case IntVector x -> x.setNull(i);
      case BigIntVector x -> x.setNull(i);
      case Float4Vector x -> x.setNull(i);
      case Float8Vector x -> x.setNull(i);
      case BitVector x -> x.setNull(i);
      case VarCharVector x -> x.setNull(i);
      case VarBinaryVector x -> x.setNull(i);
      case TimeStampMicroTZVector x -> x.setNull(i);
      case ListVector x -> x.setNull(i);
      default -> throw new IllegalStateException("no Arrow vector for " + v.getField());
    }
  }

  private static void setScalar(ValueVector v, int i, Object value, PointInTimePlan.Column column) {
    if (value == null) {
      setNull(v, i);
      return;
    }
    try {
      switch (v) {
        case IntVector x -> x.setSafe(i, ((Number) value).intValue());
        case BigIntVector x -> x.setSafe(i, ((Number) value).longValue());
        case Float4Vector x -> x.setSafe(i, ((Number) value).floatValue());
        case Float8Vector x -> x.setSafe(i, ((Number) value).doubleValue());
        case BitVector x -> x.setSafe(i, ((Boolean) value) ? 1 : 0);
        case VarCharVector x -> x.setSafe(i, ((String) value).getBytes(StandardCharsets.UTF_8));
        case VarBinaryVector x -> x.setSafe(i, (byte[]) value);
        case TimeStampMicroTZVector x -> x.setSafe(i, micros((Instant) value));
        default -> throw new IllegalStateException("no Arrow vector for " + v.getField());
      }
    } catch (ClassCastException e) {
      throw new QuiverException("column '" + column.name() + "' (" + column.type().spelling() + ") holds a "
          + value.getClass().getSimpleName() + " value the engine should not have produced", e);
    }
  }

  static long micros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
  }

  /** Nothing to stop: the rows are read only as batches are asked for, and the owner stops asking. */
  @Override
  public void cancel() {}

  @Override
  public void close() {
    try {
      root.close();
    } finally {
      rows.close();
    }
  }
}
