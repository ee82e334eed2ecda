package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.OnlineRequest;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.core.spi.Transform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The consistency contract for derived and on-demand features (DESIGN §3): on randomized events
 * (ties in event and created time, nulls, zeros and negatives for the domain edges, rows past the
 * TTL, a late backfill) materialized into RocksDB, the online answer at END, with random request
 * data, equals bit for bit the training-set answer at END for the same keys and request data, for
 * every column, derived, on-demand and custom-transform feature. The mismatch count is reported.
 */
class DerivedConsistencyTest {
  static final Instant START = Instant.parse("2025-01-01T00:00:00Z");
  static final Instant MID = Instant.parse("2026-02-01T00:00:00Z");
  static final Instant END = Instant.parse("2026-03-01T00:00:00Z");
  static final int USERS = 300;

  static final String DEFINITIONS = """
      entities:
        - {name: user, join_keys: [user_id], type: int64}
      sources:
        - {name: txns, path: data/txns/*.parquet, timestamp: event_ts, created: created_ts}
      feature_views:
        - name: user_txn
          entities: [user]
          source: txns
          ttl: 30d
          features:
            - {name: amount, column: amount}
            - {name: country, column: country}
            - {name: visits, column: visits}
            - {name: seen_at, column: seen_at}
            - {name: amount_x, expr: "amount * 1.5 + 1"}
            - {name: amount_ln, expr: "round(ln(amount), 3)"}
            - {name: domestic, expr: "country = 'US'"}
            - {name: label, expr: "case when amount > 50 then concat(upper(country), '-big') else lower(coalesce(country, 'none')) end"}
            - {name: seen_hour, expr: "hour(seen_at) + 100 * day_of_week(seen_at)"}
            - {name: visits_per_amount, expr: "visits / nullif(cast(amount as int64), 0)"}
            - {name: busy, expr: "amount_x > 40 and visits between 2 and 8"}
      on_demand_views:
        - name: risk
          inputs: [user_txn, request: {txn_amount: float64, channel: string}]
          features:
            - {name: ratio, expr: "request.txn_amount / nullif(user_txn.amount, 0)"}
            - {name: flag, expr: "ratio > 2 or request.channel = 'web'"}
            - {name: channel_or_country, expr: "coalesce(request.channel, user_txn.label, '?')"}
            - {name: blended, transform: "dev.quiver.cli.DerivedConsistencyTest$Blend", args: [request.txn_amount, user_txn.amount_x]}
      """;

  static final List<FeatureRef> FEATURES = List.of("user_txn:amount", "user_txn:country", "user_txn:amount_x",
      "user_txn:amount_ln", "user_txn:domestic", "user_txn:label", "user_txn:seen_hour", "user_txn:visits_per_amount",
      "user_txn:busy", "risk:ratio", "risk:flag", "risk:channel_or_country", "risk:blended").stream().map(FeatureRef::of).toList();

  /** {@code max(a, b) - min(a, b) / 3}, null when both are null: a custom transform under test. */
  public static final class Blend implements Transform {
    @Override
    public ValueType resultType(List<ValueType> types) {
      if (types.size() != 2 || !types.stream().allMatch(ValueType::isNumeric)) {
        throw new IllegalArgumentException("it takes two numbers");
      }
      return ScalarType.FLOAT64;
    }

    @Override
    public Object apply(Object[] args) {
      if (args[0] == null && args[1] == null) {
        return null;
      }
      double a = args[0] == null ? 0 : ((Number) args[0]).doubleValue();
      double b = args[1] == null ? 0 : ((Number) args[1]).doubleValue();
      return Math.max(a, b) - Math.min(a, b) / 3;
    }
  }

  @TempDir Path tmp;

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void onlineEqualsOfflineForDerivedAndOnDemandFeatures(long seed) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    Path repo = tmp.resolve("repo");
    Files.createDirectories(repo.resolve("features"));
    Files.createDirectories(repo.resolve("data/txns"));
    Files.writeString(repo.resolve("quiver.yaml"), """
        project: derived
        registry: {type: file, path: .quiver/registry}
        offline: {engine: duckdb}
        online: {type: rocksdb, path: .quiver/online}
        definitions: [features]
        """);
    Files.writeString(repo.resolve("features/defs.yaml"), DEFINITIONS);
    writeEvents(repo.resolve("data/txns/part-0.parquet"), random, 4000, START, END);

