package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.server.QuiverServer;
import dev.quiver.server.ServerOptions;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.Text;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feast's {@code get_historical_features} with an uploaded entity_df against a server whose repo runs
 * the Spark engine: the rows are uploaded over Arrow Flight as Feast's client sends them (timestamps in
 * nanoseconds, UTC; null keys and labels among them), and the streamed training set equals, cell by
 * cell and in query order, the one {@code quiver historical --query FILE} computes for the same rows.
 */
class SparkFlightEntityDfTest {
  private static final List<String> REFS = List.of("user_txn:last_amount", "user_txn:amount_avg_30d", "user_txn:txn_count_7d",
      "user_profile:home_country", "merchant_txn:merchant_txn_count_1d", "txn_risk:amount_ratio_30d");

  @TempDir Path tmp;

  @Test
  void anUploadedEntityDfOnSparkEqualsQuiverHistorical() throws Exception {
    Path root = tmp.resolve("repo");
    assertThat(Cli.run("init", root.toString(), "--rows", "3000", "--start", "2026-01-01").exitCode()).isZero();
    assertThat(Cli.run("apply", "--repo", root.toString()).exitCode()).isZero();
    Path yaml = root.resolve("quiver.yaml");
    Files.writeString(yaml, Files.readString(yaml).replace("engine: duckdb", "engine: spark\n  master: 'local[2]'"));

    // the query rows, as a Parquet file for quiver historical and as Java values for the upload
    Path query = tmp.resolve("query.parquet");
    List<Object[]> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      s.execute("COPY (SELECT CASE WHEN n % 13 = 0 THEN NULL ELSE user_id END AS user_id, merchant_id,"
          + " CAST(event_ts AS TIMESTAMPTZ) + INTERVAL 90 SECOND AS event_timestamp,"
          + " CASE WHEN n % 11 = 0 THEN NULL ELSE amount END AS amount, country, is_fraud"
          + " FROM (SELECT row_number() OVER (ORDER BY txn_id DESC, created_ts DESC, amount) AS n, * FROM '"
          + root.resolve("data/transactions.parquet") + "') WHERE txn_id % 5 = 0 ORDER BY n) TO '" + query + "' (FORMAT parquet)");
      try (ResultSet rs = s.executeQuery("SELECT user_id, merchant_id, epoch_us(event_timestamp), amount, country, is_fraud"
          + " FROM read_parquet('" + query + "', file_row_number = true) ORDER BY file_row_number")) {
        while (rs.next()) {
          rows.add(new Object[] {rs.getObject(1), rs.getObject(2), rs.getLong(3), rs.getObject(4), rs.getString(5), rs.getObject(6)});
        }
      }
    }
    assertThat(rows).hasSizeGreaterThan(100);

