package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.core.monitor.FeatureSkew;
import dev.quiver.core.monitor.SkewCheck;
import dev.quiver.core.monitor.SkewReport;
import dev.quiver.core.monitor.SkewRequest;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.FeatureStatus;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The skew proof (issue 23): random entities are served from RocksDB at random times after
 * materialization — known keys, unknown keys (NOT_FOUND), rows near the TTL edge (OUTSIDE_MAX_AGE),
 * null amounts (NULL_VALUE), request data for an on-demand feature, window aggregates — and logged in
 * the feature-log schema. Recomputed offline at each row's {@code served_at}, every feature has 0
 * mismatches. Then the source amounts of k entities are changed after serving: each feature's
 * mismatch count equals the number of logged rows that change affects, computed here from the raw
 * events (a naive point-in-time lookup and window), not from the served answers. The same proof runs
 * with the Spark engine (local mode) reading the logs and recomputing the rows.
 */
class SkewCheckTest {
  static final Instant END = Instant.parse("2026-03-01T00:00:00Z");
  static final Instant START = END.minus(Duration.ofDays(30));
  static final Duration TTL = Duration.ofDays(7);
  static final Duration WINDOW = Duration.ofDays(3);
  static final int ACTIVE = 50; // users 1..50: events up to END
  static final int EDGE = 70; // users 51..70: events 5 to 9 days before END (the TTL edge while serving)
  static final int STALE = 80; // users 71..80: events 10 to 30 days before END (OUTSIDE_MAX_AGE)

  static final String DEFINITIONS = """
      entities:
        - {name: user, join_keys: [user_id], type: int64}
      sources:
        - {name: txns, path: data/txns/*.parquet, timestamp: event_ts, created: created_ts}
      feature_views:
        - name: user_txn
          entities: [user]
          source: txns
          ttl: 7d
          features:
            - {name: amount, column: amount}
            - {name: country, column: country}
            - {name: amount_sum_3d, aggregate: {fn: sum, column: amount, window: 3d}}
            - {name: txn_count_3d, aggregate: {fn: count, window: 3d}}
      on_demand_views:
        - name: risk
          inputs: [user_txn, request: {txn_amount: float64}]
          features:
            - {name: ratio, expr: "request.txn_amount / nullif(user_txn.amount, 0)"}
      feature_services:
        - {name: fraud, version: 1, features: [user_txn:amount, user_txn:country, user_txn:amount_sum_3d, user_txn:txn_count_3d, risk:ratio]}
      """;
  static final List<String> FEATURES = List.of("user_txn__amount", "user_txn__country", "user_txn__amount_sum_3d",
      "user_txn__txn_count_3d", "risk__ratio");

  record Event(long user, Instant at, Double amount, String country) {}

  /** One logged row, as the test keeps it to compute the expected mismatches on its own. */
  record Logged(long user, Instant servedAt, Double txnAmount, Map<String, FeatureStatus> statuses) {}

  /** A clock the test moves: "now" for the online statuses (TTL). */
  static final class MovableClock extends Clock {
    volatile Instant now = END;

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @TempDir Path tmp;

  @ParameterizedTest(name = "seed {0}, {1}")
  @CsvSource({"11, duckdb", "12, duckdb", "13, spark"})
  void zeroOnConsistentDataAndExactlyTheInjectedRowsAfterASourceChange(long seed, String engine) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    Path repo = tmp.resolve("repo");
    Files.createDirectories(repo.resolve("features"));
    Files.createDirectories(repo.resolve("data/txns"));
    Files.writeString(repo.resolve("quiver.yaml"), """
        project: skew
        registry: {type: file, path: .quiver/registry}
        offline: %s
        online: {type: rocksdb, path: .quiver/online}
        definitions: [features]
        """.formatted(engine.equals("spark") ? "{engine: spark, master: 'local[2]'}" : "{engine: " + engine + "}"));
    Files.writeString(repo.resolve("features/defs.yaml"), DEFINITIONS);
    List<Event> events = events(random);
    Path data = repo.resolve("data/txns/part-0.parquet");
    writeEvents(data, events, Set.of());
    Path logs = tmp.resolve("logs");

