package dev.quiver.server.flight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.server.QuiverServer;
import dev.quiver.server.ServerOptions;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.util.Text;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Feast's remote offline store protocol against a real server on a randomized repo (DuckDB): every
 * training set streamed over Flight equals, cell by cell and type by type, the Parquet {@code quiver
 * historical} writes for the same request (ties, TTL edges, nulls, unknown and null keys, duplicate
 * query rows, window aggregates, on-demand features), in both naming modes, from uploaded rows and
 * from SQL; persist saves a dataset; what is not served is refused with a message.
 */
class OfflineFlightTest {
  static final long SEED = 20261206L;
  static final List<String> REFS = List.of("stats:amount", "stats:country", "stats:n", "windows:amount_sum_1h",
      "windows:events_1d", "ratio:price_ratio");

  @TempDir static Path tmp;
  static FeatureRepo repo;
  static QuiverServer server;
  static FlightClientAccess flight;

  @BeforeAll
  static void start() {
    repo = FeatureRepo.open(FlightRepo.create(tmp.resolve("repo"), SEED, ""));
    server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, 0));
    flight = new FlightClientAccess(server.grpcPort(), null);
  }

  @AfterAll
  static void stop() throws Exception {
    flight.close();
    server.close();
    repo.close();
  }

  static Map<String, Object> historical(List<String> refs, boolean full) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("command_id", "test");
    c.put("api", "get_historical_features");
    c.put("feature_view_names", refs.stream().map(r -> r.substring(0, r.indexOf(':'))).distinct().toList());
    c.put("feature_refs", refs);
    c.put("project", "flighttest");
    c.put("full_feature_names", full);
    c.put("name_aliases", refs.stream().map(r -> r.substring(0, r.indexOf(':'))).distinct().map(v -> (Object) null).toList());
    return c;
  }

  /** What {@code quiver historical} writes for the request, read back from its Parquet file. */
  static List<Object[]> expected(QueryInput query, List<String> refs, boolean full, List<PointInTimePlan.Column> columns,
      String name) {
    Path out = tmp.resolve(name + ".parquet");
    repo.writeHistoricalFeatures(HistoricalRequest.ofFeatures(query, refs.stream().map(FeatureRef::of).toList())
        .withFullFeatureNames(full), out, p -> {}, null, "test");
    List<Object[]> rows = new ArrayList<>();
    try (HistoricalRows r = repo.offline().read(out, FileFormat.PARQUET)) {
      columns.addAll(r.columns());
      r.forEachRemaining(rows::add);
    }
    return rows;
  }

  /** The streamed table equals the expected one: names, Arrow types for the Quiver types, every cell. */
  static void assertSame(FlightClientAccess.Answer got, List<PointInTimePlan.Column> columns, List<Object[]> expected) {
    assertThat(got.schema().getFields().stream().map(Field::getName).toList())
        .containsExactlyElementsOf(columns.stream().map(PointInTimePlan.Column::name).toList());
    for (int c = 0; c < columns.size(); c++) {
      assertThat(got.schema().getFields().get(c).getType()).as(columns.get(c).name())
          .isEqualTo(arrow(columns.get(c)));
    }
    assertThat(got.rows()).hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      for (int c = 0; c < columns.size(); c++) {
        assertThat(normalized(got.rows().get(i)[c], columns.get(c)))
            .as("row %d column %s", i, columns.get(c).name()).isEqualTo(expected.get(i)[c]);
      }
    }
  }

  static ArrowType arrow(PointInTimePlan.Column c) {
    if (c.type() instanceof ListType) {
      return ArrowType.List.INSTANCE;
    }
    return switch ((ScalarType) c.type()) {
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

  /** An Arrow Java cell as the engine's rows carry it. */
  static Object normalized(Object v, PointInTimePlan.Column c) {
    if (v == null) {
      return null;
    }
    if (v instanceof Text t) {
      return t.toString();
    }
    if (c.type() == ScalarType.TIMESTAMP) {
      long micros = (Long) v;
      return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }
    return v;
  }

  @ParameterizedTest(name = "seed {0}, full names {1}")
  @CsvSource({"1, false", "2, true", "3, false"})
  void uploadedRowsGiveExactlyWhatQuiverHistoricalWrites(long seed, boolean full) throws Exception {
    List<FlightRepo.QueryRow> rows = FlightRepo.queryRows(seed, 1500);
    Path query = tmp.resolve("query-" + seed + ".parquet");
    FlightRepo.writeQuery(query, rows);
    List<PointInTimePlan.Column> columns = new ArrayList<>();
    List<Object[]> expected = expected(QueryInput.Files.of(query.toString()), REFS, full, columns, "expected-" + seed);
    FlightClientAccess.Answer got = flight.exchange(historical(REFS, full), rows, 700);
    assertThat(columns.stream().map(PointInTimePlan.Column::name).toList()).as("seed " + seed)
        .startsWith("user_id", "event_timestamp", "price", "label")
        .contains(full ? "stats__amount" : "amount", full ? "ratio__price_ratio" : "price_ratio");
    assertSame(got, columns, expected);
    // the set is not trivial: features found, features null, aggregates over several rows
    int amount = columns.indexOf(columns.stream().filter(c -> c.name().endsWith("amount")).findFirst().orElseThrow());
    assertThat(expected.stream().filter(r -> r[amount] != null).count()).isGreaterThan(50);
    assertThat(expected.stream().filter(r -> r[amount] == null).count()).isGreaterThan(50);
  }

  @Test
  void aliasesNameColumnsAsFeastDoes() throws Exception {
    List<FlightRepo.QueryRow> rows = FlightRepo.queryRows(4, 300);
    Map<String, Object> c = historical(List.of("s:amount"), true);
    c.put("feature_view_names", List.of("stats"));
    c.put("name_aliases", List.of("s"));
    FlightClientAccess.Answer aliased = flight.exchange(c, rows, 1000);
    FlightClientAccess.Answer plain = flight.exchange(historical(List.of("stats:amount"), true), rows, 1000);
    assertThat(aliased.schema().getFields().get(4).getName()).isEqualTo("s__amount");
    assertThat(plain.schema().getFields().get(4).getName()).isEqualTo("stats__amount");
    for (int i = 0; i < rows.size(); i++) {
      assertThat(aliased.rows().get(i)[4]).isEqualTo(plain.rows().get(i)[4]);
    }
  }

  @Test
  void sqlEntityDfGivesWhatQuiverHistoricalWrites() throws Exception {
    String sql = "SELECT user_id, event_ts + INTERVAL 30 MINUTE AS event_timestamp, n FROM events WHERE n > 0 ORDER BY n, user_id, event_ts";
    List<PointInTimePlan.Column> columns = new ArrayList<>();
    List<String> refs = List.of("stats:amount", "windows:events_1d");
    List<Object[]> expected = expected(new QueryInput.Sql(sql), refs, false, columns, "expected-sql");
    Map<String, Object> c = historical(refs, false);
    c.put("entity_df_sql", sql);
    FlightClientAccess.Answer got = flight.exchange(c, null, 1);
    assertThat(expected).hasSizeGreaterThan(100);
    assertSame(got, columns, expected);
  }

  @Test
  void aLargeSetStreamsInSeveralBatches() throws Exception {
    List<FlightRepo.QueryRow> rows = FlightRepo.queryRows(5, 20_000);
    FlightClientAccess.Answer got = flight.exchange(historical(List.of("stats:amount", "windows:events_1d"), false), rows, 8192);
    assertThat(got.rows()).hasSize(20_000);
    assertThat(got.batches()).isGreaterThanOrEqualTo(20_000 / OfflineProducer.BATCH_ROWS);
    for (int i = 0; i < rows.size(); i++) { // output order = input order
      assertThat(got.rows().get(i)[3].toString()).isEqualTo(rows.get(i).label());
    }
    assertThat(server.metrics().scrape()).contains("quiver_flight_rows_sent_total")
        .contains("protocol=\"flight\"").contains("endpoint=\"get_historical_features\"");
  }

  @Test
  void persistSavesAQuiverDataset() {
    Map<String, Object> c = historical(List.of("stats:amount", "ratio:price_ratio"), false);
    c.put("api", "persist");
    c.put("retrieve_func", "get_historical_features");
    c.put("data_source_name", "churn_training");
    c.put("allow_overwrite", false);
    c.put("timeout", null);
    flight.put(c, FlightRepo.queryRows(6, 200));
    var saved = repo.registry().dataset("churn_training").orElseThrow();
    assertThat(saved.rows()).isEqualTo(200);
    assertThat(saved.features().stream().map(Object::toString).toList()).containsExactly("stats@v1:amount", "ratio@v1:price_ratio"); // pinned to the versions used
    assertThatThrownBy(() -> flight.put(c, FlightRepo.queryRows(6, 10)))
        .isInstanceOf(FlightRuntimeException.class).hasMessageContaining("already exists");
  }

  @Test
  void badRequestsAreFlightErrorsWithTheMessage() {
    List<FlightRepo.QueryRow> rows = FlightRepo.queryRows(7, 10);
    assertThatThrownBy(() -> flight.exchange(historical(List.of("stats:nope"), false), rows, 10))
        .isInstanceOfSatisfying(FlightRuntimeException.class, e -> assertThat(e.status().code()).isIn(
            FlightStatusCode.NOT_FOUND, FlightStatusCode.INVALID_ARGUMENT))
        .hasMessageContaining("nope").hasMessageNotContaining("at dev.quiver");
    assertThatThrownBy(() -> flight.exchange(historical(List.of("nowhere:amount"), false), rows, 10))
        .isInstanceOf(FlightRuntimeException.class).hasMessageContaining("nowhere");
    Map<String, Object> sql = historical(List.of("stats:amount"), false);
    sql.put("entity_df_sql", "SELEC user_id FROM events");
    assertThatThrownBy(() -> flight.exchange(sql, null, 1))
        .isInstanceOf(FlightRuntimeException.class).hasMessageContaining("SELEC");
    Map<String, Object> noTime = historical(List.of("stats:amount"), false);
    noTime.put("entity_df_sql", "SELECT user_id, n FROM events");
    assertThatThrownBy(() -> flight.exchange(noTime, null, 1))
        .isInstanceOf(FlightRuntimeException.class).hasMessageContaining("timestamp");
    assertThatThrownBy(() -> flight.exchange(historical(List.of("stats:amount"), false), null, 1))
        .isInstanceOf(FlightRuntimeException.class).hasMessageContaining("no entity_df");
  }

  @Test
  void whatDoesNotMapIsRefusedSayingWhatToDoInstead() {
    Map<String, Object> pull = new LinkedHashMap<>();
    pull.put("api", "pull_all_from_table_or_query");
    pull.put("data_source_name", "nowhere");
    assertThatThrownBy(() -> flight.exchange(pull, null, 1))
        .isInstanceOfSatisfying(FlightRuntimeException.class, e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNIMPLEMENTED))
        .hasMessageContaining("pull_all_from_table_or_query").hasMessageContaining("nowhere")
        .hasMessageContaining("get_historical_features");
    Map<String, Object> write = new LinkedHashMap<>();
    write.put("api", "offline_write_batch");
    assertThatThrownBy(() -> flight.put(write, null))
        .isInstanceOfSatisfying(FlightRuntimeException.class, e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNIMPLEMENTED))
        .hasMessageContaining("push");
    assertThatThrownBy(() -> flight.client.getInfo(org.apache.arrow.flight.FlightDescriptor.command("{}".getBytes())))
        .isInstanceOfSatisfying(FlightRuntimeException.class, e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNIMPLEMENTED))
        .hasMessageContaining("do_exchange");
  }
}
