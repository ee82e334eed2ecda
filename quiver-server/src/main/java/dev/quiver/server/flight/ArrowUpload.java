package dev.quiver.server.flight;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.UploadedQueryRows;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.Text;

/**
 * The query rows a Feast client uploads (its {@code entity_df}, converted by {@code
 * pa.Table.from_pandas}): their columns as Quiver types and the rows, read batch by batch as they
 * arrive, either row by row ({@link #rows()}) or as the Arrow stream they came in ({@link
 * #arrowStream()}, what the DuckDB engine reads). pandas' index columns ({@code __index_level_N__})
 * are dropped. Arrow types map to Quiver's:
 * signed and unsigned integers up to 32 bits to int32 (unsigned 32-bit and 64-bit ones to int64),
 * half and single floats to float32, doubles to float64, bool, utf8 and large utf8 to string, binary
 * to bytes, timestamps of any unit (with or without a zone: without one, UTC) and dates to timestamp.
 * Anything else is refused, naming the column. Half floats and millisecond dates go row by row
 * only ({@link #arrowStream()} is empty then). Not thread-safe; close it once the rows are read.
 */
final class ArrowUpload implements UploadedQueryRows, AutoCloseable {
  /** Where the batches come from: a {@link FlightStream}, or batches in memory (tests). */
  interface Batches {
    /** Loads the next batch into {@link #root()}; false at the end. */
    boolean next();

    VectorSchemaRoot root();
  }

  private final Schema schema;
  private final Batches stream;
  private final BufferAllocator allocator;
  private final List<PointInTimePlan.Column> columns = new ArrayList<>();
  private final List<Integer> positions = new ArrayList<>();
  private ArrowArrayStream exported;

  ArrowUpload(FlightStream stream, BufferAllocator allocator) {
    this(stream.getSchema(), new Batches() {
      @Override
      public boolean next() {
        return stream.next();
      }

      @Override
      public VectorSchemaRoot root() {
        return stream.getRoot();
      }
    }, allocator);
  }

  ArrowUpload(Schema schema, Batches stream, BufferAllocator allocator) {
    this.schema = schema;
    this.stream = stream;
    this.allocator = allocator;
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

  @Override
  public List<PointInTimePlan.Column> columns() {
    return columns;
  }

  /**
   * The batches as they arrive, exported through Arrow's C data interface; each batch's buffers pass
   * to the reader without a copy. Empty when a query column is a half float or a millisecond date,
   * which the engines' Arrow readers take differently than {@link #rows()} reads them.
   */
  @Override
  public Optional<Object> arrowStream() {
    for (int p : positions) {
      ArrowType t = schema.getFields().get(p).getType();
      if (t instanceof ArrowType.FloatingPoint f && f.getPrecision() == FloatingPointPrecision.HALF
          || t instanceof ArrowType.Date d && d.getUnit() != DateUnit.DAY) {
        return Optional.empty();
      }
    }
    if (exported == null) {
      exported = ArrowArrayStream.allocateNew(allocator);
      Data.exportArrayStream(allocator, new BatchReader(allocator), exported);
    }
    return Optional.of(exported);
  }

  @Override
  public void close() {
    if (exported != null) {
      exported.close(); // releases the stream (and its reader) unless the engine did
      exported = null;
    }
  }

  /** An {@link ArrowReader} over the upload's batches, moving each batch's buffers into its own root. */
  private final class BatchReader extends ArrowReader {
    BatchReader(BufferAllocator allocator) {
      super(allocator);
    }

    @Override
    public boolean loadNextBatch() throws IOException {
      prepareLoadNextBatch();
      if (!stream.next()) {
        return false;
      }
      try (ArrowRecordBatch batch = new VectorUnloader(stream.root()).getRecordBatch()) {
        loadRecordBatch(batch);
      }
      return true;
    }

    @Override
    public long bytesRead() {
      return 0;
    }

    @Override
    protected void closeReadSource() {
      // the Flight stream belongs to the call
    }

    /**
     * The upload's schema with timestamps' zones dropped: the values are UTC instants either way, and
     * DuckDB imports a zoned nanosecond column rounded to the microsecond where the row path cuts.
     */
    @Override
    protected Schema readSchema() {
      List<Field> fields = new ArrayList<>();
      for (Field f : schema.getFields()) {
        fields.add(f.getType() instanceof ArrowType.Timestamp t && t.getTimezone() != null
            ? new Field(f.getName(), new FieldType(f.isNullable(), new ArrowType.Timestamp(t.getUnit(), null), null,
                f.getMetadata()), f.getChildren())
            : f);
      }
      return new Schema(fields, schema.getCustomMetadata());
    }
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
  @Override
  public Iterator<Object[]> rows() {
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
          root = stream.root();
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
    if (v.isNull(row)) {
      return null;
    }
    Object o = switch (v) { // unsigned vectors' getObject wraps to signed; a half float's is its bits
      case UInt1Vector u -> u.getObjectNoOverflow(row);
      case UInt2Vector u -> (int) u.get(row);
      case UInt4Vector u -> u.getObjectNoOverflow(row);
      case UInt8Vector u -> unsigned64(u, row);
      case Float2Vector f -> f.getValueAsFloat(row);
      default -> v.getObject(row);
    };
    return switch ((ScalarType) column.type()) {
      case INT32 -> o instanceof Character c ? (int) c : ((Number) o).intValue();
      case INT64 -> o instanceof Character c ? (long) c : ((Number) o).longValue();
      case FLOAT32 -> ((Number) o).floatValue();
      case FLOAT64 -> ((Number) o).doubleValue();
      case BOOL -> o;
      case STRING -> o instanceof Text t ? t.toString() : o.toString();
      case BYTES -> o;
      case TIMESTAMP -> instant(v, row, o);
    };
  }

  private static long unsigned64(UInt8Vector v, int row) {
    java.math.BigInteger value = v.getObjectNoOverflow(row);
    if (value.bitLength() > 63) {
      throw new InvalidRequestException("entity_df column '" + v.getField().getName() + "' holds " + value
          + ", which does not fit int64 (Quiver's widest integer); convert the column to int64 or string");
    }
    return value.longValue();
  }

  /**
   * A timestamp or date cell as an instant: the raw value in its unit (UTC when the column has no
   * zone), nanoseconds cut to the microsecond below (Quiver's timestamps are microseconds).
   */
  private static Object instant(FieldVector v, int row, Object o) {
    ArrowType t = v.getField().getType();
    if (t instanceof ArrowType.Timestamp ts) {
      long raw = ((org.apache.arrow.vector.TimeStampVector) v).get(row);
      return switch (ts.getUnit()) {
        case SECOND -> Instant.ofEpochSecond(raw);
        case MILLISECOND -> Instant.ofEpochMilli(raw);
        case MICROSECOND -> Instant.ofEpochSecond(Math.floorDiv(raw, 1_000_000L), Math.floorMod(raw, 1_000_000L) * 1_000L);
        case NANOSECOND -> { // cut to the microsecond below here: DuckDB's appender would cut pre-1970 ones towards zero
          long micros = Math.floorDiv(raw, 1_000L);
          yield Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
        }
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