    List<Logged> logged = new ArrayList<>();
    MovableClock clock = new MovableClock();
    try (FeatureRepo r = FeatureRepo.open(repo, clock)) {
      r.apply(r.plan(false), "test", "first", false);
      r.materialize(List.of(), START, END, (v, read, written) -> {}, "test");
      long registryVersion = r.registry().head().orElseThrow().version();
      FeatureLogFixture log = new FeatureLogFixture();
      for (int q = 0; q < 90; q++) {
        Instant t = END.plusSeconds(random.nextLong(3 * 86_400L)).truncatedTo(ChronoUnit.MICROS).plusNanos(random.nextInt(1000) * 1000L);
        clock.now = t;
        List<Object> ids = new ArrayList<>();
        List<Object> amounts = new ArrayList<>();
        for (int i = 0, n = random.nextInt(1, 5); i < n; i++) {
          ids.add(random.nextInt(10) == 0 ? 900L + random.nextInt(5) : (long) random.nextInt(1, STALE + 1));
          amounts.add(random.nextInt(10) == 0 ? null : (double) random.nextInt(1, 500));
        }
        OnlineResponse resp = r.getOnlineFeatures("fraud", 1, Map.of("user_id", ids), Map.of("txn_amount", amounts), true);
        assertThat(resp.features()).extracting(FeatureColumn::name).containsExactlyElementsOf(FEATURES);
        log.add(new FeatureLogFixture.Served("req-" + q, t, registryVersion, 1, resp, Map.of("txn_amount", amounts)));
        for (int i = 0; i < ids.size(); i++) {
          Map<String, FeatureStatus> statuses = new HashMap<>();
          for (FeatureColumn f : resp.features()) {
            statuses.put(f.name(), f.statuses().get(i));
          }
          logged.add(new Logged((Long) ids.get(i), t, (Double) amounts.get(i), statuses));
        }
      }
      log.write(logs, "fraud", Map.of("user_id", "BIGINT"), Map.of("txn_amount", "DOUBLE"));
    }
    // the data covers every edge the comparison rule names
    Map<FeatureStatus, Long> amountStatuses = new HashMap<>();
    logged.forEach(l -> amountStatuses.merge(l.statuses().get("user_txn__amount"), 1L, Long::sum));
    assertThat(amountStatuses).as("statuses of user_txn__amount in the log").containsKeys(FeatureStatus.values());

    int n = logged.size();
    try (FeatureRepo r = FeatureRepo.open(repo)) {
      SkewReport clean = SkewCheck.run(r, new SkewRequest("fraud", null, null, logs, 100_000, 1));
      assertThat(clean.rowsLogged()).isEqualTo(n);
      assertThat(clean.rowsCompared()).isEqualTo(n);
      assertThat(clean.serviceVersions()).containsExactly(1);
      assertThat(clean.notes()).isEmpty();
      assertThat(clean.features()).extracting(FeatureSkew::feature).containsExactlyElementsOf(FEATURES);
      assertThat(clean.features()).allSatisfy(f -> {
        assertThat(f.rowsCompared()).isEqualTo(n);
        assertThat(f.mismatches()).as(f.feature() + ": " + f.examples()).isZero();
      });

      // a time range and a sample read what they say
      Instant mid = END.plus(Duration.ofHours(30));
      long afterMid = logged.stream().filter(l -> !l.servedAt().isBefore(mid)).count();
      SkewReport late = SkewCheck.run(r, new SkewRequest("fraud", mid, null, logs, 100_000, 1));
      assertThat(late.rowsLogged()).isEqualTo(afterMid);
      assertThat(late.features()).allSatisfy(f -> assertThat(f.rowsCompared()).isEqualTo(afterMid));
      SkewReport sampled = SkewCheck.run(r, new SkewRequest("fraud", null, mid, logs, 25, 7));
      assertThat(sampled.rowsLogged()).isEqualTo(n - afterMid);
      assertThat(sampled.features()).allSatisfy(f -> assertThat(f.rowsCompared()).isEqualTo(Math.min(25, n - afterMid)));
    }

    // the source amounts of k served entities change after serving
    List<Long> servedKnown = new ArrayList<>(new TreeSet<>(logged.stream().map(Logged::user).filter(u -> u <= EDGE).toList()));
    Set<Long> changed = new HashSet<>();
    while (changed.size() < 6) {
      changed.add(servedKnown.get(random.nextInt(servedKnown.size())));
    }
    writeEvents(data, events, changed);

