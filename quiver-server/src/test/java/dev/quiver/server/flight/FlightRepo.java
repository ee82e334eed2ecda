package dev.quiver.server.flight;

import dev.quiver.core.repo.FeatureRepo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A randomized feature repo for the Flight tests: events of 20 users on a 10-minute grid over three
 * days (so query times land exactly on TTL edges and window starts), rows tied on (event_ts,
 * created_ts) in one file and across two files, null amounts; a column view with a 2 h TTL, a window
 * aggregate view, an on-demand view over request data, and a feature service. Query rows: unknown and
 * null keys, duplicates, a request column and a label, in random order.
 */
final class FlightRepo {
  static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");
  static final String DEFINITIONS = """
      entities:
        - {name: user, join_keys: [user_id], type: int64}
      sources:
        - {name: events, path: data/events/*.parquet, timestamp: event_ts, created: created_ts}
      feature_views:
        - name: stats
          entities: [user]
          source: events
          ttl: 2h
          features:
            - {name: amount, column: amount}
            - {name: country, column: country}
            - {name: n, column: n}
        - name: windows
          entities: [user]
          source: events
          features:
            - {name: amount_sum_1h, aggregate: {fn: sum, column: amount, window: 1h}}
            - {name: events_1d, aggregate: {fn: count, window: 1d}}
      on_demand_views:
        - name: ratio
          inputs: [stats, request: {price: float64}]
          features:
            - {name: price_ratio, expr: "request.price / nullif(stats.amount, 0)"}
      feature_services:
        - {name: model, version: 1, features: ["stats:amount", "windows:amount_sum_1h", "ratio:price_ratio"]}
      """;

  /** One query row: key (may be null), time, the request field and a label. */
  record QueryRow(Long userId, Instant t, Double price, String label) {}

  private FlightRepo() {}

  /** Creates and applies the repo in {@code dir}; {@code server} is quiver.yaml's server block (or empty). */
  static Path create(Path dir, long seed, String server) {
    try {
      Files.createDirectories(dir.resolve("features"));
      Files.createDirectories(dir.resolve("data/events"));
      Files.writeString(dir.resolve("quiver.yaml"), """
          project: flighttest
          registry: {type: file, path: .quiver/registry}
          offline: {engine: duckdb}
          online: {type: rocksdb, path: .quiver/online}
          %s
          definitions: [features]
          """.formatted(server));
      Files.writeString(dir.resolve("features/defs.yaml"), DEFINITIONS);
      Random r = new Random(seed);
      writeEvents(dir.resolve("data/events/part-0.parquet"), r, 600);
      writeEvents(dir.resolve("data/events/part-1.parquet"), r, 200); // later file: wins ties
      try (FeatureRepo repo = FeatureRepo.open(dir)) {
        repo.apply(repo.plan(false), "test", "first", false);
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeEvents(Path file, Random r, int rows) {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      s.execute("CREATE TABLE e (user_id BIGINT, event_ts TIMESTAMP, created_ts TIMESTAMP, amount DOUBLE, country VARCHAR, n INTEGER)");
      try (PreparedStatement p = c.prepareStatement("INSERT INTO e VALUES (?, ?, ?, ?, ?, ?)")) {
        for (int i = 0; i < rows; i++) {
          Instant event = BASE.plusSeconds(600L * r.nextInt(3 * 144));
          Instant created = r.nextInt(3) == 0 ? event : event.plusSeconds(60L * r.nextInt(3));
          p.setLong(1, 1 + r.nextInt(20));
          p.setObject(2, OffsetDateTime.ofInstant(event, ZoneOffset.UTC).toLocalDateTime());
          p.setObject(3, OffsetDateTime.ofInstant(created, ZoneOffset.UTC).toLocalDateTime());
          if (r.nextInt(10) == 0) {
            p.setNull(4, Types.DOUBLE);
          } else {
            p.setDouble(4, r.nextInt(7) == 0 ? 0.0 : Math.round(r.nextDouble() * 10_000) / 100.0);
          }
          p.setString(5, r.nextInt(8) == 0 ? null : List.of("FR", "DE", "JP").get(r.nextInt(3)));
          p.setInt(6, r.nextInt(1000) - 500);
          p.execute();
        }
      }
      s.execute("COPY e TO '" + file + "' (FORMAT parquet)");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Random query rows, with duplicates, unknown and null keys, times on and off the grid. */
  static List<QueryRow> queryRows(long seed, int n) {
    Random r = new Random(seed * 31 + 7);
    List<QueryRow> out = new ArrayList<>();
    while (out.size() < n) {
      if (!out.isEmpty() && r.nextInt(10) == 0) {
        out.add(out.get(r.nextInt(out.size()))); // a duplicate query row
        continue;
      }
      Long user = r.nextInt(15) == 0 ? null : (long) r.nextInt(23); // 0, 21, 22: unknown
      long seconds = r.nextBoolean() ? 600L * r.nextInt(4 * 144) : r.nextInt(4 * 86_400);
      Double price = r.nextInt(10) == 0 ? null : (double) r.nextInt(100);
      out.add(new QueryRow(user, BASE.plusSeconds(seconds), price, "row" + out.size()));
    }
    return out;
  }

  /** Writes query rows to Parquet as a person would for {@code quiver historical --query}. */
  static void writeQuery(Path file, List<QueryRow> rows) {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      s.execute("CREATE TABLE q (user_id BIGINT, event_timestamp TIMESTAMP WITH TIME ZONE, price DOUBLE, label VARCHAR)");
      try (PreparedStatement p = c.prepareStatement("INSERT INTO q VALUES (?, ?, ?, ?)")) {
        for (QueryRow q : rows) {
          p.setObject(1, q.userId());
          p.setObject(2, OffsetDateTime.ofInstant(q.t(), ZoneOffset.UTC));
          p.setObject(3, q.price());
          p.setString(4, q.label());
          p.execute();
        }
      }
      s.execute("COPY q TO '" + file + "' (FORMAT parquet)");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