    try (FeatureRepo repo = FeatureRepo.open(root);
        QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, 0));
        BufferAllocator allocator = new RootAllocator();
        FlightClient client = FlightClient.builder(allocator, Location.forGrpcInsecure("127.0.0.1", server.grpcPort())).build()) {
      Path out = tmp.resolve("expected.parquet");
      repo.writeHistoricalFeatures(HistoricalRequest.ofFeatures(QueryInput.Files.of(query.toString()),
          REFS.stream().map(FeatureRef::of).toList()), out, p -> {}, null, "test");
      List<PointInTimePlan.Column> columns = new ArrayList<>();
      List<Object[]> expected = new ArrayList<>();
      try (HistoricalRows r = repo.offline().read(out, FileFormat.PARQUET)) {
        columns.addAll(r.columns());
        r.forEachRemaining(expected::add);
      }
      List<Object[]> got = exchange(client, allocator, rows);
      assertThat(columns.stream().map(PointInTimePlan.Column::name).toList())
          .startsWith("user_id", "merchant_id", "event_timestamp", "amount", "country", "is_fraud").contains("amount_ratio_30d");
      assertThat(got).hasSize(expected.size()).hasSize(rows.size());
      for (int i = 0; i < expected.size(); i++) {
        for (int c = 0; c < columns.size(); c++) {
          assertThat(normalized(got.get(i)[c], columns.get(c))).as("row %d column %s", i, columns.get(c).name())
              .isEqualTo(expected.get(i)[c]);
        }
      }
      int avg = columns.stream().map(PointInTimePlan.Column::name).toList().indexOf("amount_avg_30d");
      assertThat(expected.stream().filter(r -> r[avg] != null).count()).as("features found").isGreaterThan(50);
      assertThat(expected.stream().filter(r -> r[0] == null).count()).as("null keys uploaded").isPositive();
      try (var left = Files.list(root.resolve(".quiver/tmp/flight"))) {
        assertThat(left.toList()).as("the uploaded rows' file is removed after the call").isEmpty();
      }
    }
  }

  private static Object normalized(Object v, PointInTimePlan.Column c) {
    if (v instanceof Text t) {
      return t.toString();
    }
    if (v != null && c.type() == ScalarType.TIMESTAMP) {
      long micros = (Long) v;
      return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }
    return v;
  }

  /** A do_exchange as Feast's remote offline store sends it: a JSON command, the rows in Arrow batches of 200. */
  private static List<Object[]> exchange(FlightClient client, BufferAllocator allocator, List<Object[]> rows) throws Exception {
    Map<String, Object> command = new LinkedHashMap<>();
    command.put("command_id", "test");
    command.put("api", "get_historical_features");
    command.put("feature_view_names", REFS.stream().map(r -> r.substring(0, r.indexOf(':'))).distinct().toList());
    command.put("feature_refs", REFS);
    command.put("project", "payments");
    command.put("full_feature_names", false);
    command.put("name_aliases", REFS.stream().map(r -> r.substring(0, r.indexOf(':'))).distinct().map(v -> (Object) null).toList());
    byte[] json = new ObjectMapper().writeValueAsString(command).getBytes(StandardCharsets.UTF_8);
    Schema schema = new Schema(List.of(Field.nullable("user_id", new ArrowType.Int(64, true)),
        Field.nullable("merchant_id", new ArrowType.Int(64, true)),
        Field.nullable("event_timestamp", new ArrowType.Timestamp(TimeUnit.NANOSECOND, "UTC")),
        Field.nullable("amount", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
        Field.nullable("country", ArrowType.Utf8.INSTANCE), Field.nullable("is_fraud", ArrowType.Bool.INSTANCE)));
    try (FlightClient.ExchangeReaderWriter rw = client.doExchange(FlightDescriptor.command(json));
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      rw.getWriter().start(root);
      for (int from = 0; from < rows.size(); from += 200) {
        int to = Math.min(rows.size(), from + 200);
        root.clear();
        root.allocateNew();
        for (int i = from; i < to; i++) {
          Object[] r = rows.get(i);
          int k = i - from;
          setLong((BigIntVector) root.getVector(0), k, r[0]);
          setLong((BigIntVector) root.getVector(1), k, r[1]);
          ((TimeStampNanoTZVector) root.getVector(2)).setSafe(k, (Long) r[2] * 1000L);
          if (r[3] == null) {
            ((Float8Vector) root.getVector(3)).setNull(k);
          } else {
            ((Float8Vector) root.getVector(3)).setSafe(k, ((Number) r[3]).doubleValue());
          }
          if (r[4] == null) {
            ((VarCharVector) root.getVector(4)).setNull(k);
          } else {
            ((VarCharVector) root.getVector(4)).setSafe(k, ((String) r[4]).getBytes(StandardCharsets.UTF_8));
          }
          if (r[5] == null) {
            ((BitVector) root.getVector(5)).setNull(k);
          } else {
            ((BitVector) root.getVector(5)).setSafe(k, (Boolean) r[5] ? 1 : 0);
          }
        }
        for (FieldVector v : root.getFieldVectors()) {
          v.setValueCount(to - from);
        }
        root.setRowCount(to - from);
        rw.getWriter().putNext();
      }
      rw.getWriter().completed();
      FlightStream reader = rw.getReader();
      List<Object[]> out = new ArrayList<>();
      while (reader.next()) {
        VectorSchemaRoot answer = reader.getRoot();
        for (int i = 0; i < answer.getRowCount(); i++) {
          Object[] row = new Object[answer.getFieldVectors().size()];
          for (int c = 0; c < row.length; c++) {
            row[c] = answer.getVector(c).getObject(i);
          }
          out.add(row);
        }
      }
      return out;
    }
  }

  private static void setLong(BigIntVector v, int k, Object x) {
    if (x == null) {
      v.setNull(k);
    } else {
      v.setSafe(k, ((Number) x).longValue());
    }
  }
}