    Map<Long, List<Event>> byUser = new HashMap<>();
    events.forEach(e -> byUser.computeIfAbsent(e.user(), u -> new ArrayList<>()).add(e));
    Predicate<Logged> amountChanges = l -> changed.contains(l.user()) && latestInTtl(byUser.get(l.user()), l.servedAt()) != null
        && latestInTtl(byUser.get(l.user()), l.servedAt()).amount() != null;
    Predicate<Logged> sumChanges = l -> changed.contains(l.user()) && byUser.get(l.user()).stream()
        .anyMatch(e -> e.amount() != null && inWindow(e.at(), l.servedAt()));
    Predicate<Logged> ratioChanges = l -> amountChanges.test(l) && l.txnAmount() != null;
    Map<String, Long> expected = new LinkedHashMap<>();
    expected.put("user_txn__amount", logged.stream().filter(amountChanges).count());
    expected.put("user_txn__country", 0L);
    expected.put("user_txn__amount_sum_3d", logged.stream().filter(sumChanges).count());
    expected.put("user_txn__txn_count_3d", 0L);
    expected.put("risk__ratio", logged.stream().filter(ratioChanges).count());
    assertThat(expected.get("user_txn__amount")).as("rows the change affects").isPositive();
    assertThat(expected.get("user_txn__amount_sum_3d")).as("rows the change affects").isPositive();

    try (FeatureRepo r = FeatureRepo.open(repo)) {
      SkewReport injected = SkewCheck.run(r, new SkewRequest("fraud", null, null, logs, 100_000, 1));
      Map<String, Long> actual = new LinkedHashMap<>();
      injected.features().forEach(f -> actual.put(f.feature(), f.mismatches()));
      assertThat(actual).as("mismatches per feature, changed users " + changed).isEqualTo(expected);
      FeatureSkew amount = injected.features().getFirst();
      assertThat(amount.mismatchRate()).isEqualTo((double) expected.get("user_txn__amount") / n);
      assertThat(amount.valuesDiffer()).isEqualTo(expected.get("user_txn__amount"));
      assertThat(amount.examples()).hasSize((int) Math.min(FeatureSkew.EXAMPLES, expected.get("user_txn__amount")))
          .allSatisfy(e -> {
            assertThat(changed).contains(Long.parseLong(e.keys().get("user_id")));
            assertThat(Double.parseDouble(e.offline()) - Double.parseDouble(e.served())).isEqualTo(1000.0);
          });
    }

    // the command line: a rate above --fail-rate exits 1; each run is recorded
    double amountRate = (double) expected.get("user_txn__amount") / n;
    String repoArg = repo.toString();
    Cli ok = Cli.run("monitor", "skew", "--service", "fraud", "--logs", logs.toString(), "--since", "2026-01-01",
        "--fail-rate", "0.99", "--repo", repoArg);
    assertThat(ok.exitCode()).as(ok.toString()).isZero();
    assertThat(ok.out()).contains("user_txn__amount").contains("Examples:").contains("none above 0.99");
    Cli failing = Cli.run("monitor", "skew", "--service", "fraud", "--logs", logs.toString(), "--since", "2026-01-01",
        "--fail-rate", Double.toString(amountRate / 2), "--output", "json", "--repo", repoArg);
    assertThat(failing.exitCode()).as(failing.toString()).isEqualTo(1);
    JsonNode json = Json.MAPPER.readTree(failing.out());
    assertThat(json.get("skew").asBoolean()).isTrue();
    assertThat(json.get("rows_compared").asLong()).isEqualTo(n);
    for (JsonNode f : json.get("features")) {
      assertThat(f.get("mismatches").asLong()).as(f.get("feature").asText()).isEqualTo(expected.get(f.get("feature").asText()));
    }
    Cli results = Cli.run("monitor", "skew", "results", "--since", "1h", "--service", "fraud", "--output", "json", "--repo", repoArg);
    assertThat(results.exitCode()).as(results.toString()).isZero();
    JsonNode recorded = Json.MAPPER.readTree(results.out());
    assertThat(recorded).hasSize(2 * FEATURES.size());
    assertThat(recorded.get(FEATURES.size()).get("mismatches").asLong()).isEqualTo(expected.get("user_txn__amount"));
    Cli table = Cli.run("monitor", "skew", "results", "--since", "1h", "--repo", repoArg);
    assertThat(table.out()).contains("user_txn__amount_sum_3d").contains("fraud");
  }

