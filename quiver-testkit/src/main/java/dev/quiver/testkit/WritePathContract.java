package dev.quiver.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.online.Origin;
import dev.quiver.core.online.Pusher;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.testkit.WritePathData.Event;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.LongStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The consistency contract over every online write path (DESIGN §3: ties, keys, online writes and
 * the consistency contract), for one (offline engine, online store) pair. Randomized events of a few
 * dozen users — out of order, some days late, nulls, exact ties (rows of one key with the same event
 * and created time and other values), keyed also by a {@code bytes} device — reach the stores through
 * random interleavings of {@code materialize START END} (backfills of old ranges after newer pushes
 * included), pushes {@code online_and_offline} with and without an idempotency key, pushes repeated
 * with their key (duplicate deliveries), and batches of a stream partition ({@link WritePathStream}:
 * the batch twin takes each offset once, in files named {@code stream-p…}; the consumer replays from
 * earlier offsets, and is killed between its twin append and its online write, or between its online
 * write and its commit, then restarts from the last commit). After each step, once every event up to
 * the step's time t is in, the online answer at t, a training set at the same (key, t) and {@link
 * NaivePointInTime} over the source's rows in offline order (files in sorted path order, rows in
 * file order: the tie order) agree bit for bit, for every aggregate function, for latest-row column
 * features (with a TTL, read also exactly at its edge, and without), keyed by an int64 and by bytes:
 * 0 mismatches. Events ingested after a step all have later event times than the step's, so one
 * reference over the final files answers every step. A materialization may come between a consumer's
 * twin append and its online write (the consumer killed in between restarts later): the rebuild takes
 * those events from the twin and records their offsets, so the restart skips them.
 *
 * <p>Two seeds run by default; {@code -Dquiver.contract.seeds=N} runs seeds 1..N, {@code
 * -Dquiver.contract.seed=S} runs seed S alone. A failure names the seed and prints the step log.
 *
 * <p>A subclass gives the store's {@code online:} block of {@code quiver.yaml}; the offline engine
 * is the {@code engine} of {@link #offlineYaml()} (DuckDB by default). The contract writes its
 * Parquet files with DuckDB's JDBC driver, which must be on the test class path. Each seed has its
 * own project, so seeds may share one store.
 */
public abstract class WritePathContract {
  static final Instant START = WritePathData.START;
  static final Instant FIRST_END = Instant.parse("2026-01-12T00:00:00Z");
  static final Instant LAST = WritePathData.LAST;
  static final Duration TTL = Duration.ofDays(1);

  /** One feature of the contract's views, and its definition. */
  record Spec(String view, String name, String yaml) {
    FeatureRef ref() {
      return FeatureRef.of(view + ":" + name);
    }
  }

  static final List<Spec> SPECS = specs();
  static final List<String> USER_VIEWS = List.of("user_all", "user_recent", "user_latest", "user_ever");
  static final List<String> DEVICE_VIEWS = List.of("device_all");

  private static List<Spec> specs() {
    List<Spec> out = new ArrayList<>();
    Object[][] aggregates = {
        {"user_all", "n_1d", AggregateFunction.COUNT, null, "24h"},
        {"user_all", "sum_7d", AggregateFunction.SUM, "amount", "168h"},
        {"user_all", "avg_1d", AggregateFunction.AVG, "amount", "24h"},
        {"user_all", "min_7d", AggregateFunction.MIN, "amount", "168h"},
        {"user_all", "max_life", AggregateFunction.MAX, "amount", "lifetime"},
        {"user_all", "first_1d", AggregateFunction.FIRST, "channel", "24h"},
        {"user_all", "last_7d", AggregateFunction.LAST, "channel", "168h"},
        {"user_all", "std_7d", AggregateFunction.STDDEV, "amount", "168h"},
        {"user_all", "distinct_7d", AggregateFunction.COUNT_DISTINCT, "channel", "168h"},
        {"user_all", "last3_1d", AggregateFunction.LAST_K, "amount", "24h"},
        {"user_all", "approx_life", AggregateFunction.APPROX_COUNT_DISTINCT, "channel", "lifetime"},
        {"user_all", "p50_7d", AggregateFunction.APPROX_PERCENTILE, "amount", "168h"},
        {"user_all", "n_life", AggregateFunction.COUNT, null, "lifetime"},
        {"user_all", "first_life", AggregateFunction.FIRST, "amount", "lifetime"},
        {"user_all", "last_life", AggregateFunction.LAST, "amount", "lifetime"},
        {"user_all", "last3_life", AggregateFunction.LAST_K, "channel", "lifetime"},
        // no lifetime window: events older than a day behind the newest are dropped as late
        {"user_recent", "n_1h", AggregateFunction.COUNT, null, "1h"},
        {"user_recent", "sum_1d", AggregateFunction.SUM, "amount", "24h"},
        {"user_recent", "last_1d", AggregateFunction.LAST, "channel", "24h"},
        {"device_all", "device_n_life", AggregateFunction.COUNT, null, "lifetime"},
        {"device_all", "device_sum_1d", AggregateFunction.SUM, "amount", "24h"},
        {"device_all", "device_first_7d", AggregateFunction.FIRST, "channel", "168h"},
        {"device_all", "device_last3_1d", AggregateFunction.LAST_K, "amount", "24h"},
    };
    for (Object[] a : aggregates) {
      AggregateFunction fn = (AggregateFunction) a[2];
      StringBuilder b = new StringBuilder("{name: ").append(a[1]).append(", aggregate: {fn: ").append(fn.spelling());
      if (a[3] != null) {
        b.append(", column: ").append(a[3]);
      }
      b.append(fn == AggregateFunction.LAST_K ? ", k: 3" : "").append(fn == AggregateFunction.APPROX_PERCENTILE ? ", percentile: 0.5" : "");
      out.add(new Spec((String) a[0], (String) a[1], b.append(", window: ").append(a[4]).append("}}").toString()));
    }
    // latest rows (column features): with a TTL, without one, and by a bytes key
    out.add(new Spec("user_latest", "latest_amount", "{name: latest_amount, column: amount}"));
    out.add(new Spec("user_latest", "latest_channel", "{name: latest_channel, column: channel}"));
    out.add(new Spec("user_ever", "ever_amount", "{name: ever_amount, column: amount}"));
    out.add(new Spec("user_ever", "ever_channel", "{name: ever_channel, column: channel}"));
    out.add(new Spec("device_all", "device_channel", "{name: device_channel, column: channel}"));
    out.add(new Spec("device_all", "device_amount", "{name: device_amount, column: amount}"));
    return List.copyOf(out);
  }

  /** The {@code online:} block of {@code quiver.yaml} for the store under test, e.g. {@code {type: rocksdb, path: .quiver/online}}. */
  protected abstract String onlineYaml();

  /** The {@code offline:} block of {@code quiver.yaml}. */
  protected String offlineYaml() {
    return "{engine: duckdb}";
  }

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

  /** One online read: the key, the time, the values of the features asked. */
  private record Check(Object key, Instant t, List<Object> online) {}

  /** Seeds 1..{@code quiver.contract.seeds} (default 2), or {@code quiver.contract.seed} alone. */
  static LongStream seeds() {
    String one = System.getProperty("quiver.contract.seed");
    return one != null ? LongStream.of(Long.parseLong(one)) : LongStream.rangeClosed(1, Long.getLong("quiver.contract.seeds", 2));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void onlineEqualsOfflineEqualsTheReferenceThroughEveryWritePath(long seed) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    Path repo = tmp.resolve("repo-" + seed);
    Files.createDirectories(repo.resolve("features"));
    Files.createDirectories(repo.resolve("data/txns"));
    Files.writeString(repo.resolve("quiver.yaml"), "project: writes" + seed + "\nregistry: {type: file, path: .quiver/registry}\n"
        + "offline: " + offlineYaml() + "\nonline: " + onlineYaml() + "\ndefinitions: [features]\n");
    Files.writeString(repo.resolve("features/defs.yaml"), definitions());
    List<Event> events = WritePathData.events(random);
    List<Event> byArrival = new ArrayList<>(events);
    byArrival.sort(Comparator.comparing(Event::arrival));
    List<Event> batch = byArrival.stream().filter(e -> !e.arrival().isAfter(FIRST_END) && !e.event().isAfter(FIRST_END)).toList();
    Set<Event> inBatch = new HashSet<>(batch);
    List<Event> pending = new ArrayList<>(byArrival.stream().filter(e -> !inBatch.contains(e)).toList());
    WritePathData record = new WritePathData();
    int split = batch.isEmpty() ? 0 : random.nextInt(batch.size());
    for (int part = 0; part < 2; part++) { // two history files, rows in arrival order
      List<Event> rows = part == 0 ? batch.subList(0, split) : batch.subList(split, batch.size());
      Path file = repo.resolve("data/txns/part-" + part + ".parquet");
      WritePathData.writeSource(file, rows);
      record.landed(file, rows);
    }
    List<Instant> times = times(random, events);

    List<FeatureRef> userRefs = refs(USER_VIEWS);
    List<FeatureRef> deviceRefs = refs(DEVICE_VIEWS);
    MovableClock clock = new MovableClock();
    List<Check> userChecks = new ArrayList<>();
    List<Check> deviceChecks = new ArrayList<>();
    WritePathStream stream = new WritePathStream();
    long[] counts = new long[5]; // duplicates seen, late dropped, replays made, consumer crashes, runs with the twin ahead
    StringBuilder log = new StringBuilder();
    try (FeatureRepo r = FeatureRepo.open(repo, clock)) {
      r.apply(r.plan(false), "test", "first", false);
      clock.now = FIRST_END;
      r.materialize(List.of(), START, FIRST_END, (v, read, written) -> {}, "test");
      int pushes = 0;
      boolean delivered = false; // a stream delivery was made
      for (Instant t : times) {
        clock.now = t; // rows arrive at about their event time: none is after now (time bounds)
        log.append("\n  at ").append(t).append(':');
        List<Event> due = pending.stream().filter(e -> !e.event().isAfter(t)).toList(); // in arrival order
        pending.removeAll(due);
        for (int from = 0; from < due.size(); ) {
          int to = Math.min(due.size(), from + 1 + random.nextInt(40));
          List<Event> chunk = due.subList(from, to);
          from = to;
          int path = random.nextInt(3);
          if (path == 0) {
            Pusher.Result res = r.push("txns", WritePathData.columns(chunk), Pusher.Target.ONLINE_AND_OFFLINE);
            record.landed(res.offlineFile(), chunk);
            log.append(" push(").append(res.offlineFile().getFileName()).append(')');
            counts[1] += res.late();
          } else if (path == 1) {
            String key = "seed" + seed + "-push-" + pushes++;
            Pusher.Result res = r.push("txns", WritePathData.columns(chunk), Pusher.Target.ONLINE_AND_OFFLINE, new Origin.Push(key));
            record.landed(res.offlineFile(), chunk);
            log.append(" push(").append(key).append(')');
            counts[1] += res.late();
            if (random.nextBoolean()) { // delivered twice
              log.append(" again(").append(key).append(')');
              Pusher.Result again = r.push("txns", WritePathData.columns(chunk), Pusher.Target.ONLINE_AND_OFFLINE, new Origin.Push(key));
              assertThat(again.applied()).as("seed %d: a repeated idempotency key applies nothing", seed).isZero();
              assertThat(again.offlineFile()).as("seed %d: the offline file is written once", seed).isEqualTo(res.offlineFile());
              counts[0] += again.duplicates();
            }
          } else {
            stream.produce(chunk);
            long start = stream.committed();
            if (start > 0 && random.nextInt(3) == 0) { // the consumer seeks back: a replay
              start -= 1 + random.nextLong(Math.min(start, 30));
              counts[2]++;
            }
            int fate = random.nextInt(8);
            // the first delivery of a seed is killed between its twin append and its online write
            WritePathStream.Crash crash = fate == 0 || !delivered ? WritePathStream.Crash.AFTER_TWIN
                : fate == 1 ? WritePathStream.Crash.AFTER_ONLINE : WritePathStream.Crash.NONE;
            delivered = true;
            counts[3] += crash == WritePathStream.Crash.NONE ? 0 : 1;
            deliver(r, repo, record, stream, start, crash, seed, counts, log);
            if (stream.twinAhead() && (counts[4] == 0 || random.nextBoolean())) {
              // a materialization before the killed consumer restarts: to now (the batch is before END), or to an
              // earlier time (some of it, or all, after END)
              Instant end = random.nextBoolean() ? t : START.plusSeconds(random.nextLong(t.getEpochSecond() - START.getEpochSecond()));
              counts[4]++;
              log.append(" materialize(").append(end).append(", twin ahead)");
              r.materialize(List.of(), START, end, (v, read, written) -> {}, "test");
            }
          }
          if (random.nextInt(6) == 0) {
            counts[4] += stream.twinAhead() ? 1 : 0;
            Instant end = START.plusSeconds(random.nextLong(t.getEpochSecond() - START.getEpochSecond()));
            log.append(" backfill(").append(end).append(')');
            r.materialize(List.of(), START, end, (v, read, written) -> {}, "test");
          }
        }
        if (stream.committed() < stream.end()) { // the consumer restarts from its last commit
          log.append(" restart");
          deliver(r, repo, record, stream, stream.committed(), WritePathStream.Crash.NONE, seed, counts, log);
        }
        if (random.nextInt(3) == 0) {
          counts[4] += stream.twinAhead() ? 1 : 0;
          log.append(" materialize(").append(t).append(')');
          r.materialize(List.of(), START, t, (v, read, written) -> {}, "test");
        }
        List<Object> users = new ArrayList<>();
        for (long u = 1; u <= WritePathData.USERS + 2; u++) {
          users.add(u); // two keys have no rows at all
        }
        List<Object> devices = new ArrayList<>();
        WritePathData.DEVICES.forEach(d -> devices.add(d.clone())); // fresh arrays: keys compare by content
        devices.add(new byte[] {9, 9}); // no rows
        read(r, userRefs, "user_id", users, t, userChecks);
        read(r, deviceRefs, "device_id", devices, t, deviceChecks);
      }

      List<Event> offline = record.offlineOrder();
      List<Event> ingested = events.stream().filter(e -> !pending.contains(e)).toList();
      assertThat(offline).as("seed %d: every event ingested is in the offline files once", seed).hasSize(ingested.size())
          .containsExactlyInAnyOrderElementsOf(ingested);
      List<String> failures = new ArrayList<>();
      int compared = compare(r, repo, userRefs, "user_id", "BIGINT", userChecks, record, failures)
          + compare(r, repo, deviceRefs, "device_id", "BLOB", deviceChecks, record, failures);
      long tiesAcrossFiles = tiesAcrossFiles(record);
      System.out.printf("write-path contract (%s), seed %d: %d events, %d tie groups across files, %d files, %d values compared,"
          + " %d mismatches; %d duplicate rows skipped, %d late rows dropped, %d stream replays, %d consumer crashes, %d materializations"
          + " between a twin append and its online write; steps:%s%n",
          onlineYaml(), seed, events.size(), tiesAcrossFiles, record.fileNames().size(), compared, failures.size(), counts[0],
          counts[1], counts[2], counts[3], counts[4], log);
      failures.stream().limit(30).forEach(f -> System.err.printf("write-path contract, seed %d: %s%n", seed, f));
      assertThat(counts[4]).as("seed %d: a materialization ran between a twin append and its online write", seed).isPositive();
      assertThat(compared).isEqualTo(userChecks.size() * userRefs.size() + deviceChecks.size() * deviceRefs.size());
      assertThat(failures).as("seed %d (rerun alone with -Dquiver.contract.seed=%d): online, offline and the reference differ;"
          + " first ones:%n%s%nsteps:%s", seed, seed, String.join("\n", failures.subList(0, Math.min(10, failures.size()))), log)
          .isEmpty();
    }
  }

  /** One consumer delivery, its counts and log words; a delivery that repeats offsets written online must skip them. */
  private static void deliver(FeatureRepo r, Path repo, WritePathData record, WritePathStream stream, long from,
      WritePathStream.Crash crash, long seed, long[] counts, StringBuilder log) {
    WritePathStream.Delivery d = stream.deliver(r, repo, record, from, crash);
    log.append(d.log());
    counts[0] += d.duplicates();
    counts[1] += d.late();
    if (d.replayed()) {
      assertThat(d.duplicates()).as("seed %d: offsets written online before are skipped:%s", seed, d.log()).isGreaterThan(0);
    }
  }

  /** Seven random read times after the first materialization, and the edges of the TTL of two users' newest rows. */
  private static List<Instant> times(SplittableRandom random, List<Event> events) {
    TreeSet<Instant> times = new TreeSet<>();
    for (int i = 0; i < 7; i++) {
      times.add(FIRST_END.plusSeconds(random.nextLong(LAST.getEpochSecond() - FIRST_END.getEpochSecond()))
          .plusNanos(random.nextInt(1000) * 1000L));
    }
    for (int i = 0; i < 2; i++) {
      long user = 1 + random.nextInt(WritePathData.USERS);
      events.stream().filter(e -> e.user() == user).map(Event::event).max(Comparator.naturalOrder())
          .map(newest -> newest.plus(TTL))
          .filter(edge -> edge.isAfter(FIRST_END) && edge.isBefore(LAST))
          .ifPresent(edge -> {
            times.add(edge); // the newest row is exactly TTL old: still served
            times.add(edge.plusNanos(1000)); // a microsecond later: outside the TTL
          });
    }
    return List.copyOf(times);
  }

  private static List<FeatureRef> refs(List<String> views) {
    return SPECS.stream().filter(s -> views.contains(s.view())).map(Spec::ref).toList();
  }

  private static void read(FeatureRepo r, List<FeatureRef> refs, String key, List<Object> keys, Instant t, List<Check> out) {
    OnlineResponse online = r.getOnlineFeatures(refs, Map.of(key, keys), false);
    for (int i = 0; i < keys.size(); i++) {
      List<Object> values = new ArrayList<>();
      for (int f = 0; f < refs.size(); f++) {
        values.add(online.features().get(f).values().get(i));
      }
      out.add(new Check(keys.get(i), t, values));
    }
  }

  /**
   * Compares every check's online values with the training set at the same (key, t) and with {@link
   * NaivePointInTime} over the source rows in offline order; adds one line per differing value.
   *
   * @return the number of values compared
   */
  private static int compare(FeatureRepo r, Path repo, List<FeatureRef> refs, String key, String keyType, List<Check> checks,
      WritePathData record, List<String> failures) {
    List<Event> offlineOrder = record.offlineOrder();
    Path query = repo.resolve("query-" + key + ".parquet");
    List<Object[]> queryRows = checks.stream().map(c -> new Object[] {c.key(), c.t()}).toList();
    WritePathData.writeQuery(query, key, keyType, queryRows);
    HistoricalRequest request = HistoricalRequest.ofFeatures(new QueryInput.Files(query.toString(), FileFormat.PARQUET), refs);
    List<Object[]> reference = NaivePointInTime.join(r.planHistoricalFeatures(request),
        new NaivePointInTime.Table(List.of(key, "event_timestamp"), queryRows),
        Map.of("txns", new NaivePointInTime.Table(WritePathData.COLUMNS, offlineOrder.stream().map(Event::row).toList())));
    int compared = 0;
    try (HistoricalRows offline = r.getHistoricalFeatures(request)) {
      int width = offline.columns().size() - refs.size();
      for (int i = 0; offline.hasNext(); i++) {
        Object[] row = offline.next();
        Check check = checks.get(i);
        assertThat(same(row[0], check.key())).as("training set row %d is the query's", i).isTrue();
        for (int f = 0; f < refs.size(); f++) {
          Object want = row[width + f];
          Object got = check.online().get(f);
          Object naive = reference.get(i)[width + f];
          compared++;
          if (!same(want, got) || !same(want, naive)) {
            Object k = check.key();
            FeatureRef ref = refs.get(f);
            boolean latestRow = SPECS.stream().anyMatch(s -> s.ref().equals(ref) && !s.yaml().contains("aggregate"));
            failures.add(String.format("%s %s at %s %s: offline %s, online %s, reference %s%s", key, show(k), check.t(),
                refs.get(f), show(want), show(got), show(naive), !latestRow ? "" : record.latestTies(
                    e -> k instanceof byte[] b ? Arrays.equals(b, e.device()) : e.user() == (Long) k, check.t())));
          }
        }
      }
    }
    return compared;
  }

  /** Groups of tied rows (same user, event and created time) whose rows lie in more than one file. */
  private static long tiesAcrossFiles(WritePathData record) {
    Map<List<Object>, Set<String>> files = new HashMap<>();
    for (String name : record.fileNames()) {
      for (Event e : record.rowsOf(name)) {
        files.computeIfAbsent(Arrays.asList(e.user(), e.event(), e.created()), k -> new HashSet<>()).add(name);
      }
    }
    return files.values().stream().filter(names -> names.size() > 1).count();
  }

  static String definitions() {
    StringBuilder b = new StringBuilder("""
        entities:
          - {name: user, join_keys: [user_id], type: int64}
          - {name: device, join_keys: [device_id], type: bytes}
        sources:
          - name: txns
            type: kafka
            brokers: localhost:9092
            topic: txns
            timestamp: event_ts
            created: created_ts
            append_to_batch: true
            batch: {path: data/txns/*.parquet}
        feature_views:
        """);
    for (String view : List.of("user_all", "user_recent", "user_latest", "user_ever", "device_all")) {
      b.append("  - name: ").append(view).append("\n    entities: [").append(view.startsWith("device") ? "device" : "user")
          .append("]\n    source: txns\n");
      if (view.equals("user_latest")) {
        b.append("    ttl: ").append(TTL.toHours()).append("h\n");
      }
      b.append("    features:\n");
      SPECS.stream().filter(s -> s.view().equals(view)).forEach(s -> b.append("      - ").append(s.yaml()).append('\n'));
    }
    return b.toString();
  }

  /** Bit for bit: doubles by their bits, lists element-wise, bytes by content, numbers of integral types by value. */
  static boolean same(Object a, Object b) {
    if (a instanceof Double x && b instanceof Double y) {
      return Double.doubleToRawLongBits(x) == Double.doubleToRawLongBits(y);
    }
    if (a instanceof byte[] x && b instanceof byte[] y) {
      return Arrays.equals(x, y);
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

  private static String show(Object v) {
    return v instanceof byte[] b ? "0x" + HexFormat.of().formatHex(b) : String.valueOf(v);
  }
}
