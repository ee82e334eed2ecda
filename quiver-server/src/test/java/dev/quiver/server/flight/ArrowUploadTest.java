package dev.quiver.server.flight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.offline.duckdb.DuckDbEngineProvider;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.LargeVarBinaryVector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uploaded query rows (Feast's {@code entity_df}) of every Arrow type the SDK can send, on randomized
 * batches: the Arrow path (DuckDB reading the stream column-wise) and the row-by-row path (what Spark
 * reads) write files whose rows are, cell by cell and in upload order, the values generated here
 * (timestamps to the microsecond below, in UTC; dates at midnight UTC; unsigned integers by value).
 */
class ArrowUploadTest {
  @TempDir Path tmp;
  private final BufferAllocator allocator = new RootAllocator();
  private final OfflineEngine engine = new DuckDbEngineProvider().open(Map.of());

  @AfterEach
  void close() {
    engine.close();
    assertThat(allocator.getAllocatedMemory()).as("Arrow memory left allocated").isZero();
    allocator.close();
  }

  /** One generated column: its Arrow field, its Quiver type, and how to set a random cell (returning the expected value). */
  private record Gen(Field field, ScalarType type, BiFunction<FieldVector, Integer, Object> set) {}

  private static Field field(String name, ArrowType type) {
    return new Field(name, FieldType.nullable(type), null);
  }

  private static List<Gen> gens(Random r) {
    List<Gen> g = new ArrayList<>();
    g.add(new Gen(field("seq", new ArrowType.Int(64, true)), ScalarType.INT64, null)); // set by the test: row order
    g.add(new Gen(field("i8", new ArrowType.Int(8, true)), ScalarType.INT32, (v, i) -> {
      byte x = (byte) r.nextInt();
      ((TinyIntVector) v).setSafe(i, x);
      return (int) x;
    }));
    g.add(new Gen(field("i16", new ArrowType.Int(16, true)), ScalarType.INT32, (v, i) -> {
      short x = (short) r.nextInt();
      ((SmallIntVector) v).setSafe(i, x);
      return (int) x;
    }));
    g.add(new Gen(field("i32", new ArrowType.Int(32, true)), ScalarType.INT32, (v, i) -> {
      int x = r.nextInt();
      ((IntVector) v).setSafe(i, x);
      return x;
    }));
    g.add(new Gen(field("user id", new ArrowType.Int(64, true)), ScalarType.INT64, (v, i) -> {
      long x = r.nextBoolean() ? r.nextInt(50) : r.nextLong();
      ((BigIntVector) v).setSafe(i, x);
      return x;
    }));
    g.add(new Gen(field("u8", new ArrowType.Int(8, false)), ScalarType.INT32, (v, i) -> {
      int x = r.nextInt(256);
      ((UInt1Vector) v).setSafe(i, x);
      return x;
    }));
    g.add(new Gen(field("u16", new ArrowType.Int(16, false)), ScalarType.INT32, (v, i) -> {
      int x = r.nextInt(65536);
      ((UInt2Vector) v).setSafe(i, x);
      return x;
    }));
    g.add(new Gen(field("u32", new ArrowType.Int(32, false)), ScalarType.INT64, (v, i) -> {
      long x = r.nextLong(1L << 32);
      ((UInt4Vector) v).setSafe(i, (int) x);
      return x;
    }));
    g.add(new Gen(field("u64", new ArrowType.Int(64, false)), ScalarType.INT64, (v, i) -> {
      long x = r.nextLong(Long.MAX_VALUE);
      ((UInt8Vector) v).setSafe(i, x);
      return x;
    }));
    g.add(new Gen(field("f32", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)), ScalarType.FLOAT32, (v, i) -> {
      float x = (float) r.nextGaussian() * 1e3f;
      ((Float4Vector) v).setSafe(i, x);
      return x;
    }));
    g.add(new Gen(field("f64", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)), ScalarType.FLOAT64, (v, i) -> {
      double x = r.nextGaussian() * 1e6;
      ((Float8Vector) v).setSafe(i, x);
      return x;
    }));
    g.add(new Gen(field("flag", ArrowType.Bool.INSTANCE), ScalarType.BOOL, (v, i) -> {
      boolean x = r.nextBoolean();
      ((BitVector) v).setSafe(i, x ? 1 : 0);
      return x;
    }));
    g.add(new Gen(field("we\"ird", ArrowType.Utf8.INSTANCE), ScalarType.STRING, (v, i) -> {
      String x = text(r);
      ((VarCharVector) v).setSafe(i, x.getBytes(StandardCharsets.UTF_8));
      return x;
    }));
    g.add(new Gen(field("large_s", ArrowType.LargeUtf8.INSTANCE), ScalarType.STRING, (v, i) -> {
      String x = text(r);
      ((LargeVarCharVector) v).setSafe(i, x.getBytes(StandardCharsets.UTF_8));
      return x;
    }));
    g.add(new Gen(field("bin", ArrowType.Binary.INSTANCE), ScalarType.BYTES, (v, i) -> {
      byte[] x = new byte[r.nextInt(6)];
      r.nextBytes(x);
      ((VarBinaryVector) v).setSafe(i, x);
      return x;
    }));
    g.add(new Gen(field("large_bin", ArrowType.LargeBinary.INSTANCE), ScalarType.BYTES, (v, i) -> {
      byte[] x = new byte[r.nextInt(6)];
      r.nextBytes(x);
      ((LargeVarBinaryVector) v).setSafe(i, x);
      return x;
    }));
    for (TimeUnit unit : TimeUnit.values()) {
      for (String zone : new String[] {null, "UTC", "America/New_York"}) {
        String name = "ts_" + unit.name().toLowerCase() + (zone == null ? "" : "_" + zone.replace('/', '_'));
        g.add(new Gen(field(name, new ArrowType.Timestamp(unit, zone)), ScalarType.TIMESTAMP, (v, i) -> timestamp(r, unit,
            (TimeStampVector) v, i)));
      }
    }
    g.add(new Gen(field("day", new ArrowType.Date(DateUnit.DAY)), ScalarType.TIMESTAMP, (v, i) -> {
      int days = r.nextInt(-20_000, 60_000);
      ((DateDayVector) v).setSafe(i, days);
      return Instant.ofEpochSecond(days * 86_400L);
    }));
    g.add(new Gen(field("__index_level_0__", new ArrowType.Int(64, true)), null, (v, i) -> {
      ((BigIntVector) v).setSafe(i, r.nextLong());
      return null;
    }));
    return g;
  }

  private static String text(Random r) {
    String[] parts = {"", "a", "ü", "東京", "x y", "'q'", "\"", "😀"};
    StringBuilder b = new StringBuilder();
    for (int n = r.nextInt(4); n > 0; n--) {
      b.append(parts[r.nextInt(parts.length)]);
    }
    return b.toString();
  }

  /** A random timestamp in the unit (before and after 1970), set raw; expected: the instant cut to the microsecond below. */
  private static Instant timestamp(Random r, TimeUnit unit, TimeStampVector v, int i) {
    long seconds = r.nextLong(-2_000_000_000L, 4_000_000_000L);
    long nanos = r.nextInt(3) == 0 ? 0 : r.nextInt(1_000_000_000);
    long raw = switch (unit) {
      case SECOND -> seconds;
      case MILLISECOND -> seconds * 1_000 + nanos / 1_000_000;
      case MICROSECOND -> seconds * 1_000_000 + nanos / 1_000;
      case NANOSECOND -> seconds * 1_000_000_000 + nanos;
    };
    v.setSafe(i, raw);
    long micros = switch (unit) {
      case SECOND -> raw * 1_000_000;
      case MILLISECOND -> raw * 1_000;
      case MICROSECOND -> raw;
      case NANOSECOND -> Math.floorDiv(raw, 1_000);
    };
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000), Math.floorMod(micros, 1_000_000) * 1_000);
  }

  /** Batches in memory, each a root of the schema, fed as a Flight stream would. */
  private static final class MemoryBatches implements ArrowUpload.Batches, AutoCloseable {
    private final List<VectorSchemaRoot> roots;
    private int at = -1;

    MemoryBatches(List<VectorSchemaRoot> roots) {
      this.roots = roots;
    }

    @Override
    public boolean next() {
      if (at + 1 >= roots.size()) {
        return false;
      }
      at++;
      return true;
    }

    @Override
    public VectorSchemaRoot root() {
      return roots.get(Math.max(at, 0));
    }

    @Override
    public void close() {
      roots.forEach(VectorSchemaRoot::close);
    }
  }

  /** Random batches (some empty) of the generated columns; {@code expected} receives each row's query values in order. */
  private MemoryBatches batches(List<Gen> gens, Random r, int batches, List<Object[]> expected) {
    Schema schema = new Schema(gens.stream().map(Gen::field).toList());
    List<VectorSchemaRoot> roots = new ArrayList<>();
    long seq = 0;
    for (int b = 0; b < batches; b++) {
      VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
      int n = r.nextInt(8) == 0 ? 0 : r.nextInt(1, 6000);
      for (int i = 0; i < n; i++) {
        Object[] row = new Object[gens.size() - 1]; // the index column is not a query column
        ((BigIntVector) root.getVector(0)).setSafe(i, seq);
        row[0] = seq++;
        for (int c = 1; c < gens.size(); c++) {
          FieldVector v = root.getVector(c);
          Object value;
          if (r.nextInt(10) == 0) {
            v.setNull(i);
            value = null;
          } else {
            value = gens.get(c).set().apply(v, i);
          }
          if (c < row.length) {
            row[c] = value;
          }
        }
        expected.add(row);
      }
      root.setRowCount(n);
      roots.add(root);
    }
    return new MemoryBatches(roots);
  }

  @RepeatedTest(3)
  void everyTypeTheSdkSendsIsWrittenByValueInUploadOrderBothWays() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    List<Gen> gens = gens(r);
    List<Object[]> expected = new ArrayList<>();
    List<Column> columns = gens.stream().filter(g -> g.type() != null).map(g -> new Column(g.field().getName(), g.type())).toList();
    int batches = r.nextInt(1, 40);
    for (boolean arrow : new boolean[] {true, false}) {
      expected.clear();
      Path out = tmp.resolve((arrow ? "arrow-" : "rows-") + seed + ".parquet");
      try (MemoryBatches in = batches(gens, new Random(seed + 1), batches, expected);
          ArrowUpload upload = new ArrowUpload(in.roots.get(0).getSchema(), in, allocator)) {
        assertThat(upload.columns()).containsExactlyElementsOf(columns);
        long written;
        if (arrow) {
          assertThat(upload.arrowStream()).as("the upload goes to the engine as Arrow").isPresent();
          written = engine.writeQueryRows(out, upload);
        } else {
          written = engine.writeQueryRows(out, upload.columns(), upload.rows());
        }
        assertThat(written).as("seed %d", seed).isEqualTo(expected.size());
      }
      check(out, columns, expected, (arrow ? "Arrow" : "row by row") + " path, seed " + seed);
    }
  }

  private void check(Path out, List<Column> columns, List<Object[]> expected, String what) {
    try (HistoricalRows back = engine.read(out, FileFormat.PARQUET)) {
      assertThat(back.columns()).as(what).containsExactlyElementsOf(columns);
      int i = 0;
      while (back.hasNext()) {
        Object[] got = back.next();
        Object[] want = expected.get(i);
        for (int c = 0; c < columns.size(); c++) {
          boolean same = want[c] instanceof byte[] w ? got[c] instanceof byte[] g && Arrays.equals(w, g)
              : java.util.Objects.equals(want[c], got[c]);
          if (!same) {
            throw new AssertionError(what + ": row " + i + ", column '" + columns.get(c).name() + "': expected " + show(want[c])
                + ", got " + show(got[c]));
          }
        }
        i++;
      }
      assertThat(i).as(what).isEqualTo(expected.size());
    }
  }

  private static String show(Object o) {
    return o instanceof byte[] b ? Arrays.toString(b) : o + (o == null ? "" : " (" + o.getClass().getSimpleName() + ")");
  }

  @Test
  void anUnsignedValueBeyondInt64IsRefusedNamingTheColumnBothWays() {
    Schema schema = new Schema(List.of(field("big", new ArrowType.Int(64, false))));
    for (boolean arrow : new boolean[] {true, false}) {
      VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
      ((UInt8Vector) root.getVector(0)).setSafe(0, new BigInteger("18446744073709551615").longValue());
      root.setRowCount(1);
      Path out = tmp.resolve("big-" + arrow + ".parquet");
      try (MemoryBatches in = new MemoryBatches(new ArrayList<>(List.of(root))); ArrowUpload upload = new ArrowUpload(schema, in, allocator)) {
        assertThatThrownBy(() -> {
          if (arrow) {
            engine.writeQueryRows(out, upload);
          } else {
            engine.writeQueryRows(out, upload.columns(), upload.rows());
          }
        }).as(arrow ? "Arrow path" : "row path").isInstanceOf(InvalidRequestException.class).hasMessageContaining("big")
            .hasMessageContaining("int64");
      }
    }
  }
}
