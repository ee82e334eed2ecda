package dev.quiver.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.model.Window;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.online.Origin;
import dev.quiver.core.online.Pusher;
import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The consistency contract over every online write path (DESIGN §3, online writes and the
 * consistency contract), for one (offline engine, online store) pair: randomized events of a few
 * dozen keys — out of order, some days late, nulls — reach the stores through random interleavings
 * of {@code materialize START END} (backfills of old ranges after newer pushes included), pushes
 * {@code online_and_offline} with and without an idempotency key, pushes repeated with their key
 * (duplicate deliveries), and stream-partition batches with offsets, replayed from an earlier offset
 * (the batch twin holding each event once). After each step, once every event up to the step's time
 * t is in, the online answer at t, a training set at the same (key, t) and {@link
 * NaiveWindowAggregator} over the events ingested must agree, bit for bit, for every aggregate
 * function: 0 mismatches. The seed is printed with every mismatch.
 *
 * <p>A subclass gives the store's {@code online:} block of {@code quiver.yaml}; the offline engine
 * is the {@code engine} of {@link #offlineYaml()} (DuckDB by default). Event times are distinct per
 * key (ties are the tie rule's own tests). Each seed has its own project, so seeds may share one store.
 */
public abstract class WritePathContract {
  static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  static final Instant FIRST_END = Instant.parse("2026-01-12T00:00:00Z");
  static final Instant LAST = Instant.parse("2026-01-31T00:00:00Z");
  static final int USERS = 30;
  static final DateTimeFormatter CSV_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

  /** One aggregate feature of the contract's views. */
  record Spec(String view, String name, Aggregation agg, ValueType input) {
    String yaml() {
      StringBuilder b = new StringBuilder("{name: ").append(name).append(", aggregate: {fn: ").append(agg.function().spelling());
      if (agg.column() != null) {
        b.append(", column: ").append(agg.column());
      }
      if (agg.function() == AggregateFunction.LAST_K) {
        b.append(", k: 3");
      }
      if (agg.function() == AggregateFunction.APPROX_PERCENTILE) {
        b.append(", percentile: 0.5");
      }
      b.append(", window: ").append(agg.window() instanceof Window.Fixed f ? f.length().toHours() + "h" : "lifetime");
      return b.append("}}").toString();
    }
  }

  static final List<Spec> SPECS = specs();

  private static List<Spec> specs() {
    List<Spec> out = new ArrayList<>();
    Object[][] all = {
        {"user_all", "n_1d", AggregateFunction.COUNT, null, Duration.ofDays(1)},
        {"user_all", "sum_7d", AggregateFunction.SUM, "amount", Duration.ofDays(7)},
        {"user_all", "avg_1d", AggregateFunction.AVG, "amount", Duration.ofDays(1)},
        {"user_all", "min_7d", AggregateFunction.MIN, "amount", Duration.ofDays(7)},
        {"user_all", "max_life", AggregateFunction.MAX, "amount", null},
        {"user_all", "first_1d", AggregateFunction.FIRST, "channel", Duration.ofDays(1)},
        {"user_all", "last_7d", AggregateFunction.LAST, "channel", Duration.ofDays(7)},
        {"user_all", "std_7d", AggregateFunction.STDDEV, "amount", Duration.ofDays(7)},
        {"user_all", "distinct_7d", AggregateFunction.COUNT_DISTINCT, "channel", Duration.ofDays(7)},
        {"user_all", "last3_1d", AggregateFunction.LAST_K, "amount", Duration.ofDays(1)},
        {"user_all", "approx_life", AggregateFunction.APPROX_COUNT_DISTINCT, "channel", null},
        {"user_all", "p50_7d", AggregateFunction.APPROX_PERCENTILE, "amount", Duration.ofDays(7)},
        {"user_all", "n_life", AggregateFunction.COUNT, null, null},
        // no lifetime window: events older than a day behind the newest are dropped as late
        {"user_recent", "n_1h", AggregateFunction.COUNT, null, Duration.ofHours(1)},
        {"user_recent", "sum_1d", AggregateFunction.SUM, "amount", Duration.ofDays(1)},
        {"user_recent", "last_1d", AggregateFunction.LAST, "channel", Duration.ofDays(1)},
    };
    for (Object[] s : all) {
      Window w = s[4] == null ? Window.lifetime() : Window.of((Duration) s[4]);
      Aggregation agg = Aggregation.of((AggregateFunction) s[2], (String) s[3], w);
      if (s[2] == AggregateFunction.LAST_K) {
        agg = agg.withK(3);
      }
      if (s[2] == AggregateFunction.APPROX_PERCENTILE) {
        agg = agg.withPercentile(0.5);
      }
      ValueType input = s[3] == null ? null : s[3].equals("amount") ? ScalarType.FLOAT64 : ScalarType.STRING;
      out.add(new Spec((String) s[0], (String) s[1], agg, input));
    }
    return List.copyOf(out);
  }

  /** The {@code online:} block of {@code quiver.yaml} for the store under test, e.g. {@code {type: rocksdb, path: .quiver/online}}. */
  protected abstract String onlineYaml();

  /** The {@code offline:} block of {@code quiver.yaml}. */
  protected String offlineYaml() {
    return "{engine: duckdb}";
  }

  /** Seeds run per store (a subclass may run more). */
  @TempDir protected Path tmp;

  /** A clock the contract moves: the online read time. */
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

  record Event(long user, Instant event, Instant created, Double amount, String channel, Instant arrival) {}

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2})
  void onlineEqualsOfflineEqualsTheReferenceThroughEveryWritePath(long seed) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    Path repo = tmp.resolve("repo-" + seed);
    Files.createDirectories(repo.resolve("features"));
    Files.createDirectories(repo.resolve("data/txns"));
    Files.writeString(repo.resolve("quiver.yaml"), "project: writes" + seed + "\nregistry: {type: file, path: .quiver/registry}\n"
        + "offline: " + offlineYaml() + "\nonline: " + onlineYaml() + "\ndefinitions: [features]\n");
    Files.writeString(repo.resolve("features/defs.yaml"), definitions());
    List<Event> events = events(random);
    List<Event> batch = events.stream().filter(e -> !e.arrival().isAfter(FIRST_END) && !e.event().isAfter(FIRST_END)).toList();
    Set<Event> inBatch = new HashSet<>(batch);
    List<Event> pending = new ArrayList<>(events.stream().filter(e -> !inBatch.contains(e)).toList());
    pending.sort(Comparator.comparing(Event::arrival));
    writeCsv(repo.resolve("data/txns/part-0.csv"), batch);

    List<Instant> times = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      times.add(FIRST_END.plusSeconds(random.nextLong(LAST.getEpochSecond() - FIRST_END.getEpochSecond())).plusNanos(random.nextInt(1000) * 1000L));
    }
    times.sort(null);

    List<FeatureRef> refs = SPECS.stream().map(s -> FeatureRef.of(s.view() + ":" + s.name())).toList();
    MovableClock clock = new MovableClock();
    List<Event> ingested = new ArrayList<>(batch);
    List<Object[]> checks = new ArrayList<>(); // user, t, then the online values
    List<Event> streamed = new ArrayList<>(); // the stream partition, in offset order
    long[] counts = new long[3]; // duplicates seen, late dropped, replays made
    String log = "";
    try (FeatureRepo r = FeatureRepo.open(repo, clock)) {
      r.apply(r.plan(false), "test", "first", false);
      clock.now = FIRST_END;
      r.materialize(List.of(), START, FIRST_END, (v, read, written) -> {}, "test");
      int pushes = 0;
      for (Instant t : times) {
        clock.now = t; // with time bounds, a push ahead of the clock is refused
        List<Event> due = pending.stream().filter(e -> !e.event().isAfter(t)).toList(); // in arrival order
        pending.removeAll(due);
        for (int from = 0; from < due.size(); ) {
          int to = Math.min(due.size(), from + 1 + random.nextInt(40));
          List<Event> chunk = due.subList(from, to);
          from = to;
          int path = random.nextInt(3);
          if (path == 0) {
            log += " push";
            Pusher.Result res = r.push("txns", columns(chunk), Pusher.Target.ONLINE_AND_OFFLINE);
            counts[1] += res.late();
          } else if (path == 1) {
            String key = "seed" + seed + "-push-" + pushes++;
            log += " push(" + key + ")";
            Pusher.Result res = r.push("txns", columns(chunk), Pusher.Target.ONLINE_AND_OFFLINE, new Origin.Push(key));
            counts[1] += res.late();
            if (random.nextBoolean()) { // delivered twice
              log += " again(" + key + ")";
              Pusher.Result again = r.push("txns", columns(chunk), Pusher.Target.ONLINE_AND_OFFLINE, new Origin.Push(key));
              assertThat(again.applied()).as("seed %d: a repeated idempotency key applies nothing", seed).isZero();
              assertThat(again.offlineFile()).as("seed %d: the offline file is written once", seed).isEqualTo(res.offlineFile());
              counts[0] += again.duplicates();
            }
          } else {
            // a stream partition: the batch twin takes the new events once, the consumer may replay from earlier
            int replay = streamed.isEmpty() || random.nextInt(3) != 0 ? 0 : 1 + random.nextInt(Math.min(streamed.size(), 30));
            List<Event> delivered = new ArrayList<>(streamed.subList(streamed.size() - replay, streamed.size()));
            delivered.addAll(chunk);
            long[] offsets = new long[delivered.size()];
            for (int i = 0; i < offsets.length; i++) {
              offsets[i] = streamed.size() - replay + i;
            }
            log += " stream(" + offsets[0] + ".." + offsets[offsets.length - 1] + ")";
            r.push("txns", columns(chunk), Pusher.Target.OFFLINE);
            Pusher.Result res = r.push("txns", columns(delivered), Pusher.Target.ONLINE, new Origin.Stream("bus/txns", 0, offsets));
            counts[1] += res.late();
            if (replay > 0) {
              counts[2]++;
              assertThat(res.duplicates()).as("seed %d: replayed offsets are skipped", seed).isGreaterThan(0);
            }
            streamed.addAll(chunk);
          }
          ingested.addAll(chunk);
          if (random.nextInt(6) == 0) {
            Instant end = START.plusSeconds(random.nextLong(t.getEpochSecond() - START.getEpochSecond()));
            log += " backfill(" + end + ")";
            r.materialize(List.of(), START, end, (v, read, written) -> {}, "test");
          }
        }
        if (random.nextInt(3) == 0) {
          log += " materialize(" + t + ")";
          r.materialize(List.of(), START, t, (v, read, written) -> {}, "test");
        }
        clock.now = t;
        List<Object> ids = new ArrayList<>();
        for (long u = 1; u <= USERS + 2; u++) {
          ids.add(u); // two keys have no rows at all
        }
        OnlineResponse online = r.getOnlineFeatures(refs, Map.of("user_id", ids), false);
        for (int i = 0; i < ids.size(); i++) {
          Object[] check = new Object[3 + refs.size()];
          check[0] = ids.get(i);
          check[1] = t;
          check[2] = List.copyOf(ingested);
          for (int f = 0; f < refs.size(); f++) {
            check[3 + f] = online.features().get(f).values().get(i);
          }
          checks.add(check);
        }
      }

      Path query = repo.resolve("query.csv");
      StringBuilder q = new StringBuilder("user_id,event_timestamp\n");
      for (Object[] c : checks) {
        q.append(c[0]).append(',').append(CSV_TIME.format((Instant) c[1])).append('\n');
      }
      Files.writeString(query, q);
      int mismatches = 0;
      int compared = 0;
      try (HistoricalRows offline = r.getHistoricalFeatures(
          HistoricalRequest.ofFeatures(new QueryInput.Files(query.toString(), FileFormat.CSV), refs))) {
        int width = offline.columns().size() - refs.size();
        for (int i = 0; offline.hasNext(); i++) {
          Object[] row = offline.next();
          Object[] check = checks.get(i);
          assertThat(((Number) row[0]).longValue()).isEqualTo(check[0]);
          @SuppressWarnings("unchecked")
          List<Event> sofar = (List<Event>) check[2];
          for (int f = 0; f < refs.size(); f++) {
            Spec spec = SPECS.get(f);
            Object want = row[width + f];
            Object got = check[3 + f];
            Object naive = NaiveWindowAggregator.value(spec.agg(), spec.input(), rows(sofar, (Long) check[0], spec), (Instant) check[1]);
            compared++;
            if (!same(want, got) || !same(want, naive)) {
              mismatches++;
              if (mismatches <= 20) {
                System.err.printf("write-path contract, seed %d: user %s at %s %s: offline %s, online %s, reference %s%n",
                    seed, check[0], check[1], spec.name(), want, got, naive);
              }
            }
          }
        }
      }
      System.out.printf("write-path contract (%s), seed %d: %d events, %d values compared, %d mismatches; %d duplicate rows"
          + " skipped, %d late rows dropped, %d stream replays;%s%n", onlineYaml(), seed, events.size(), compared, mismatches,
          counts[0], counts[1], counts[2], log);
      assertThat(compared).isEqualTo(checks.size() * refs.size());
      assertThat(mismatches).as("seed %d: online, offline and the reference differ (see stderr)", seed).isZero();
    }
  }

  static String definitions() {
    StringBuilder b = new StringBuilder("""
        entities:
          - {name: user, join_keys: [user_id], type: int64}
        sources:
          - {name: txns, path: data/txns/*.csv, timestamp: event_ts, created: created_ts}
        feature_views:
        """);
    for (String view : List.of("user_all", "user_recent")) {
      b.append("  - name: ").append(view).append("\n    entities: [user]\n    source: txns\n    features:\n");
      SPECS.stream().filter(s -> s.view().equals(view)).forEach(s -> b.append("      - ").append(s.yaml()).append('\n'));
    }
    return b.toString();
  }

  private static List<NaiveWindowAggregator.Row> rows(List<Event> events, long user, Spec spec) {
    List<NaiveWindowAggregator.Row> out = new ArrayList<>();
    for (Event e : events) {
      if (e.user() == user) {
        Object v = spec.agg().column() == null ? null : spec.agg().column().equals("amount") ? e.amount() : e.channel();
        out.add(new NaiveWindowAggregator.Row(e.event(), e.created(), v));
      }
    }
    return out;
  }

  /** Bit for bit: doubles by their bits, lists element-wise, numbers of integral types by value. */
  static boolean same(Object a, Object b) {
    if (a instanceof Double x && b instanceof Double y) {
      return Double.doubleToRawLongBits(x) == Double.doubleToRawLongBits(y);
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!same(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    if ((a instanceof Long || a instanceof Integer) && (b instanceof Long || b instanceof Integer)) {
      return ((Number) a).longValue() == ((Number) b).longValue();
    }
    return Objects.equals(a, b);
  }

  /** Events of users 1..USERS in bursts, distinct event times per user, nulls, arrivals up to three days late. */
  static List<Event> events(SplittableRandom random) {
    List<Event> out = new ArrayList<>();
    long span = LAST.getEpochSecond() - START.getEpochSecond();
    for (long user = 1; user <= USERS; user++) {
      int n = random.nextInt(0, 80);
      long burst = random.nextLong(span);
      Set<Instant> seen = new HashSet<>();
      for (int i = 0; i < n; i++) {
        if (random.nextInt(20) == 0) {
          burst = random.nextLong(span);
        }
        long second = Math.floorMod(burst + random.nextLong(-2 * 86_400, 2 * 86_400), span);
        Instant event = START.plusSeconds(second).plusNanos(random.nextInt(1000) * 1000L);
        if (!seen.add(event)) {
          continue;
        }
        Instant created = random.nextInt(4) == 0 ? null : event.plusSeconds(random.nextInt(3));
        Double amount = random.nextInt(7) == 0 ? null : Math.round(random.nextDouble(-50, 500) * 100) / 100.0 + 0.25;
        String channel = random.nextInt(6) == 0 ? null : List.of("web", "app", "pos", "phone").get(random.nextInt(4));
        long delay = random.nextInt(8) == 0 ? random.nextLong(3 * 86_400) : random.nextLong(120);
        out.add(new Event(user, event, created, amount, channel, event.plusSeconds(delay)));
      }
    }
    return out;
  }

  static Map<String, List<Object>> columns(List<Event> rows) {
    Map<String, List<Object>> c = new LinkedHashMap<>();
    for (String name : List.of("user_id", "event_ts", "created_ts", "amount", "channel")) {
      c.put(name, new ArrayList<>());
    }
    for (Event e : rows) {
      c.get("user_id").add(e.user());
      c.get("event_ts").add(e.event().toString());
      c.get("created_ts").add(e.created() == null ? null : e.created().toString());
      c.get("amount").add(e.amount());
      c.get("channel").add(e.channel());
    }
    return c;
  }

  private static void writeCsv(Path file, List<Event> rows) throws java.io.IOException {
    StringBuilder b = new StringBuilder("user_id,event_ts,created_ts,amount,channel\n");
    for (Event e : rows) {
      b.append(e.user()).append(',').append(CSV_TIME.format(e.event())).append(',')
          .append(e.created() == null ? "" : CSV_TIME.format(e.created())).append(',')
          .append(e.amount() == null ? "" : e.amount()).append(',')
          .append(e.channel() == null ? "" : e.channel()).append('\n');
    }
    Files.writeString(file, b);
  }
}
