package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.online.FeatureStatus;
import dev.quiver.core.online.MaterializationException;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.online.Pusher;
import dev.quiver.core.quality.RuleResult;
import dev.quiver.core.quality.ValidationException;
import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rule kind with every outcome on the two write paths, through a repo on disk (DuckDB,
 * RocksDB, the file registry): materialization and push. Each user's latest row is made so that a
 * known set of users fails each rule; the test checks which users are online afterwards, the
 * recorded counts, and that {@code fail} leaves the online store and the watermark untouched.
 */
class ValidationEntryPathsTest {
  static final Instant END = Instant.parse("2026-02-01T00:00:00Z");
  static final int USERS = 30;

  /** User u's latest amount: u - 4 (users 1..3 negative), null for every 10th user. */
  static Double amount(long u) {
    return u % 10 == 0 ? null : (double) (u - 4);
  }

  /** User u's latest country: "us" (lower case) for every 7th user, else US or FR. */
  static String country(long u) {
    return u % 7 == 0 ? "us" : u % 2 == 0 ? "US" : "FR";
  }

  /** A rule as YAML, and which users fail it. */
  record Rule(String name, String feature, String yaml, LongPredicate fails) {}

  static final List<Rule> RULES = List.of(
      new Rule("not_null", "amount", "not_null: {value: true, on_fail: %s}", u -> amount(u) == null),
      new Rule("min", "amount", "min: {value: 0, on_fail: %s}", u -> amount(u) != null && amount(u) < 0),
      new Rule("max", "amount", "max: {value: 20.5, on_fail: %s}", u -> amount(u) != null && amount(u) > 20.5),
      new Rule("allowed", "country", "allowed: {value: [US, FR], on_fail: %s}", u -> !List.of("US", "FR").contains(country(u))),
      new Rule("pattern", "country", "pattern: {value: \"^[A-Z]{2}$\", on_fail: %s}", u -> !country(u).matches("[A-Z]{2}")),
      new Rule("expr", "amount", "expr: {value: \"amount < 10 or country = 'FR'\", on_fail: %s}",
          u -> amount(u) != null && !(amount(u) < 10 || country(u).equals("FR"))));

  @TempDir Path tmp;
  Path repo;
  final Clock clock = Clock.fixed(END.plusSeconds(600), ZoneOffset.UTC);

