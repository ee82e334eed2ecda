package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.FeatureView;
import dev.quiver.core.online.KeyEncoding;
import dev.quiver.core.online.Materializer;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.OnlineTables;
import dev.quiver.core.online.TileRows;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What materialization reports and does: ROWS READ is the number of source rows in the range for
 * every view, whatever its features (columns, window aggregates or both), in the Java result and the
 * CLI table; an incremental run with nothing new writes nothing at all.
 */
class MaterializeCountsTest {
  static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  static final Instant END = Instant.parse("2026-02-01T00:00:00Z");
  static final List<String> VIEWS = List.of("user_last@v1", "user_windows@v1", "user_both@v1");
  static final Materializer.Listener QUIET = (v, read, written) -> {};

  @TempDir Path tmp;
  Path repo;

  @BeforeEach
  void createRepo() throws Exception {
    repo = tmp.resolve("repo");
    Files.createDirectories(repo.resolve("features"));
    Files.createDirectories(repo.resolve("data/txns"));
    Files.writeString(repo.resolve("quiver.yaml"), """
        project: counts
        registry: {type: file, path: .quiver/registry}
        online: {type: rocksdb, path: .quiver/online}
        definitions: [features]
        """);
    Files.writeString(repo.resolve("features/defs.yaml"), """
        entities:
          - {name: user, join_keys: [user_id], type: int64}
        sources:
          - {name: txns, path: "data/txns/*.parquet", timestamp: event_ts}
        feature_views:
          - name: user_last
            entities: [user]
            source: txns
            ttl: 3650d
            features:
              - {name: amount, column: amount}
          - name: user_windows
            entities: [user]
            source: txns
            features:
              - {name: n_7d, aggregate: {fn: count, window: 7d}}
              - {name: amount_sum_30d, aggregate: {fn: sum, column: amount, window: 30d}}
          - name: user_both
            entities: [user]
            source: txns
            ttl: 3650d
            features:
              - {name: amount, column: amount}
              - {name: n_life, aggregate: {fn: count, window: lifetime}}
        """);
    // 20 users with 5 rows each, one an hour: 100 rows from 2026-01-01 05:00 to 2026-01-05 08:00
    sql("COPY (SELECT u::BIGINT AS user_id, TIMESTAMP '2026-01-01 00:00:00' + to_hours(u * 5 + k) AS event_ts,"
        + " (u + k)::DOUBLE AS amount FROM range(1, 21) a(u), range(0, 5) b(k))"
        + " TO '" + repo.resolve("data/txns/part-0.parquet") + "' (FORMAT parquet)");
    assertThat(Cli.run("apply", "--repo", repo.toString()).exitCode()).isZero();
  }

