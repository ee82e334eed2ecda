package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.online.Pusher;
import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
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
 * The consistency harness for window aggregates (DESIGN §3, the consistency contract): randomized
 * events — ties in event and created time, nulls, gaps of weeks, a heavy key, rows that arrive
 * late — are materialized into RocksDB up to a first end, then pushed (online and offline) in
 * arrival order; at random times t, once every row with {@code event_ts <= t} is in (some read
 * times are exactly an event's time, which the window's open end excludes), the online answer is
 * taken, with a rematerialization in the middle. A training set at the same (key, t) pairs must give
 * the same values, bit for bit, for every aggregate function. The mismatch count is reported.
 *
 * <p>The heavy key's event count is {@code -Dquiver.consistency.heavy} (default 20,000; the
 * benchmark size is 100,000).
 */
class AggregateConsistencyTest {
  static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  static final Instant FIRST_END = Instant.parse("2026-02-20T00:00:00Z");
  static final Instant LAST = Instant.parse("2026-03-01T00:00:00Z");
  static final int USERS = 120;
  static final long HEAVY_USER = 7;
  static final int HEAVY = Integer.getInteger("quiver.consistency.heavy", 20_000);

  static final String DEFINITIONS = """
      entities:
        - {name: user, join_keys: [user_id], type: int64}
      sources:
        - {name: txns, path: data/txns/*.parquet, timestamp: event_ts, created: created_ts}
      feature_views:
        - name: user_agg
          entities: [user]
          source: txns
          features:
            - {name: last_amount, column: amount}
            - {name: n_1h, aggregate: {fn: count, window: 1h}}
            - {name: n_amount_1h, aggregate: {fn: count, column: amount, window: 1h}}
            - {name: sum_1d, aggregate: {fn: sum, column: amount, window: 1d}}
            - {name: sum_7d, aggregate: {fn: sum, column: amount, window: 7d}}
            - {name: avg_30d, aggregate: {fn: avg, column: amount, window: 30d}}
            - {name: min_7d, aggregate: {fn: min, column: amount, window: 7d}}
            - {name: max_1d, aggregate: {fn: max, column: amount, window: 1d}}
            - {name: first_channel_1d, aggregate: {fn: first, column: channel, window: 1d}}
            - {name: last_channel_7d, aggregate: {fn: last, column: channel, window: 7d}}
            - {name: std_7d, aggregate: {fn: stddev, column: amount, window: 7d}}
            - {name: var_30d, aggregate: {fn: variance, column: amount, window: 30d}}
            - {name: channels_30d, aggregate: {fn: count_distinct, column: channel, window: 30d}}
            - {name: last3_1d, aggregate: {fn: last_k, column: amount, k: 3, window: 1d}}
            - {name: approx_channels_life, aggregate: {fn: approx_count_distinct, column: channel, window: lifetime}}
            - {name: p50_7d, aggregate: {fn: approx_percentile, column: amount, percentile: 0.5, window: 7d}}
            - {name: qty_avg_1d, aggregate: {fn: avg, column: qty, window: 1d}}
            - {name: qty_sum_life, aggregate: {fn: sum, column: qty, window: lifetime}}
            - {name: qty_max_10m, aggregate: {fn: max, column: qty, window: 10m, hop: 1m}}
            - {name: web_count_7d, aggregate: {fn: count, window: 7d, where: "channel = 'web'"}}
            - {name: big_sum_1d, aggregate: {fn: sum, column: amount, window: 1d, where: "amount > 100 and qty is not null"}}
      """;

  static final List<String> NAMES = List.of("n_1h", "n_amount_1h", "sum_1d", "sum_7d", "avg_30d", "min_7d", "max_1d",
      "first_channel_1d", "last_channel_7d", "std_7d", "var_30d", "channels_30d", "last3_1d", "approx_channels_life",
      "p50_7d", "qty_avg_1d", "qty_sum_life", "qty_max_10m", "web_count_7d", "big_sum_1d");
  static final List<FeatureRef> FEATURES = NAMES.stream().map(n -> FeatureRef.of("user_agg:" + n)).toList();

  /** A clock the test moves: the online read time. */
  static final class MovableClock extends Clock {
    volatile Instant now = START;

    @Override public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override public Instant instant() {
      return now;
    }
  }

  record Event(long user, Instant event, Instant created, Double amount, String channel, Integer qty, Instant arrival) {}

