package dev.quiver.server.flight;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.offline.PointInTimePlan;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.Text;

/**
 * The query rows a Feast client uploads (its {@code entity_df}, converted by {@code
 * pa.Table.from_pandas}): their columns as Quiver types and the rows, read batch by batch as they
 * arrive. pandas' index columns ({@code __index_level_N__}) are dropped. Arrow types map to Quiver's:
 * signed and unsigned integers up to 32 bits to int32 (unsigned 32-bit and 64-bit ones to int64),
 * half and single floats to float32, doubles to float64, bool, utf8 and large utf8 to string, binary
 * to bytes, timestamps of any unit (with or without a zone: without one, UTC) and dates to timestamp.
 * Anything else is refused, naming the column. Not thread-safe.
 */
final class ArrowUpload {
  private final FlightStream stream;
  private final List<PointInTimePlan.Column> columns = new ArrayList<>();
  private final List<Integer> positions = new ArrayList<>();

  ArrowUpload(FlightStream stream) {
    this.stream = stream;
    Schema schema = stream.getSchema();
    for (int i = 0; i < schema.getFields().size(); i++) {
      Field f = schema.getFields().get(i);
      if (f.getName().startsWith("__index_level_")) {
        continue;
      }
      columns.add(new PointInTimePlan.Column(f.getName(), type(f)));
      positions.add(i);
    }
  }

  /** The upload's columns, as Feast's client marks a request without entity rows: a single {@code key} column. */
  boolean placeholder() {
    return columns.size() == 1 && columns.get(0).name().equals("key");
  }

  List<PointInTimePlan.Column> columns() {
    return columns;
  }

  private static ScalarType type(Field f) {
    ArrowType t = f.getType();
    return switch (t) {
      case ArrowType.Int i when i.getBitWidth() < 32 || (i.getBitWidth() == 32 && i.getIsSigned()) -> ScalarType.INT32;
      case ArrowType.Int i -> ScalarType.INT64;
      case ArrowType.FloatingPoint p when p.getPrecision() == org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE -> ScalarType.FLOAT64;
      case ArrowType.FloatingPoint p -> ScalarType.FLOAT32;
      case ArrowType.Bool b -> ScalarType.BOOL;
      case ArrowType.Utf8 u -> ScalarType.STRING;
      case ArrowType.LargeUtf8 u -> ScalarType.STRING;
      case ArrowType.Binary b -> ScalarType.BYTES;
      case ArrowType.LargeBinary b -> ScalarType.BYTES;
      case ArrowType.Timestamp ts -> ScalarType.TIMESTAMP;
      case ArrowType.Date d -> ScalarType.TIMESTAMP;
      default -> throw new InvalidRequestException("entity_df column '" + f.getName() + "' has Arrow type " + t
          + ", which query rows cannot carry; convert it to an integer, float, bool, string, bytes or timestamp column");
    };
  }

  /** The rows, read from the stream batch by batch; each batch is released once its rows are read. */
  Iterator<Object[]> rows() {
    return new Iterator<>() {
      private VectorSchemaRoot root;
      private int row;
      private int count;

      @Override
      public boolean hasNext() {
        while (root == null || row >= count) {
          if (!stream.next()) {
            return false;
          }
          root = stream.getRoot();
          row = 0;
          count = root.getRowCount();
        }
        return true;
      }

      @Override
      public Object[] next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Object[] out = new Object[columns.size()];
        for (int i = 0; i < out.length; i++) {
          out[i] = value(root.getVector(positions.get(i)), row, columns.get(i));
        }
        row++;
        return out;
      }
    };
  }

  private static Object value(FieldVector v, int row, PointInTimePlan.Column column) {
    Object o = v.getObject(row);
    if (o == null) {
      return null;
    }
    return switch ((ScalarType) column.type()) {
      case INT32 -> ((Number) o).intValue();
      case INT64 -> o instanceof Character c ? (long) c : ((Number) o).longValue();
      case FLOAT32 -> ((Number) o).floatValue();
      case FLOAT64 -> ((Number) o).doubleValue();
      case BOOL -> o;
      case STRING -> o instanceof Text t ? t.toString() : o.toString();
      case BYTES -> o;
      case TIMESTAMP -> instant(v, row, o);
    };
  }

  /** A timestamp or date cell as an instant: the raw value in its unit (UTC when the column has no zone). */
  private static Object instant(FieldVector v, int row, Object o) {
    ArrowType t = v.getField().getType();
    if (t instanceof ArrowType.Timestamp ts) {
      long raw = ((org.apache.arrow.vector.TimeStampVector) v).get(row);
      return switch (ts.getUnit()) {
        case SECOND -> Instant.ofEpochSecond(raw);
        case MILLISECOND -> Instant.ofEpochMilli(raw);
        case MICROSECOND -> Instant.ofEpochSecond(Math.floorDiv(raw, 1_000_000L), Math.floorMod(raw, 1_000_000L) * 1_000L);
        case NANOSECOND -> Instant.ofEpochSecond(Math.floorDiv(raw, 1_000_000_000L), Math.floorMod(raw, 1_000_000_000L));
      };
    }
    if (o instanceof Integer days) { // date32: days since the epoch
      return Instant.ofEpochSecond(days * 86_400L);
    }
    if (o instanceof LocalDateTime d) {
      return d.toInstant(ZoneOffset.UTC);
    }
    throw new InvalidRequestException("entity_df column '" + v.getField().getName() + "': cannot read " + o + " as a timestamp");
  }
}
