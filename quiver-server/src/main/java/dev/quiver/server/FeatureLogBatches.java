package dev.quiver.server;

import dev.quiver.core.model.ListType;
import dev.quiver.core.model.RequestField;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.model.ValueType;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.pojo.Schema;
import org.duckdb.DuckDBConnection;

/**
 * One feature service's log rows not yet in a file, as Arrow vectors column by column (off the Java
 * heap), in chunks of rows that double in size up to a bound; {@link #copy} hands the chunks to DuckDB as an Arrow
 * stream and writes them to Parquet in one {@code COPY}. The columns are those of {@link
 * FeatureLogSchema}, each status as its {@link dev.quiver.core.online.FeatureStatus#ordinal()} (a
 * TINYINT) indexing one dictionary of the statuses' names that the stream exports with the chunks, so
 * DuckDB reads names without an expression per row. Used by one thread at a time: the writer
 * appends, then the roll thread it is handed to writes it.
 */
final class FeatureLogBatches implements FeatureLogRows {
  /** The name the rows are registered under on the writer's connection for the {@code COPY}. */
  private static final String VIEW = "quiver_feature_log_rows";
  private static final int FIXED = 5; // request_id, served_at, registry_version, service, service_version
  /** The most rows {@link #copy} hands DuckDB at once (a multiple of 8: a piece's validity bits are a slice, not a copy). */
  static final int PIECE_ROWS = 4096;

  private final FeatureLogSchema schema;
  private final BufferAllocator allocator;
  private final Schema arrow;
  private final int firstChunkRows;
  private final int maxChunkRows;
  private final byte[] service;
  private final ArrayDeque<VectorSchemaRoot> chunks = new ArrayDeque<>();
  private final byte[] ascii = new byte[256];
  private VectorSchemaRoot current;
  private FieldVector[] vectors;
  /** Rows the current chunk holds at most, and the row the next append writes. */
  private int capacity;
  private int at;
  /** The capacity of the last chunk started, 0 before the first (or after a copy or close): the next is twice it. */
  private int lastCapacity;
  private long rows;

  /** Chunks of {@code chunkRows} rows each. */
  FeatureLogBatches(FeatureLogSchema schema, String service, BufferAllocator allocator, int chunkRows) {
    this(schema, service, allocator, chunkRows, chunkRows);
  }

