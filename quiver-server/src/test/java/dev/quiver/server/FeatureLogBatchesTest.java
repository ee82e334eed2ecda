package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.FeatureLogging;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureService;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.FeatureStatus;
import dev.quiver.core.online.OnlineResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The writer's Arrow buffer across chunk boundaries (FeatureLogFileTest covers every type in one
 * chunk): rows spread over chunks of 1, 3 and 7 rows are written as served, in order; strings that
 * take the reused-array path and those that do not (non-ASCII, longer than it) alike; every chunk's
 * memory is released after the copy and on a discard; the appender fallback writes the same file.
 */
class FeatureLogBatchesTest {
  private static final Instant T = Instant.parse("2026-03-01T00:00:00Z");
  private static final List<ValueType> TYPES = List.of(ScalarType.INT64, ScalarType.STRING, ScalarType.BYTES,
      new ListType(ScalarType.FLOAT64), new ListType(ScalarType.STRING), ScalarType.BOOL);

  @TempDir Path tmp;

  @ParameterizedTest(name = "chunks of {0} rows doubling up to {1}, read in pieces of {2}")
  @CsvSource({"1, 1, 4096", "3, 3, 2", "7, 7, 3", "1, 16, 8", "2, 9, 5", "16, 16, 16"})
  void rowsOverManyChunksAreWrittenAsServed(int chunkRows, int maxChunkRows, int pieceRows) throws Exception {
    SplittableRandom random = new SplittableRandom(chunkRows * 31L + maxChunkRows);
    List<FeatureRef> refs = new ArrayList<>();
    for (int f = 0; f < TYPES.size(); f++) {
      refs.add(FeatureRef.of("v:f" + f));
    }
    Definitions defs = Definitions.builder("p")
        .entity(new Entity("user", List.of(new JoinKey("user_id", ScalarType.INT64)), Metadata.EMPTY))
        .service(new FeatureService("s", 1, refs, null, new FeatureLogging(1.0))).build();
    OnlineRequest request = new OnlineRequest(List.of(), "s", Map.of("user_id", List.of()), false, Map.of());
    List<String> expected = new ArrayList<>();
    Path file = tmp.resolve("rows.parquet");
    try (RootAllocator allocator = new RootAllocator()) {
      FeatureLogBatches batches = null;
      for (int i = 0; i < 20; i++) {
        int rows = 1 + random.nextInt(4);
        List<Object> keys = new ArrayList<>();
        List<FeatureColumn> columns = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
          keys.add((long) (i * 10 + r));
        }
        List<List<Object>> values = new ArrayList<>();
        for (int f = 0; f < TYPES.size(); f++) {
          List<Object> vs = new ArrayList<>();
          List<FeatureStatus> ss = new ArrayList<>();
          for (int r = 0; r < rows; r++) {
            boolean present = random.nextInt(5) > 0;
            vs.add(present ? value(random, TYPES.get(f)) : null);
            ss.add(present ? FeatureStatus.PRESENT : FeatureStatus.NOT_FOUND);
          }
          values.add(vs);
          columns.add(new FeatureColumn("v__f" + f, refs.get(f), TYPES.get(f), vs, ss, java.util.Collections.nCopies(rows, T)));
        }
        FeatureLog.Served served = FeatureLog.Served.of("s", defs.service("s", 1).orElseThrow(), defs, 4, T.plusSeconds(i),
            request, new OnlineResponse(Map.of("user_id", keys), columns));
        if (batches == null) {
          batches = new FeatureLogBatches(FeatureLogSchema.of(served), "s", allocator, chunkRows, maxChunkRows);
        }
        byte[] id = ("request-" + i).getBytes(StandardCharsets.US_ASCII);
        assertThat(batches.append(served, id)).isEqualTo(rows);
        for (int r = 0; r < rows; r++) {
          StringBuilder row = new StringBuilder("request-" + i + "|" + (i * 10 + r));
          for (int f = 0; f < TYPES.size(); f++) {
            Object v = values.get(f).get(r);
            row.append('|').append(text(v)).append('|').append(v == null ? "NOT_FOUND" : "PRESENT");
          }
          expected.add(row.toString());
        }
      }
      assertThat(batches.rows()).isEqualTo(expected.size());
      FeatureLogPacer pacer = new FeatureLogPacer(1, 0); // a pause (of no time) before every piece
      try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
        batches.copy(c, file.toString(), pacer, pieceRows);
      }
      assertThat(pacer.pauses()).isPositive();
      assertThat(batches.rows()).isZero();
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
    List<String> actual = new ArrayList<>();
    StringBuilder cols = new StringBuilder("request_id, user_id");
    for (int f = 0; f < TYPES.size(); f++) {
      cols.append(", ").append(TYPES.get(f) == ScalarType.BYTES ? "hex(v__f" + f + ")" : "v__f" + f).append(", v__f").append(f)
          .append("__status");
    }
    for (Map<String, Object> row : FeatureLogServeTest.read(tmp, "SELECT " + cols + " FROM '" + file + "'")) {
      List<String> cells = new ArrayList<>();
      row.values().forEach(v -> cells.add(String.valueOf(v)));
      actual.add(String.join("|", cells));
    }
    assertThat(actual).containsExactlyElementsOf(expected);
  }

  /** The fallback without Arrow's C data interface writes the same file: every type, list, null and status. */
  @Test
  void theAppenderFallbackWritesTheSameFile() throws Exception {
    SplittableRandom random = new SplittableRandom(5);
    List<ValueType> types = new ArrayList<>();
    for (ScalarType s : ScalarType.values()) {
      types.add(s);
      types.add(new ListType(s));
    }
    List<FeatureRef> refs = new ArrayList<>();
    for (int f = 0; f < types.size(); f++) {
      refs.add(FeatureRef.of("v:f" + f));
    }
    Definitions defs = Definitions.builder("p")
        .entity(new Entity("user", List.of(new JoinKey("user_id", ScalarType.INT64)), Metadata.EMPTY))
        .service(new FeatureService("s", 1, refs, null, new FeatureLogging(1.0))).build();
    OnlineRequest request = new OnlineRequest(List.of(), "s", Map.of("user_id", List.of()), false, Map.of());
    Path arrowFile = tmp.resolve("arrow.parquet");
    Path appenderFile = tmp.resolve("appender.parquet");
    try (RootAllocator allocator = new RootAllocator(); Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
      FeatureLogRows arrow = null;
      FeatureLogRows appender = null;
      for (int i = 0; i < 50; i++) {
        int rows = 1 + random.nextInt(3);
        List<Object> keys = new ArrayList<>();
        List<FeatureColumn> columns = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
          keys.add(random.nextLong());
        }
        for (int f = 0; f < types.size(); f++) {
          List<Object> vs = new ArrayList<>();
          List<FeatureStatus> ss = new ArrayList<>();
          for (int r = 0; r < rows; r++) {
            FeatureStatus st = FeatureStatus.values()[random.nextInt(FeatureStatus.values().length)];
            vs.add(st == FeatureStatus.PRESENT ? anyValue(random, types.get(f)) : null);
            ss.add(random.nextInt(10) == 0 ? null : st);
          }
          columns.add(new FeatureColumn("v__f" + f, refs.get(f), types.get(f), vs, ss, java.util.Collections.nCopies(rows, T)));
        }
        FeatureLog.Served served = FeatureLog.Served.of("s", defs.service("s", 1).orElseThrow(), defs, 4, T.plusMillis(i * 1001L),
            request, new OnlineResponse(Map.of("user_id", keys), columns));
        if (arrow == null) {
          arrow = new FeatureLogBatches(FeatureLogSchema.of(served), "s", allocator, 16);
          appender = new FeatureLogAppenderRows(FeatureLogSchema.of(served), c, "log_1");
        }
        byte[] id = ("id-" + i).getBytes(StandardCharsets.US_ASCII);
        arrow.append(served, id);
        appender.append(served, id);
      }
      arrow.copy(c, arrowFile.toString());
      appender.copy(c, appenderFile.toString());
    }
    assertThat(FeatureLogServeTest.read(tmp, "DESCRIBE SELECT * FROM '" + arrowFile + "'"))
        .isEqualTo(FeatureLogServeTest.read(tmp, "DESCRIBE SELECT * FROM '" + appenderFile + "'"));
    List<Map<String, Object>> a = FeatureLogServeTest.read(tmp, "SELECT CAST(COLUMNS(*) AS VARCHAR) FROM '" + arrowFile + "'");
    assertThat(a).hasSize(FeatureLogServeTest.read(tmp, "SELECT 1 FROM '" + appenderFile + "'").size()).isNotEmpty();
    assertThat(a).isEqualTo(FeatureLogServeTest.read(tmp, "SELECT CAST(COLUMNS(*) AS VARCHAR) FROM '" + appenderFile + "'"));
    assertThat(FeatureLogServeTest.read(tmp, "SELECT count(*) AS n FROM parquet_metadata('" + arrowFile + "') WHERE compression <> 'ZSTD'"))
        .containsExactly(Map.of("n", 0L));
  }

  /** Each chunk twice the last up to the bound, and a buffer written or discarded starts small again. */
  @Test
  void chunksDoubleUpToTheBound() throws Exception {
    Definitions defs = Definitions.builder("p")
        .service(new FeatureService("s", 1, List.of(FeatureRef.of("v:f")), null, new FeatureLogging(1.0))).build();
    OnlineRequest request = new OnlineRequest(List.of(), "s", Map.of("k", List.of()), false, Map.of());
    FeatureColumn column = new FeatureColumn("v__f", FeatureRef.of("v:f"), ScalarType.INT64, List.of(7L),
        List.of(FeatureStatus.PRESENT), List.of(T));
    FeatureLog.Served served = FeatureLog.Served.of("s", defs.service("s", 1).orElseThrow(), defs, 1, T, request,
        new OnlineResponse(Map.of("k", List.of(1L)), List.of(column)));
    try (RootAllocator allocator = new RootAllocator()) {
      FeatureLogBatches batches = new FeatureLogBatches(FeatureLogSchema.of(served), "s", allocator, 1, 4);
      int[] chunksAfter = new int[20];
      for (int i = 0; i < 20; i++) {
        batches.append(served, new byte[] {'x'});
        chunksAfter[i] = batches.chunks();
      }
      // chunks of 1, 2, 4, 4, 4, 4, 4 rows: the 1st, 2nd, 4th, 8th, 12th, 16th and 20th rows start one
      assertThat(chunksAfter).containsExactly(1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6, 7);
      batches.close();
      batches.append(served, new byte[] {'x'});
      batches.append(served, new byte[] {'x'});
      assertThat(batches.chunks()).as("after a close, chunks start at 1 row again").isEqualTo(2);
      batches.close();
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  /**
   * A roll of 20,000 rows: row groups of {@link FeatureLogSchema#ROW_GROUP_ROWS} (DuckDB compresses one at a
   * time: the roll's longest burst), read in pieces with a pause between them, every row in order.
   */
  @Test
  void aLargeRollIsWrittenInRowGroupsWithPausesBetweenPieces() throws Exception {
    Definitions defs = Definitions.builder("p")
        .service(new FeatureService("s", 1, List.of(FeatureRef.of("v:f")), null, new FeatureLogging(1.0))).build();
    OnlineRequest request = new OnlineRequest(List.of(), "s", Map.of("k", List.of()), false, Map.of());
    int rows = 20_000;
    Path file = tmp.resolve("large.parquet");
    try (RootAllocator allocator = new RootAllocator()) {
      FeatureLogBatches batches = null;
      for (int i = 0; i < rows; i++) {
        FeatureColumn column = new FeatureColumn("v__f", FeatureRef.of("v:f"), ScalarType.INT64, List.of((long) i * 3),
            List.of(FeatureStatus.PRESENT), List.of(T));
        FeatureLog.Served served = FeatureLog.Served.of("s", defs.service("s", 1).orElseThrow(), defs, 1, T, request,
            new OnlineResponse(Map.of("k", List.of((long) i)), List.of(column)));
        if (batches == null) {
          batches = new FeatureLogBatches(FeatureLogSchema.of(served), "s", allocator, 4096, 32_768);
        }
        batches.append(served, new byte[] {'x'});
      }
      FeatureLogPacer pacer = new FeatureLogPacer(1, 0);
      try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); java.sql.Statement st = c.createStatement()) {
        st.execute("SET threads = 1"); // as the writer's: DuckDB reads the pieces on this thread, which the pacer measures
        batches.copy(c, file.toString(), pacer);
      }
      assertThat(pacer.pauses()).isGreaterThanOrEqualTo(rows / FeatureLogBatches.PIECE_ROWS);
      assertThat(pacer.cpuNanos()).isPositive();
      assertThat(pacer.longestBurstNanos()).isPositive().isLessThanOrEqualTo(pacer.cpuNanos());
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
    assertThat(FeatureLogServeTest.read(tmp, "SELECT count(*) AS n FROM parquet_metadata('" + file + "') WHERE column_id = 0"))
        .containsExactly(Map.of("n", (long) ((rows + FeatureLogSchema.ROW_GROUP_ROWS - 1) / FeatureLogSchema.ROW_GROUP_ROWS)));
    assertThat(FeatureLogServeTest.read(tmp, "SELECT count(*) AS n, sum(CASE WHEN v__f = k * 3 THEN 1 ELSE 0 END) AS same,"
        + " bool_and(v__f__status = 'PRESENT') AS present FROM '" + file + "'"))
        .containsExactly(Map.of("n", (long) rows, "same", java.math.BigInteger.valueOf(rows), "present", true));
    List<Map<String, Object>> keys = FeatureLogServeTest.read(tmp, "SELECT k FROM '" + file + "'");
    for (int i = 0; i < rows; i++) {
      assertThat(keys.get(i)).as("row %d in order", i).isEqualTo(Map.of("k", (long) i));
    }
  }

  @Test
  void aDiscardedBufferReleasesItsMemory() throws Exception {
    Definitions defs = Definitions.builder("p")
        .service(new FeatureService("s", 1, List.of(FeatureRef.of("v:f")), null, new FeatureLogging(1.0))).build();
    OnlineRequest request = new OnlineRequest(List.of(), "s", Map.of("k", List.of()), false, Map.of());
    FeatureColumn column = new FeatureColumn("v__f", FeatureRef.of("v:f"), ScalarType.STRING, List.of("a", "b"),
        List.of(FeatureStatus.PRESENT, FeatureStatus.PRESENT), List.of(T, T));
    FeatureLog.Served served = FeatureLog.Served.of("s", defs.service("s", 1).orElseThrow(), defs, 1, T, request,
        new OnlineResponse(Map.of("k", List.of(1L, 2L)), List.of(column)));
    try (RootAllocator allocator = new RootAllocator()) {
      FeatureLogBatches batches = new FeatureLogBatches(FeatureLogSchema.of(served), "s", allocator, 1);
      batches.append(served, new byte[] {'x'});
      assertThat(allocator.getAllocatedMemory()).isPositive();
      batches.close();
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void requestIdsAreVersion4UuidsAsText() {
    FeatureLogRequestIds ids = new FeatureLogRequestIds(new SplittableRandom(42));
    SplittableRandom same = new SplittableRandom(42);
    for (int i = 0; i < 1000; i++) {
      String id = new String(ids.next(), StandardCharsets.US_ASCII);
      long hi = (same.nextLong() & ~0xF000L) | 0x4000L;
      long lo = (same.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
      assertThat(id).isEqualTo(new UUID(hi, lo).toString());
      assertThat(UUID.fromString(id).version()).isEqualTo(4);
    }
  }

  private static String text(Object v) {
    if (v instanceof byte[] b) {
      return HexFormat.of().withUpperCase().formatHex(b);
    }
    return String.valueOf(v);
  }

  private static Object anyValue(SplittableRandom random, ValueType type) {
    if (type instanceof ListType l) {
      List<Object> items = new ArrayList<>();
      for (int i = random.nextInt(4); i > 0; i--) {
        items.add(random.nextInt(5) == 0 ? null : anyValue(random, l.element()));
      }
      return items;
    }
    return switch ((ScalarType) type) {
      case INT32 -> random.nextInt();
      case FLOAT32 -> (float) random.nextDouble(-1e3, 1e3);
      case FLOAT64 -> random.nextDouble(-1e9, 1e9);
      case TIMESTAMP -> T.plusNanos(random.nextLong(-1_000_000_000_000_000L, 1_000_000_000_000_000L));
      default -> value(random, type);
    };
  }

  private static Object value(SplittableRandom random, ValueType type) {
    if (type instanceof ListType l) {
      List<Object> items = new ArrayList<>();
      int n = random.nextInt(4);
      for (int i = 0; i < n; i++) {
        items.add(random.nextInt(5) == 0 ? null : value(random, l.element()));
      }
      return items;
    }
    return switch ((ScalarType) type) {
      case INT64 -> random.nextLong();
      case FLOAT64 -> (double) random.nextInt(1000) / 4;
      case BOOL -> random.nextBoolean();
      case STRING -> switch (random.nextInt(4)) {
        case 0 -> "";
        case 1 -> "\u00e9t\u00e9 " + random.nextInt(100);
        case 2 -> "x".repeat(300 + random.nextInt(10)); // longer than the reused array
        default -> "s" + random.nextInt(100_000);
      };
      case BYTES -> {
        byte[] b = new byte[random.nextInt(5)];
        random.nextBytes(b);
        yield b;
      }
      default -> throw new IllegalArgumentException(type.toString());
    };
  }
}