  @BeforeEach
  void data() throws Exception {
    repo = tmp.resolve("repo");
    Files.createDirectories(repo.resolve("features"));
    Files.createDirectories(repo.resolve("data/txns"));
    Files.writeString(repo.resolve("quiver.yaml"), """
        project: checks
        registry: {type: file, path: .quiver/registry}
        offline: {engine: duckdb}
        online: {type: rocksdb, path: .quiver/online}
        definitions: [features]
        """);
    StringBuilder rows = new StringBuilder();
    for (long u = 1; u <= USERS; u++) {
      // an older row first (valid), then the latest row, which the rules judge
      rows.append(rows.isEmpty() ? "" : ", ").append("(").append(u).append("::BIGINT, TIMESTAMP '2026-01-10', 1.0, 'US')");
      Double a = amount(u);
      rows.append(", (").append(u).append("::BIGINT, TIMESTAMP '2026-01-20', ").append(a == null ? "NULL::DOUBLE" : a + "::DOUBLE").append(", '")
          .append(country(u)).append("')");
    }
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT * FROM (VALUES " + rows + ") t(user_id, event_ts, amount, country)) TO '"
          + repo.resolve("data/txns/part-0.parquet") + "' (FORMAT parquet)");
    }
  }

  private void define(String featureRules, String viewRules) throws Exception {
    Files.writeString(repo.resolve("features/defs.yaml"), """
        entities:
          - {name: user, join_keys: [user_id], type: int64}
        sources:
          - {name: txns, path: data/txns/*.parquet, timestamp: event_ts}
        feature_views:
          - name: user_txn
            entities: [user]
            source: txns
        %s
            features:
              - name: amount
                validation: {%s}
              - name: country
                validation: {%s}
        """.formatted(viewRules, featureRules.startsWith("amount:") ? featureRules.substring(7) : "",
        featureRules.startsWith("country:") ? featureRules.substring(8) : ""));
  }

  private FeatureRepo open() {
    FeatureRepo r = FeatureRepo.open(repo, clock);
    assertThat(r.apply(r.plan(false), "test", "rules", false)).isPresent();
    return r;
  }

  static Stream<Arguments> kindsAndOutcomes() {
    return RULES.stream().flatMap(r -> Stream.of("warn", "skip_row", "fail").map(o -> Arguments.of(r.name(), o)));
  }

  private static Rule rule(String name) {
    return RULES.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
  }

  private static List<Long> failing(Rule r) {
    List<Long> out = new ArrayList<>();
    for (long u = 1; u <= USERS; u++) {
      if (r.fails().test(u)) {
        out.add(u);
      }
    }
    return out;
  }

  /** The users whose amount is PRESENT or NULL_VALUE online (a row was written). */
  private static List<Long> online(FeatureRepo r) {
    List<Object> ids = new ArrayList<>();
    for (long u = 1; u <= USERS; u++) {
      ids.add(u);
    }
    OnlineResponse resp = r.getOnlineFeatures(List.of(FeatureRef.of("user_txn:amount")), Map.of("user_id", ids), false);
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < USERS; i++) {
      if (resp.features().getFirst().statuses().get(i) != FeatureStatus.NOT_FOUND) {
        out.add(i + 1L);
      }
    }
    return out;
  }

  private static List<Long> allUsersBut(List<Long> skipped) {
    List<Long> out = new ArrayList<>();
    for (long u = 1; u <= USERS; u++) {
      if (!skipped.contains(u)) {
        out.add(u);
      }
    }
    return out;
  }

  @ParameterizedTest(name = "materialize: {0} with on_fail {1}")
  @MethodSource("kindsAndOutcomes")
  void materialization(String kind, String onFail) throws Exception {
    Rule rule = rule(kind);
    List<Long> failing = failing(rule);
    assertThat(failing).as("the data makes some users fail %s", kind).isNotEmpty().hasSizeLessThan(USERS);
    define(rule.feature() + ":" + rule.yaml().formatted(onFail), "");
    try (FeatureRepo r = open()) {
      if (onFail.equals("fail")) {
        assertThatThrownBy(() -> r.materialize(List.of(), Instant.parse("2000-01-01T00:00:00Z"), END, (v, a, b) -> {}, "t"))
            .isInstanceOfSatisfying(MaterializationException.class, e -> {
              assertThat(e.failed().getFirst().cause()).isInstanceOf(ValidationException.class);
              assertThat(e.getMessage()).contains("user_txn@v1 " + kind, "on " + rule.feature(),
                  failing.size() + " of " + USERS + " rows failed", "(e.g. ", "nothing was written");
            });
        assertThat(online(r)).as("nothing written").isEmpty();
        assertThat(r.registry().watermark("user_txn@v1")).as("the watermark did not move").isEmpty();
      } else {
        r.materialize(List.of(), Instant.parse("2000-01-01T00:00:00Z"), END, (v, a, b) -> {}, "t");
        assertThat(online(r)).isEqualTo(onFail.equals("skip_row") ? allUsersBut(failing) : allUsersBut(List.of()));
        assertThat(r.registry().watermark("user_txn@v1")).isPresent();
      }
      List<RuleResult> recorded = r.registry().validationLog().read(Instant.EPOCH, "user_txn", 100);
      assertThat(recorded).hasSize(1);
      RuleResult got = recorded.getFirst();
      assertThat(got.entry()).isEqualTo("materialize");
      assertThat(got.rule()).isEqualTo(kind);
      assertThat(got.feature()).isEqualTo(rule.feature());
      assertThat(got.rowsChecked()).isEqualTo(USERS);
      assertThat(got.rowsFailed()).isEqualTo(failing.size());
      assertThat(got.samples()).isNotEmpty();
      assertThat(got.outcome()).isEqualTo(switch (onFail) {
        case "warn" -> RuleResult.Outcome.WARNED;
        case "skip_row" -> RuleResult.Outcome.SKIPPED;
        default -> RuleResult.Outcome.FAILED;
      });
    }
  }

  /** The users' latest rows as a push: the same values, an hour after END. */
  private static Map<String, List<Object>> pushed() {
    Map<String, List<Object>> c = new LinkedHashMap<>();
    for (String n : List.of("user_id", "event_ts", "amount", "country")) {
      c.put(n, new ArrayList<>());
    }
    for (long u = 1; u <= USERS; u++) {
      c.get("user_id").add(u);
      c.get("event_ts").add(END.toString());
      c.get("amount").add(amount(u));
      c.get("country").add(country(u));
    }
    return c;
  }

  @ParameterizedTest(name = "push: {0} with on_fail {1}")
  @MethodSource("kindsAndOutcomes")
  void push(String kind, String onFail) throws Exception {
    Rule rule = rule(kind);
    List<Long> failing = failing(rule);
    define(rule.feature() + ":" + rule.yaml().formatted(onFail), "");
    try (FeatureRepo r = open()) {
      if (onFail.equals("fail")) {
        assertThatThrownBy(() -> r.push("txns", pushed(), Pusher.Target.ONLINE_AND_OFFLINE))
            .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.getMessage())
                .contains("user_txn@v1 " + kind, "on " + rule.feature(), failing.size() + " of " + USERS + " rows failed"));
        assertThat(online(r)).as("nothing written online").isEmpty();
        try (var files = Files.list(repo.resolve("data/txns"))) {
          assertThat(files.count()).as("nothing appended offline").isEqualTo(1);
        }
      } else {
        Pusher.Result result = r.push("txns", pushed(), Pusher.Target.ONLINE);
        List<Long> expected = onFail.equals("skip_row") ? allUsersBut(failing) : allUsersBut(List.of());
        assertThat(online(r)).isEqualTo(expected);
        assertThat(result.rows()).isEqualTo(expected.size());
      }
      List<RuleResult> recorded = r.registry().validationLog().read(Instant.EPOCH, null, 100);
      assertThat(recorded).as("a push with failing rows is recorded").hasSize(1);
      assertThat(recorded.getFirst().entry()).isEqualTo("push");
      assertThat(recorded.getFirst().rowsFailed()).isEqualTo(failing.size());
      assertThat(recorded.getFirst().rowsChecked()).isEqualTo(USERS);
    }
  }

  @Test
  void aCleanPushRecordsNothingAndAViewRuleChangeIsNotBreaking() throws Exception {
    define("amount:min: {value: -100, on_fail: fail}", "");
    try (FeatureRepo r = open()) {
      r.push("txns", pushed(), Pusher.Target.ONLINE);
      assertThat(r.registry().validationLog().read(Instant.EPOCH, null, 100)).isEmpty();
      define("amount:min: {value: 0, on_fail: warn}", "");
      var plan = r.plan(false);
      assertThat(plan.breaking()).isEmpty();
      assertThat(plan.changes().toString()).contains("validation.amount.min");
    }
  }

  @Test
  void rowCountAndFreshnessJudgeTheMaterializationRun() throws Exception {
    // 60 source rows in range; the newest event (2026-01-20) is 12 days before the run
    define("", "    validation:\n      row_count: {min: 61, on_fail: warn}\n      freshness: {max_age: 1d, on_fail: fail}");
    try (FeatureRepo r = open()) {
      assertThatThrownBy(() -> r.materialize(List.of(), Instant.parse("2000-01-01T00:00:00Z"), END, (v, a, b) -> {}, "t"))
          .hasMessageContaining("freshness(1d)").hasMessageContaining("newest event 2026-01-20T00:00:00Z");
      assertThat(online(r)).isEmpty();
      List<RuleResult> recorded = r.registry().validationLog().read(Instant.EPOCH, null, 100);
      assertThat(recorded).extracting(RuleResult::rule, RuleResult::rowsChecked, RuleResult::outcome).containsExactly(
          org.assertj.core.groups.Tuple.tuple("row_count", 60L, RuleResult.Outcome.WARNED),
          org.assertj.core.groups.Tuple.tuple("freshness", 30L, RuleResult.Outcome.FAILED));
    }
  }

  @Test
  void aStreamBatchDropsSkippedEventsWithTheirOffsetsAndRefusesAFailingOneAsABadEvent() throws Exception {
    define("amount:min: {value: 0, on_fail: skip_row}", "");
    try (FeatureRepo r = open()) {
      long[] offsets = new long[USERS];
      for (int i = 0; i < USERS; i++) {
        offsets[i] = 100 + i;
      }
      Pusher.Result result = r.push("txns", pushed(), Pusher.Target.ONLINE,
          new dev.quiver.core.online.Origin.Stream("txns-topic", 0, offsets, null));
      List<Long> failing = failing(rule("min"));
      assertThat(result.rows()).isEqualTo(USERS - failing.size());
      assertThat(online(r)).isEqualTo(allUsersBut(failing));
      RuleResult recorded = r.registry().validationLog().read(Instant.EPOCH, null, 10).getFirst();
      assertThat(recorded.entry()).isEqualTo("stream");
      assertThat(recorded.rowsFailed()).isEqualTo(failing.size());
    }
    define("amount:min: {value: 0, on_fail: fail}", "");
    try (FeatureRepo r = open()) {
      // the consumer's policy for an event the write path refuses (docs/streams.md): refused alone, counted, logged
      assertThatThrownBy(() -> r.push("txns", pushed(), Pusher.Target.ONLINE,
          new dev.quiver.core.online.Origin.Stream("txns-topic", 0, new long[USERS], null)))
          .isInstanceOf(dev.quiver.core.InvalidRequestException.class)
          .hasCauseInstanceOf(ValidationException.class)
          .hasMessageContaining("min(0) on amount");
    }
  }

  @Test
  void theCommandLineShowsRulesAndResults() throws Exception {
    define("amount:min: {value: 0, on_fail: skip_row}", "    validation: {row_count: {min: 1, max: 1000}}");
    try (FeatureRepo r = open()) {
      r.materialize(List.of(), Instant.parse("2000-01-01T00:00:00Z"), END, (v, a, b) -> {}, "t");
    }
    Cli describe = Cli.run("describe", "user_txn", "--repo", repo.toString());
    assertThat(describe.out()).as(describe.toString()).contains("validation:", "min(0)", "on_fail: skip_row",
        "(view)", "row_count(1..1000)");
    Cli table = Cli.run("validate", "results", "--repo", repo.toString(), "--since", "2000-01-01", "--view", "user_txn");
    assertThat(table.exitCode()).as(table.toString()).isZero();
    assertThat(table.out()).contains("materialize", "user_txn@v1", "min(0)", "skipped", "row_count(1..1000)", "passed");
    Cli json = Cli.run("validate", "results", "--repo", repo.toString(), "--since", "2000-01-01", "--output", "json");
    var parsed = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out());
    assertThat(parsed).hasSize(2);
    assertThat(parsed.get(0).get("rows_failed").asLong()).isEqualTo(failing(rule("min")).size());
    assertThat(parsed.get(0).get("outcome").asText()).isEqualTo("skipped");
    Cli none = Cli.run("validate", "results", "--repo", repo.toString(), "--since", "2000-01-01", "--view", "other");
    assertThat(none.out()).contains("No validation results since");
  }
}