  @TempDir Path tmp;

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2})
  void onlineEqualsOfflineForEveryAggregate(long seed) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    Path repo = tmp.resolve("repo");
    Files.createDirectories(repo.resolve("features"));
    Files.createDirectories(repo.resolve("data/txns"));
    Files.writeString(repo.resolve("quiver.yaml"), """
        project: aggs
        registry: {type: file, path: .quiver/registry}
        offline: {engine: duckdb}
        online: {type: rocksdb, path: .quiver/online}
        definitions: [features]
        """);
    Files.writeString(repo.resolve("features/defs.yaml"), DEFINITIONS);
    List<Event> events = events(random);
    List<Event> batch = events.stream().filter(e -> !e.arrival().isAfter(FIRST_END) && !e.event().isAfter(FIRST_END)).toList();
    List<Event> stream = new ArrayList<>(events.stream().filter(e -> !batch.contains(e)).toList());
    stream.sort(Comparator.comparing(Event::arrival));
    write(repo.resolve("data/txns/part-0.parquet"), batch);

    // read times after the first end: random ones, and some exactly at a streamed event's time
    List<Instant> times = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      times.add(FIRST_END.plusSeconds(random.nextLong(LAST.getEpochSecond() - FIRST_END.getEpochSecond())));
    }
    for (int i = 0; i < 4; i++) {
      times.add(stream.get(random.nextInt(stream.size())).event());
    }
    times.sort(null);

    MovableClock clock = new MovableClock();
    List<Object[]> checks = new ArrayList<>(); // user, t, then the online values
    List<String> statuses = new ArrayList<>();
    try (FeatureRepo r = FeatureRepo.open(repo, clock)) {
      r.apply(r.plan(false), "test", "first", false);
      clock.now = FIRST_END;
      r.materialize(List.of(), START, FIRST_END, (v, read, written) -> {}, "test");
      List<Event> pending = new ArrayList<>(stream);
      for (int step = 0; step < times.size(); step++) {
        Instant t = times.get(step);
        List<Event> due = pending.stream().filter(e -> !e.event().isAfter(t)).toList(); // in arrival order
        pending.removeAll(due);
        clock.now = t; // the events due by t are pushed at t: none is in the future (time bounds)
        if (!due.isEmpty()) {
          r.push("txns", columns(due), Pusher.Target.ONLINE_AND_OFFLINE);
        }
        if (step == times.size() / 2) {
          // a rebuild from the offline store (which holds every pushed row) in the middle
          r.materialize(List.of(), START, t, (v, read, written) -> {}, "test");
        }
        List<Object> ids = new ArrayList<>();
        ids.add(HEAVY_USER);
        for (int i = 0; i < 40; i++) {
          ids.add((long) random.nextInt(1, USERS + 10)); // a few keys have no rows at all
        }
        OnlineResponse online = r.getOnlineFeatures(FEATURES, Map.of("user_id", ids), false);
        for (int i = 0; i < ids.size(); i++) {
          Object[] check = new Object[2 + FEATURES.size()];
          check[0] = ids.get(i);
          check[1] = t;
          StringBuilder st = new StringBuilder();
          for (int f = 0; f < FEATURES.size(); f++) {
            FeatureColumn c = online.features().get(f);
            check[2 + f] = c.values().get(i);
            st.append(c.statuses().get(i)).append(' ');
          }
          checks.add(check);
          statuses.add(st.toString());
        }
      }

      Path query = repo.resolve("query.parquet");
      writeQuery(query, checks);
      int mismatches = 0;
      int compared = 0;
      Map<String, Integer> nonNull = new HashMap<>();
      try (HistoricalRows offline = r.getHistoricalFeatures(
          HistoricalRequest.ofFeatures(new QueryInput.Files(query.toString(), FileFormat.PARQUET), FEATURES))) {
        int width = offline.columns().size() - FEATURES.size();
        for (int i = 0; offline.hasNext(); i++) {
          Object[] row = offline.next();
          Object[] check = checks.get(i);
          assertThat(row[0]).isEqualTo(check[0]);
          for (int f = 0; f < FEATURES.size(); f++) {
            Object want = row[width + f];
            Object got = check[2 + f];
            compared++;
            if (want != null && !Long.valueOf(0).equals(want)) {
              nonNull.merge(NAMES.get(f), 1, Integer::sum);
            }
            if (!same(want, got)) {
              mismatches++;
              if (mismatches <= 20) {
                System.err.printf("seed %d user %s at %s %s: offline %s, online %s (%s)%n", seed, check[0], check[1],
                    NAMES.get(f), want, got, statuses.get(i));
              }
            }
          }
        }
      }
      System.out.printf("aggregate consistency, seed %d: %d events (heavy key %d), %d values compared, %d mismatches%n",
          seed, events.size(), HEAVY, compared, mismatches);
      assertThat(compared).isEqualTo(checks.size() * FEATURES.size());
      assertThat(mismatches).as("online != offline (see stderr)").isZero();
      for (String name : NAMES) {
        assertThat(nonNull.getOrDefault(name, 0)).as("non-empty values of %s compared", name).isGreaterThan(10);
      }
    }
  }

  /** Bit for bit: doubles by their bits, lists element-wise. */
  private static boolean same(Object a, Object b) {
    if (a instanceof Double x && b instanceof Double y) {
      return Double.doubleToRawLongBits(x) == Double.doubleToRawLongBits(y);
    }
    return java.util.Objects.equals(a, b);
  }

  /** Events of users 1..USERS: bursts with gaps, ties, nulls, a heavy key, and arrival delays (some days late). */
  private static List<Event> events(SplittableRandom random) {
    List<Event> out = new ArrayList<>();
    long span = LAST.getEpochSecond() - START.getEpochSecond();
    for (long user = 1; user <= USERS; user++) {
      int n = user == HEAVY_USER ? HEAVY : random.nextInt(0, 120);
      long burst = random.nextLong(span);
      for (int i = 0; i < n; i++) {
        if (random.nextInt(30) == 0) {
          burst = random.nextLong(span); // a gap: the next events come weeks away
        }
        long second = user == HEAVY_USER ? random.nextLong(span)
            : Math.floorMod(burst + random.nextLong(-3 * 86_400, 3 * 86_400), span);
        second -= second % (random.nextInt(3) == 0 ? 60 : 1); // ties in event time
        Instant event = START.plusSeconds(second).plusNanos(random.nextInt(4) == 0 ? 0 : random.nextInt(1000) * 1000L);
        Instant created = random.nextInt(4) == 0 ? null : event.plusSeconds(random.nextInt(3));
        Double amount = random.nextInt(7) == 0 ? null : Math.round(random.nextDouble(-50, 500) * 100) / 100.0;
        String channel = random.nextInt(6) == 0 ? null : List.of("web", "app", "pos", "phone").get(random.nextInt(4));
        Integer qty = random.nextInt(5) == 0 ? null : random.nextInt(-3, 20);
        long delay = random.nextInt(10) == 0 ? random.nextLong(3 * 86_400) : random.nextLong(120);
        out.add(new Event(user, event, created, amount, channel, qty, event.plusSeconds(delay)));
      }
    }
    return out;
  }

  private static Map<String, List<Object>> columns(List<Event> rows) {
    Map<String, List<Object>> c = new LinkedHashMap<>();
    for (String name : List.of("user_id", "event_ts", "created_ts", "amount", "channel", "qty")) {
      c.put(name, new ArrayList<>());
    }
    for (Event e : rows) {
      c.get("user_id").add(e.user());
      c.get("event_ts").add(e.event().toString());
      c.get("created_ts").add(e.created() == null ? null : e.created().toString());
      c.get("amount").add(e.amount());
      c.get("channel").add(e.channel());
      c.get("qty").add(e.qty());
    }
    return c;
  }

  private static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
  }

  private static void write(Path file, List<Event> rows) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (user_id BIGINT, event_ts TIMESTAMP, created_ts TIMESTAMP, amount DOUBLE, channel VARCHAR,"
          + " qty INTEGER)");
      try (DuckDBAppender a = c.unwrap(DuckDBConnection.class).createAppender(DuckDBConnection.DEFAULT_SCHEMA, "t")) {
        for (Event e : rows) {
          a.beginRow();
          a.append(e.user());
          a.appendEpochMicros(micros(e.event()));
          if (e.created() == null) {
            a.appendNull();
          } else {
            a.appendEpochMicros(micros(e.created()));
          }
          if (e.amount() == null) {
            a.appendNull();
          } else {
            a.append((double) e.amount());
          }
          if (e.channel() == null) {
            a.appendNull();
          } else {
            a.append(e.channel());
          }
          if (e.qty() == null) {
            a.appendNull();
          } else {
            a.append((int) e.qty());
          }
          a.endRow();
        }
      }
      s.execute("COPY t TO '" + file + "' (FORMAT parquet)");
    }
  }

  private static void writeQuery(Path file, List<Object[]> checks) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE q (user_id BIGINT, event_timestamp TIMESTAMP)");
      try (DuckDBAppender a = c.unwrap(DuckDBConnection.class).createAppender(DuckDBConnection.DEFAULT_SCHEMA, "q")) {
        for (Object[] check : checks) {
          a.beginRow();
          a.append((long) (Long) check[0]);
          a.appendEpochMicros(micros((Instant) check[1]));
          a.endRow();
        }
      }
      s.execute("COPY q TO '" + file + "' (FORMAT parquet)");
    }
  }
}