  private long sql(String statement) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      if (statement.startsWith("SELECT")) {
        try (ResultSet r = s.executeQuery(statement)) {
          r.next();
          return r.getLong(1);
        }
      }
      s.execute(statement);
      return 0;
    }
  }

  /** Source rows with START <= event_ts <= END, counted by DuckDB directly. */
  private long rowsIn(Instant start, Instant end) throws Exception {
    return sql("SELECT count(*) FROM '" + repo.resolve("data/txns/*.parquet") + "' WHERE event_ts BETWEEN TIMESTAMP '"
        + start.toString().replace("T", " ").replace("Z", "") + "' AND TIMESTAMP '" + end.toString().replace("T", " ").replace("Z", "") + "'");
  }

  @Test
  void rowsReadAreTheSourceRowsInTheRangeForEveryView() throws Exception {
    Instant from = Instant.parse("2026-01-03T00:00:00Z");
    try (FeatureRepo r = FeatureRepo.open(repo)) {
      for (Instant start : List.of(START, from)) {
        List<Materializer.ViewResult> results = r.materialize(List.of(), start, END, QUIET, "test");
        assertThat(results).extracting(Materializer.ViewResult::view).containsExactlyInAnyOrderElementsOf(VIEWS);
        long expected = rowsIn(start, END);
        assertThat(expected).isBetween(1L, 99L + (start.equals(START) ? 1 : 0));
        assertThat(results).as("from " + start).allSatisfy(v -> assertThat(v.rowsRead()).isEqualTo(expected));
      }
    }
    Cli cli = Cli.run("materialize", "--repo", repo.toString(), "2026-01-01", "2026-02-01");
    assertThat(cli.exitCode()).as(cli.toString()).isZero();
    List<String> lines = cli.out().lines().filter(l -> VIEWS.stream().anyMatch(l::startsWith)).toList();
    assertThat(lines).hasSize(3).allSatisfy(l -> assertThat(l.split("\\s+")[3]).as(l).isEqualTo("100"));
  }

  @Test
  void anIncrementalRunWithNothingNewWritesNothing() throws Exception {
    Instant later = END.plus(Duration.ofDays(10)); // the source has no rows after END
    try (FeatureRepo r = FeatureRepo.open(repo)) {
      r.materialize(List.of(), START, END, QUIET, "test");
      RegistrySnapshot head = r.registry().latest().orElseThrow();
      CountingStore counting = new CountingStore(r.online());
      List<byte[]> before = everyRow(head, r.online());
      Materializer materializer = new Materializer(head, r.offline(), counting, r.registry(), repo, Clock.systemUTC(), "test");

      for (Instant end : List.of(END, later)) { // the watermark is at END; then no row after it up to a later END
        List<Materializer.ViewResult> results = materializer.materializeIncremental(List.of(), end, QUIET);
        assertThat(results).as("to " + end).hasSize(3).allSatisfy(v -> {
          assertThat(v.nothingNew()).as(v.toString()).isTrue();
          assertThat(v.start()).isEqualTo(END);
        });
        assertThat(counting.writes.get()).as("rows written to the store, to " + end).isZero();
        for (String view : VIEWS) {
          assertThat(r.registry().watermark(view).orElseThrow().end()).isEqualTo(end);
        }
      }
      List<byte[]> after = everyRow(head, r.online());
      assertThat(after).hasSameSizeAs(before);
      for (int i = 0; i < before.size(); i++) {
        assertThat(after.get(i)).as("row " + i + " unchanged").isEqualTo(before.get(i));
      }

      // one new row after the watermark: read, and written, by every view
      sql("COPY (SELECT 3::BIGINT AS user_id, TIMESTAMP '2026-02-11 01:00:00' AS event_ts, 7.5::DOUBLE AS amount)"
          + " TO '" + repo.resolve("data/txns/part-1.parquet") + "' (FORMAT parquet)");
      List<Materializer.ViewResult> fresh = materializer.materializeIncremental(List.of(), later.plus(Duration.ofDays(1)), QUIET);
      assertThat(fresh).allSatisfy(v -> {
        assertThat(v.rowsRead()).as(v.toString()).isEqualTo(1);
        assertThat(v.nothingNew()).isFalse();
      });
      assertThat(counting.writes.get()).isPositive();
    }
    Cli cli = Cli.run("materialize-incremental", "--repo", repo.toString(), "2026-02-12T01:00:00Z");
    assertThat(cli.exitCode()).as(cli.toString()).isZero();
    for (String view : VIEWS) {
      assertThat(cli.out()).contains(view + ": nothing new: no source rows from 2026-02-12T00:00:00Z to 2026-02-12T01:00:00Z;"
          + " nothing written");
    }
  }

  /** Every latest row and tile row of the three views, for users 1 to 20, in a fixed order. */
  private static List<byte[]> everyRow(RegistrySnapshot head, OnlineStore store) {
    List<byte[]> keys = new ArrayList<>();
    for (long u = 1; u <= 20; u++) {
      keys.add(KeyEncoding.encode(List.of(ScalarType.INT64), List.of(u)));
    }
    List<byte[]> out = new ArrayList<>();
    for (FeatureView v : head.definitions().views()) {
      out.addAll(store.multiGet(OnlineTables.of(head.definitions().project(), v), keys));
      out.addAll(store.multiGet(TileRows.table(head.definitions().project(), v), keys));
    }
    assertThat(out.stream().filter(java.util.Objects::nonNull).count()).as("latest rows of 20 users in 3 views, and tiles")
        .isGreaterThan(20 * 3);
    return out;
  }

  /** A real store that counts the rows written to it. */
  static final class CountingStore implements OnlineStore {
    final OnlineStore store;
    final AtomicLong writes = new AtomicLong();

    CountingStore(OnlineStore store) {
      this.store = store;
    }

    @Override
    public void createTable(String table) {
      store.createTable(table);
    }

    @Override
    public void dropTable(String table) {
      writes.incrementAndGet();
      store.dropTable(table);
    }

    @Override
    public List<byte[]> multiGet(String table, List<byte[]> keys) {
      return store.multiGet(table, keys);
    }

    @Override
    public int multiPutIfNewer(String table, List<Entry> entries) {
      writes.addAndGet(entries.size());
      return store.multiPutIfNewer(table, entries);
    }

    @Override
    public int multiPutIfNotOlder(String table, List<Entry> entries) {
      writes.addAndGet(entries.size());
      return store.multiPutIfNotOlder(table, entries);
    }

    @Override
    public void multiPut(String table, List<Entry> entries) {
      writes.addAndGet(entries.size());
      store.multiPut(table, entries);
    }

    @Override
    public void delete(String table, List<byte[]> keys) {
      writes.addAndGet(keys.size());
      store.delete(table, keys);
    }

    @Override
    public void check() {
      store.check();
    }

    @Override
    public void close() {}
  }
}