  /**
   * Chunks that start at {@code firstChunkRows} rows and double up to {@code maxChunkRows}: a quiet service
   * holds one small chunk, a busy one few large ones. Each chunk keeps a few hundred bytes of Java objects per
   * column (its vectors and their buffers' handles) until its file is written, seconds to minutes: they
   * survive young collections, which copy them each time, so fewer chunks per file is less to copy.
   */
  FeatureLogBatches(FeatureLogSchema schema, String service, BufferAllocator allocator, int firstChunkRows, int maxChunkRows) {
    if (firstChunkRows < 1 || maxChunkRows < firstChunkRows) {
      throw new IllegalArgumentException("need 1 <= first chunk rows <= max chunk rows, got " + firstChunkRows + ", " + maxChunkRows);
    }
    this.schema = schema;
    this.allocator = allocator;
    this.arrow = schema.arrowSchema();
    this.firstChunkRows = firstChunkRows;
    this.maxChunkRows = maxChunkRows;
    this.service = service.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Whether Arrow's C data interface runs in this JVM: on JDK 17 and newer it needs {@code
   * --add-opens=java.base/java.nio=ALL-UNNAMED} (the {@code quiver} command passes it).
   */
  static boolean available() {
    try {
      org.apache.arrow.memory.util.MemoryUtil.directBuffer(0, 0); // what exporting a stream needs, without allocating
      return true;
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  @Override
  public long rows() {
    return rows;
  }

  @Override
  public int append(FeatureLog.Served served, byte[] requestId) {
    int n = served.rows();
    for (int r = 0; r < n; ) { // column by column, as many of the request's rows as the chunk takes
      if (current == null || at == capacity) {
        startChunk();
      }
      int m = Math.min(n - r, capacity - at);
      append(served, requestId, r, m);
      at += m;
      rows += m;
      r += m;
    }
    return n;
  }

  /** The columns every row of a request shares (request_id, served_at, registry and service versions), for its n rows from {@code at}. */
  private void appendFixed(int n, byte[] requestId, long servedAt, int registryVersion, int serviceVersion) {
    FieldVector[] v = vectors;
    for (int k = 0; k < n; k++) {
      int i = at + k;
      ((VarCharVector) v[0]).setSafe(i, requestId, 0, requestId.length);
      ((TimeStampMicroVector) v[1]).setSafe(i, servedAt);
      ((IntVector) v[2]).setSafe(i, registryVersion);
      ((VarCharVector) v[3]).setSafe(i, service, 0, service.length);
      ((IntVector) v[4]).setSafe(i, serviceVersion);
    }
  }

  /** Writes entity rows {@code from} to {@code from + count} of {@code served} at the current chunk's row {@link #at}. */
  private void append(FeatureLog.Served served, byte[] requestId, int from, int count) {
    FieldVector[] v = vectors;
    appendFixed(count, requestId, Timestamps.toMicros(served.servedAt()), (int) served.registryVersion(),
        served.definition().version());
    int c = FIXED;
    List<String> keys = schema.keys();
    for (int key = 0; key < keys.size(); key++) {
      List<Object> col = served.entities().get(keys.get(key));
      ValueType type = schema.keyTypes().get(key);
      FieldVector vector = v[c++];
      for (int k = 0, r = from; k < count; k++, r++) {
        set(vector, type, at + k, col == null || r >= col.size() ? null : col.get(r));
      }
    }
    for (RequestField field : schema.requestFields()) {
      List<Object> col = served.request().requestContext().get(field.name());
      if (col == null) {
        col = served.request().entities().get(field.name());
      }
      FieldVector vector = v[c++];
      for (int k = 0, r = from; k < count; k++, r++) {
        set(vector, field.type(), at + k, FeatureLogSchema.requestValue(field.type(), col == null || r >= col.size() ? null : col.get(r)));
      }
    }
    List<ValueType> featureTypes = schema.featureTypes();
    for (int f = 0, features = served.refs().length; f < features; f++) {
      FieldVector vector = v[c++];
      TinyIntVector statuses = (TinyIntVector) v[c++];
      ValueType type = featureTypes.get(f);
      for (int k = 0, r = from; k < count; k++, r++) {
        set(vector, type, at + k, served.value(f, r));
        int status = served.status(f, r);
        if (status < 0) {
          statuses.setNull(at + k);
        } else {
          statuses.setSafe(at + k, status);
        }
      }
    }
  }

  /**
   * Appends the request {@code slot} holds straight from its bytes (no objects but for list values and
   * request data), all its entity rows in one chunk: the chunk being filled, else a new one; returns
   * false, having read nothing, when the request has more rows than a new chunk takes (then append its
   * {@link FeatureLogRecord#decode decoded} form). The slot's shape must be that of this schema.
   */
  boolean append(FeatureLogSlot slot, byte[] requestId) {
    int n = slot.rows;
    if (current == null || (capacity - at < n && at > 0)) {
      startChunk();
    }
    if (capacity - at < n) {
      return false;
    }
    FieldVector[] v = vectors;
    appendFixed(n, requestId, Timestamps.toMicros(Instant.ofEpochSecond(slot.servedSeconds, slot.servedNanos)),
        (int) slot.registryVersion, slot.definition.version());
    int c = FIXED;
    for (ValueType type : schema.keyTypes()) {
      FieldVector vector = v[c++];
      for (int k = 0; k < n; k++) {
        put(vector, type, at + k, slot);
      }
    }
    for (RequestField field : schema.requestFields()) {
      FieldVector vector = v[c++];
      for (int k = 0; k < n; k++) {
        set(vector, field.type(), at + k, FeatureLogSchema.requestValue(field.type(), FeatureLogRecord.read(slot)));
      }
    }
    List<ValueType> featureTypes = schema.featureTypes();
    for (int f = 0, features = FeatureLogRecord.features(slot); f < features; f++) {
      FieldVector vector = v[c++];
      TinyIntVector statuses = (TinyIntVector) v[c++];
      ValueType type = featureTypes.get(f);
      for (int k = 0; k < n; k++) {
        int status = slot.getByte() - 1;
        if (status < 0) {
          statuses.setNull(at + k);
        } else {
          statuses.setSafe(at + k, status);
        }
        put(vector, type, at + k, slot);
      }
    }
    if (!slot.readAll()) {
      throw new IllegalStateException("feature log record not read to its end");
    }
    at += n;
    rows += n;
    return true;
  }

  /** The slot's next value into {@code v}: the common pairs of type and tag without an object, the rest as {@link #set} does. */
  private void put(FieldVector v, ValueType type, int i, FeatureLogSlot slot) {
    int tag = slot.getByte();
    if (type instanceof ScalarType s) {
      switch (s) {
        case FLOAT64 -> {
          if (tag == FeatureLogRecord.DOUBLE) {
            ((Float8Vector) v).setSafe(i, Double.longBitsToDouble(slot.getLong()));
            return;
          }
        }
        case INT64 -> {
          if (tag == FeatureLogRecord.LONG) {
            ((BigIntVector) v).setSafe(i, slot.getLong());
            return;
          }
        }
        case INT32 -> {
          if (tag == FeatureLogRecord.INT) {
            ((IntVector) v).setSafe(i, slot.getInt());
            return;
          }
        }
        case FLOAT32 -> {
          if (tag == FeatureLogRecord.FLOAT) {
            ((Float4Vector) v).setSafe(i, Float.intBitsToFloat(slot.getInt()));
            return;
          }
        }
        case BOOL -> {
          if (tag == FeatureLogRecord.TRUE || tag == FeatureLogRecord.FALSE) {
            ((BitVector) v).setSafe(i, tag == FeatureLogRecord.TRUE ? 1 : 0);
            return;
          }
        }
        case STRING, BYTES -> {
          if (tag == (s == ScalarType.STRING ? FeatureLogRecord.STRING : FeatureLogRecord.BYTES)) {
            int length = slot.getInt();
            int from = slot.position();
            slot.skip(length);
            if (s == ScalarType.STRING) {
              ((VarCharVector) v).setSafe(i, slot.array(), from, length);
            } else {
              ((VarBinaryVector) v).setSafe(i, slot.array(), from, length);
            }
            return;
          }
        }
        case TIMESTAMP -> {
          if (tag == FeatureLogRecord.INSTANT) {
            ((TimeStampMicroVector) v).setSafe(i, Timestamps.toMicros(Instant.ofEpochSecond(slot.getLong(), slot.getInt())));
            return;
          }
        }
      }
    }
    set(v, type, i, FeatureLogRecord.read(slot, tag));
  }

  private void startChunk() {
    seal();
    capacity = lastCapacity == 0 ? firstChunkRows : (int) Math.min(maxChunkRows, 2L * lastCapacity);
    lastCapacity = capacity;
    current = VectorSchemaRoot.create(arrow, allocator);
    for (FieldVector v : current.getFieldVectors()) {
      v.setInitialCapacity(capacity);
      v.allocateNew();
    }
    vectors = current.getFieldVectors().toArray(FieldVector[]::new);
    at = 0;
  }

  /** Closes the chunk being filled: its row count set, it joins the full ones. */
  private void seal() {
    if (current != null) {
      current.setRowCount(at);
      chunks.add(current);
      current = null;
      vectors = null;
    }
  }

  /**
   * Writes every row to {@code file} with {@code COPY (SELECT ...) TO file (FORMAT parquet, COMPRESSION
   * zstd)} on {@code connection}, reading the chunks as an Arrow stream (each chunk's memory is released
   * once DuckDB has read it); afterwards this holds no rows.
   */
  @Override
  public void copy(Connection connection, String file) throws SQLException {
    copy(connection, file, FeatureLogPacer.none());
  }

  /**
   * As {@link #copy(Connection, String)}, handing DuckDB the rows in pieces of at most {@link #PIECE_ROWS} and
   * calling {@code pacer} between pieces (on the thread DuckDB reads them on: the caller's, with one DuckDB thread).
   */
  void copy(Connection connection, String file, FeatureLogPacer pacer) throws SQLException {
    copy(connection, file, pacer, PIECE_ROWS);
  }

  /** As {@link #copy(Connection, String, FeatureLogPacer)} with pieces of at most {@code pieceRows} rows. */
  void copy(Connection connection, String file, FeatureLogPacer pacer, int pieceRows) throws SQLException {
    seal();
    pacer.start();
    try (ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator)) {
      Data.exportArrayStream(allocator, new FeatureLogChunkReader(allocator, chunks, schema.arrowStreamSchema(), pacer, pieceRows), stream);
      connection.unwrap(DuckDBConnection.class).registerArrowStream(VIEW, stream);
      try (Statement st = connection.createStatement()) {
        st.execute(schema.copy(VIEW, file, false));
        st.execute("DROP VIEW IF EXISTS " + VIEW);
      }
    } finally {
      pacer.finish();
      close();
    }
  }

  /** Releases every chunk's memory. */
  @Override
  public void close() {
    seal();
    while (!chunks.isEmpty()) {
      chunks.poll().close();
    }
    rows = 0;
    lastCapacity = 0;
  }

  /** Chunks holding rows (the one being filled included). */
  int chunks() {
    return chunks.size() + (current == null ? 0 : 1);
  }

  private void set(FieldVector v, ValueType type, int i, Object value) {
    if (value == null) {
      setNull(v, i);
      return;
    }
    switch (type) {
      case ScalarType s -> scalar(v, s, i, value);
      case ListType l -> {
        ListVector list = (ListVector) v;
        FieldVector items = (FieldVector) list.getDataVector();
        int start = list.startNewValue(i);
        int k = 0;
        for (Object item : (List<?>) value) {
          if (item == null) {
            setNull(items, start + k);
          } else {
            scalar(items, l.element(), start + k, item);
          }
          k++;
        }
        list.endValue(i, k);
      }
    }
  }

  private static void setNull(FieldVector v, int i) {
    switch (v) {
      case VarCharVector s -> s.setNull(i);
      case VarBinaryVector b -> b.setNull(i);
      case ListVector l -> l.setNull(i);
      case BitVector b -> b.setNull(i);
      case IntVector n -> n.setNull(i);
      case BigIntVector n -> n.setNull(i);
      case Float4Vector n -> n.setNull(i);
      case Float8Vector n -> n.setNull(i);
      case TimeStampMicroVector n -> n.setNull(i);
      default -> throw new IllegalStateException("no null for " + v.getClass().getSimpleName());
    }
  }

  private void scalar(FieldVector v, ScalarType type, int i, Object value) {
    switch (type) {
      case INT32 -> ((IntVector) v).setSafe(i, ((Number) value).intValue());
      case INT64 -> ((BigIntVector) v).setSafe(i, ((Number) value).longValue());
      case FLOAT32 -> ((Float4Vector) v).setSafe(i, ((Number) value).floatValue());
      case FLOAT64 -> ((Float8Vector) v).setSafe(i, ((Number) value).doubleValue());
      case BOOL -> ((BitVector) v).setSafe(i, (Boolean) value ? 1 : 0);
      case STRING -> text((VarCharVector) v, i, String.valueOf(value));
      case BYTES -> {
        byte[] b = (byte[]) value;
        ((VarBinaryVector) v).setSafe(i, b, 0, b.length);
      }
      case TIMESTAMP -> ((TimeStampMicroVector) v).setSafe(i, Timestamps.toMicros((Instant) value));
    }
  }

  /** A string's UTF-8 bytes: a short ASCII one through a reused array, without allocating. */
  private void text(VarCharVector v, int i, String s) {
    int n = s.length();
    if (n <= ascii.length) {
      int k = 0;
      while (k < n) {
        char ch = s.charAt(k);
        if (ch >= 0x80) {
          break;
        }
        ascii[k++] = (byte) ch;
      }
      if (k == n) {
        v.setSafe(i, ascii, 0, n);
        return;
      }
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    v.setSafe(i, b, 0, b.length);
  }
}