    try (FeatureRepo r = FeatureRepo.open(repo, Clock.fixed(END, ZoneOffset.UTC))) {
      r.apply(r.plan(false), "test", "first", false);
      r.materialize(List.of(), START, MID, (v, read, written) -> {}, "test");
      // a late file: rows older than the first run's end arrive after it, and a backfill over
      // everything must leave the newest row per key (by event, then created time) in place
      writeEvents(repo.resolve("data/txns/part-1.parquet"), random, 1500, START, END);
      r.materialize(List.of(), START, END, (v, read, written) -> {}, "test");

      List<Object> ids = new ArrayList<>();
      List<Object> amounts = new ArrayList<>();
      List<Object> channels = new ArrayList<>();
      for (int i = 0; i < 600; i++) {
        ids.add((long) random.nextInt(1, USERS + 40)); // some keys have no rows at all
        amounts.add(random.nextInt(10) == 0 ? null : random.nextInt(5) == 0 ? 0.0 : random.nextDouble(-20, 200));
        channels.add(random.nextInt(6) == 0 ? null : List.of("web", "app", "pos").get(random.nextInt(3)));
      }
      Map<String, List<Object>> entities = Map.of("user_id", ids);
      Map<String, List<Object>> context = new LinkedHashMap<>();
      context.put("txn_amount", amounts);
      context.put("channel", channels);
      OnlineResponse online = r.getOnlineFeatures(OnlineRequest.of(FEATURES, entities).withRequestContext(context));

      Path query = repo.resolve("query.parquet");
      writeQuery(query, ids, amounts, channels);
      int mismatches = 0;
      int compared = 0;
      Map<String, Integer> nonNull = new HashMap<>();
      try (HistoricalRows offline = r.getHistoricalFeatures(
          HistoricalRequest.ofFeatures(new QueryInput.Files(query.toString(), dev.quiver.core.model.FileFormat.PARQUET), FEATURES))) {
        int width = offline.columns().size() - FEATURES.size();
        for (int i = 0; offline.hasNext(); i++) {
          Object[] row = offline.next();
          for (int f = 0; f < FEATURES.size(); f++) {
            FeatureColumn c = online.features().get(f);
            Object want = row[width + f];
            Object got = c.values().get(i);
            compared++;
            if (want != null) {
              nonNull.merge(c.name(), 1, Integer::sum);
            }
            if (!same(want, got)) {
              mismatches++;
              if (mismatches <= 20) {
                System.err.printf("seed %d row %d user %s %s: offline %s, online %s (%s)%n", seed, i, row[0], c.name(),
                    want, got, c.statuses().get(i));
              }
            }
          }
        }
      }
      System.out.printf("derived consistency, seed %d: %d values compared, %d mismatches%n", seed, compared, mismatches);
      assertThat(compared).isEqualTo(600 * FEATURES.size());
      assertThat(mismatches).as("online != offline (see stderr)").isZero();
      for (FeatureRef ref : FEATURES) {
        assertThat(nonNull.getOrDefault(ref.feature(), 0)).as("non-null values of %s compared", ref).isGreaterThan(20);
      }
    }
  }

  /** Bit for bit: doubles by their bits (so -0.0 and NaN count), lists element-wise. */
  private static boolean same(Object a, Object b) {
    if (a instanceof Double x && b instanceof Double y) {
      return Double.doubleToRawLongBits(x) == Double.doubleToRawLongBits(y);
    }
    if (a instanceof byte[] x && b instanceof byte[] y) {
      return Arrays.equals(x, y);
    }
    return java.util.Objects.equals(a, b);
  }

  /** Random events for users 1..USERS: few distinct times (ties), null and edge values. */
  private static void writeEvents(Path file, SplittableRandom random, int rows, Instant from, Instant to) throws SQLException {
    long span = Duration.between(from, to).toMinutes();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (user_id BIGINT, event_ts TIMESTAMP, created_ts TIMESTAMP, amount DOUBLE,"
          + " country VARCHAR, visits BIGINT, seen_at TIMESTAMP)");
      try (DuckDBAppender a = c.unwrap(DuckDBConnection.class).createAppender(DuckDBConnection.DEFAULT_SCHEMA, "t")) {
        for (int i = 0; i < rows; i++) {
          // recent events are dense (most keys are within the 30-day TTL at END), a few are old
          long minute = random.nextInt(4) == 0 ? random.nextLong(span) : span - random.nextLong(60L * 24 * 45);
          minute -= minute % 30; // ties in event time
          Instant event = from.plus(Duration.ofMinutes(minute));
          a.beginRow();
          a.append((long) random.nextInt(1, USERS + 1));
          a.appendEpochMicros(event.toEpochMilli() * 1000);
          if (random.nextInt(5) == 0) {
            a.appendNull();
          } else {
            a.appendEpochMicros(event.plus(Duration.ofMinutes(random.nextInt(3))).toEpochMilli() * 1000);
          }
          int kind = random.nextInt(10);
          if (kind == 0) {
            a.appendNull();
          } else {
            a.append(kind == 1 ? 0.0 : kind == 2 ? -random.nextDouble(50) : random.nextDouble(0, 120));
          }
          String country = List.of("US", "FR", "DE", "").get(random.nextInt(4));
          if (random.nextInt(8) == 0) {
            a.appendNull();
          } else {
            a.append(country);
          }
          if (random.nextInt(8) == 0) {
            a.appendNull();
          } else {
            a.append((long) random.nextInt(0, 12));
          }
          if (random.nextInt(8) == 0) {
            a.appendNull();
          } else {
            a.appendEpochMicros(event.minus(Duration.ofSeconds(random.nextLong(86_400L * 14))).toEpochMilli() * 1000);
          }
          a.endRow();
        }
      }
      s.execute("COPY t TO '" + file + "' (FORMAT parquet)");
    }
  }

  private static void writeQuery(Path file, List<Object> ids, List<Object> amounts, List<Object> channels)
      throws SQLException, IOException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE q (user_id BIGINT, event_timestamp TIMESTAMP, txn_amount DOUBLE, channel VARCHAR)");
      try (DuckDBAppender a = c.unwrap(DuckDBConnection.class).createAppender(DuckDBConnection.DEFAULT_SCHEMA, "q")) {
        for (int i = 0; i < ids.size(); i++) {
          a.beginRow();
          a.append((Long) ids.get(i));
          a.appendEpochMicros(END.toEpochMilli() * 1000);
          if (amounts.get(i) == null) {
            a.appendNull();
          } else {
            a.append((double) (Double) amounts.get(i));
          }
          if (channels.get(i) == null) {
            a.appendNull();
          } else {
            a.append((String) channels.get(i));
          }
          a.endRow();
        }
      }
      s.execute("COPY q TO '" + file + "' (FORMAT parquet)");
    }
  }
}