  /** Input mistakes exit 2 with one line saying what to fix. */
  @org.junit.jupiter.api.Test
  void mistakesAreNamed() throws Exception {
    Path repo = tmp.resolve("repo");
    Files.createDirectories(repo.resolve("features"));
    Files.createDirectories(repo.resolve("data/txns"));
    Files.writeString(repo.resolve("quiver.yaml"), "project: skew\ndefinitions: [features]\n");
    Files.writeString(repo.resolve("features/defs.yaml"), DEFINITIONS);
    writeEvents(repo.resolve("data/txns/part-0.parquet"), events(new SplittableRandom(1)), Set.of());
    assertThat(Cli.run("apply", "-m", "first", "--repo", repo.toString()).exitCode()).isZero();
    Cli unknown = Cli.run("monitor", "skew", "--service", "frod", "--repo", repo.toString());
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err()).contains("no feature service 'frod'").contains("fraud");
    Cli noLogs = Cli.run("monitor", "skew", "--service", "fraud", "--repo", repo.toString());
    assertThat(noLogs.exitCode()).isEqualTo(2);
    assertThat(noLogs.err()).contains("no feature logs of service 'fraud'").contains("--logs");
    Cli badRate = Cli.run("monitor", "skew", "--service", "fraud", "--fail-rate", "5", "--repo", repo.toString());
    assertThat(badRate.exitCode()).isEqualTo(2);
    assertThat(badRate.err()).contains("--fail-rate must be between 0 and 1");
    Cli badUntil = Cli.run("monitor", "skew", "--service", "fraud", "--until", "soon", "--repo", repo.toString());
    assertThat(badUntil.exitCode()).isEqualTo(2);
    assertThat(badUntil.err()).contains("--until 'soon' is neither a duration");
    Cli empty = Cli.run("monitor", "skew", "--service", "fraud", "--since", "2026-03-02", "--until", "2026-03-01",
        "--repo", repo.toString());
    assertThat(empty.exitCode()).isEqualTo(2);
    assertThat(empty.err()).contains("is not before --until");
  }

  /** The latest event at or before t within the TTL (events of one user have distinct times). */
  static Event latestInTtl(List<Event> events, Instant t) {
    Event latest = null;
    for (Event e : events) {
      if (!e.at().isAfter(t) && (latest == null || e.at().isAfter(latest.at()))) {
        latest = e;
      }
    }
    return latest == null || latest.at().isBefore(t.minus(TTL)) ? null : latest;
  }

  /** {@code [align(t - 3d, 1h), t)}: the 3-day window's sawtooth start, aligned to its 1-hour hop. */
  static boolean inWindow(Instant at, Instant t) {
    Instant from = t.minus(WINDOW).truncatedTo(ChronoUnit.HOURS);
    return !at.isBefore(from) && at.isBefore(t);
  }

  static List<Event> events(SplittableRandom random) {
    List<Event> out = new ArrayList<>();
    for (long user = 1; user <= STALE; user++) {
      Instant from = user <= ACTIVE ? START : user <= EDGE ? END.minus(Duration.ofDays(9)) : START;
      Instant to = user <= ACTIVE ? END : user <= EDGE ? END.minus(Duration.ofDays(5)) : END.minus(Duration.ofDays(10));
      long minutes = Duration.between(from, to).toMinutes();
      Set<Long> used = new HashSet<>();
      for (int i = 0, count = random.nextInt(3, 30); i < count; i++) {
        long m = random.nextLong(minutes);
        if (!used.add(m)) {
          continue; // one event per minute and user: the latest row is never a tie
        }
        int kind = random.nextInt(12);
        Double amount = kind == 0 ? null : kind == 1 ? 0.0 : (double) random.nextInt(1, 100);
        String country = random.nextInt(10) == 0 ? null : List.of("US", "FR", "DE").get(random.nextInt(3));
        out.add(new Event(user, from.plus(Duration.ofMinutes(m)), amount, country));
      }
    }
    return out;
  }

  /** Writes the events in order, the amounts of {@code changed} users plus 1000 (a null stays null). */
  static void writeEvents(Path file, List<Event> events, Set<Long> changed) throws Exception {
    Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (user_id BIGINT, event_ts TIMESTAMP, created_ts TIMESTAMP, amount DOUBLE, country VARCHAR)");
      try (DuckDBAppender a = c.unwrap(DuckDBConnection.class).createAppender(DuckDBConnection.DEFAULT_SCHEMA, "t")) {
        for (Event e : events) {
          long micros = e.at().getEpochSecond() * 1_000_000;
          a.beginRow();
          a.append(e.user());
          a.appendEpochMicros(micros);
          a.appendEpochMicros(micros);
          if (e.amount() == null) {
            a.appendNull();
          } else {
            a.append(e.amount() + (changed.contains(e.user()) ? 1000 : 0));
          }
          if (e.country() == null) {
            a.appendNull();
          } else {
            a.append(e.country());
          }
          a.endRow();
        }
      }
      s.execute("COPY t TO '" + temp + "' (FORMAT parquet)");
    }
    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
  }
}
