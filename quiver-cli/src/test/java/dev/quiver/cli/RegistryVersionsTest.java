package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.FeatureStatus;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.repo.FeatureRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registry versions end to end through the CLI and a repo on disk: apply v1, materialize, apply a
 * change, read. A view bumped to version 2 moves unpinned refs without a refusal and keeps serving
 * them from v1 until v2 is materialized; a bumped service keeps its old version; features added to
 * a view are filled by the next materialization; v1 and v2 read side by side with full names.
 */
class RegistryVersionsTest {
  static final Instant END = Instant.parse("2026-04-01T00:00:00Z");
  static final int USERS = 300;

  @TempDir Path tmp;
  Path repo;
  Path yaml;

  @BeforeEach
  void init() {
    repo = tmp.resolve("repo");
    assertThat(Cli.run("init", repo.toString(), "--rows", "20000", "--start", "2026-01-01").exitCode()).isZero();
    yaml = repo.resolve("features/payments.yaml");
    run("apply", "-m", "v1");
    run("materialize", "2000-01-01", "2026-04-01");
  }

  private Cli run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--repo");
    all.add(repo.toString());
    Cli c = Cli.run(all.toArray(String[]::new));
    assertThat(c.exitCode()).as(c.toString()).isZero();
    return c;
  }

  private void edit(String from, String to) throws IOException {
    String text = Files.readString(yaml);
    assertThat(text).as("the generated definitions").contains(from);
    Files.writeString(yaml, text.replace(from, to));
  }

  /** Adds feature lines (YAML, indented as list items of {@code features:}) to view {@code view}. */
  private void addFeatures(String view, String lines) throws IOException {
    String text = Files.readString(yaml);
    int at = text.indexOf("- name: " + view + "\n");
    int features = text.indexOf("    features:\n", at);
    assertThat(at).isNotNegative();
    assertThat(features).isGreaterThan(at);
    int insert = features + "    features:\n".length();
    Files.writeString(yaml, text.substring(0, insert) + lines + text.substring(insert));
  }

  private FeatureRepo open() {
    return FeatureRepo.open(repo, Clock.fixed(END, ZoneOffset.UTC));
  }

  private static List<Object> users() {
    List<Object> ids = new ArrayList<>();
    for (long u = 1; u <= USERS; u++) {
      ids.add(u);
    }
    return ids;
  }

  private static long count(FeatureColumn c, FeatureStatus status) {
    return c.statuses().stream().filter(s -> s == status).count();
  }

  @Test
  void aViewBumpMovesUnpinnedRefsAndServingKeepsTheOldVersionUntilTheNewOneIsMaterialized() throws IOException {
    List<Object> v1Avg;
    try (FeatureRepo r = open()) {
      v1Avg = r.getOnlineFeatures(List.of(FeatureRef.of("user_txn:amount_avg_30d")), Map.of("user_id", users()), false)
          .features().getFirst().values();
    }
    edit("  - name: user_txn\n", "  - name: user_txn\n    version: 2\n");
    edit("aggregate: {fn: avg, column: amount, window: 30d}", "aggregate: {fn: avg, column: amount, window: 14d}");

    Cli plan = run("plan");
    assertThat(plan.out()).doesNotContain("BREAKING").contains(
        "MOVES: refs without a version follow the newest version (not breaking):",
        "> feature service fraud_model@v1: user_txn:amount_avg_30d  user_txn@v1 -> user_txn@v2",
        "amount_avg_30d: aggregate.window: 30d -> 14d",
        "> feature service fraud_model@v1: user_txn:last_amount  user_txn@v1 -> user_txn@v2 (same meaning)",
        "> on-demand view txn_risk@v1: user_txn  user_txn@v1 -> user_txn@v2",
        "= keeps feature view user_txn@v1");
    JsonNode json = Json.MAPPER.readTree(run("plan", "--output", "json").out());
    assertThat(json.get("breaking")).isEmpty();
    assertThat(json.get("moves").findValuesAsText("ref")).contains("user_txn:amount_avg_30d", "user_txn");
    assertThat(json.get("kept").get(0).get("name").asText()).isEqualTo("user_txn@v1");

    Cli apply = run("apply", "-m", "user_txn v2");
    assertThat(apply.out()).contains("Applied registry version 2",
        "user_txn@v2 is not materialized yet; unpinned reads keep serving user_txn@v1 until `quiver materialize` runs");
    try (FeatureRepo r = open()) {
      FeatureColumn unpinned = r.getOnlineFeatures(List.of(FeatureRef.of("user_txn:amount_avg_30d")),
          Map.of("user_id", users()), true).features().getFirst();
      assertThat(unpinned.ref().toString()).isEqualTo("user_txn@v1:amount_avg_30d");
      assertThat(unpinned.name()).isEqualTo("user_txn__amount_avg_30d");
      assertThat(unpinned.values()).as("still answered from v1").isEqualTo(v1Avg);
      assertThat(count(unpinned, FeatureStatus.PRESENT)).isGreaterThan(USERS / 2);
      FeatureColumn pinned = r.getOnlineFeatures(List.of(FeatureRef.of("user_txn@v2:amount_avg_30d")),
          Map.of("user_id", users()), true).features().getFirst();
      assertThat(count(pinned, FeatureStatus.NOT_FOUND)).as("pinned to v2: exactly v2").isEqualTo(USERS);
      OnlineResponse service = r.getOnlineFeatures("fraud_model", 0, Map.of("user_id", users(), "merchant_id", users()),
          Map.of("amount", users().stream().map(u -> (Object) 10.0).toList(), "country", users().stream().map(u -> (Object) "DE").toList()),
          false);
      assertThat(service.features()).filteredOn(c -> c.ref().view().equals("user_txn"))
          .allSatisfy(c -> assertThat(c.ref().version()).isEqualTo(1))
          .allSatisfy(c -> assertThat(count(c, FeatureStatus.NOT_FOUND)).isLessThan(USERS / 2));
    }
    Cli cliOnline = run("online", "--features", "user_txn:last_amount", "--entity", "user_id=1,2,3", "--output", "json");
    assertThat(cliOnline.out()).as("the CLI reads v1 too (old rows: outside max age, not missing)").doesNotContain("NOT_FOUND");

    Cli materialized = run("materialize", "2000-01-01", "2026-04-01");
    assertThat(materialized.out()).contains("user_txn@v2");
    try (FeatureRepo r = open()) {
      OnlineResponse read = r.getOnlineFeatures(List.of(FeatureRef.of("user_txn@v1:amount_avg_30d"),
          FeatureRef.of("user_txn:amount_avg_30d")), Map.of("user_id", users()), true);
      assertThat(read.features()).extracting(FeatureColumn::name).containsExactly("user_txn@v1__amount_avg_30d", "user_txn__amount_avg_30d");
      assertThat(read.features().get(1).ref().toString()).isEqualTo("user_txn@v2:amount_avg_30d");
      assertThat(read.features().get(0).values()).isEqualTo(v1Avg);
      assertThat(read.features().get(1).values()).as("the 14-day mean").isNotEqualTo(v1Avg);
      assertThat(r.servingVersions().pending()).isEmpty();

      // offline, the same names for the same refs
      String query = "SELECT range AS user_id, TIMESTAMP '2026-04-01 00:00:00' AS event_timestamp FROM range(1, 4)";
      try (HistoricalRows rows = r.getHistoricalFeatures(new HistoricalRequest(new QueryInput.Sql(query),
          List.of(FeatureRef.of("user_txn@v1:amount_avg_30d"), FeatureRef.of("user_txn:amount_avg_30d")), null, 0, true, null))) {
        assertThat(rows.columns()).extracting(c -> c.name())
            .containsExactly("user_id", "event_timestamp", "user_txn@v1__amount_avg_30d", "user_txn__amount_avg_30d");
      }
    }
  }

  @Test
  void aServiceBumpKeepsTheOldServiceVersionForCallersThatPinIt() throws IOException {
    edit("  - name: fraud_model\n    version: 1\n", "  - name: fraud_model\n    version: 2\n");
    edit("      - user_txn:txn_count_7d\n", "");
    Cli apply = run("apply", "-m", "fraud_model v2");
    assertThat(apply.out()).contains("+ feature service fraud_model@v2", "= keeps feature service fraud_model@v1");
    try (FeatureRepo r = open()) {
      Map<String, List<Object>> keys = Map.of("user_id", List.of(1L), "merchant_id", List.of(1L));
      Map<String, List<Object>> request = Map.of("amount", List.of(10.0), "country", List.of("DE"));
      assertThat(r.getOnlineFeatures("fraud_model", 1, keys, request, false).features()).extracting(FeatureColumn::name)
          .contains("txn_count_7d");
      assertThat(r.getOnlineFeatures("fraud_model", 0, keys, request, false).features()).extracting(FeatureColumn::name)
          .doesNotContain("txn_count_7d").contains("last_amount");
    }
    assertThat(run("describe", "fraud_model@v1").out()).contains("user_txn@v1:txn_count_7d");

    Cli pruned = run("apply", "--prune", "-m", "drop superseded");
    assertThat(pruned.out()).contains("- feature service fraud_model@v1");
    Cli gone = Cli.run("online", "--repo", repo.toString(), "--service", "fraud_model@v1", "--entity", "user_id=1");
    assertThat(gone.exitCode()).isEqualTo(1);
    assertThat(gone.err()).contains("feature service 'fraud_model' has no version 1 in the registry (it has v2; 'apply --prune' drops superseded versions)");
  }

  @Test
  void featuresAddedToAViewAreFilledByTheNextIncrementalRun() throws IOException {
    List<FeatureRef> added = List.of(FeatureRef.of("user_txn:last_merchant"), FeatureRef.of("user_txn:amount_max_90d"));
    List<FeatureRef> existing = List.of(FeatureRef.of("user_txn:last_amount"), FeatureRef.of("user_txn:txn_count_7d"));
    List<List<Object>> before;
    try (FeatureRepo r = open()) {
      before = r.getOnlineFeatures(existing, Map.of("user_id", users()), false).features().stream().map(FeatureColumn::values).toList();
    }
    addFeatures("user_txn", "      - {name: last_merchant, column: merchant_id}\n"
        + "      - name: amount_max_90d\n"
        + "        aggregate: {fn: max, column: amount, window: 90d}\n");
    Cli apply = run("apply", "-m", "two features");
    assertThat(apply.out()).doesNotContain("BREAKING").contains(
        "user_txn@v1 gained last_merchant, amount_max_90d since it was last materialized: they read NOT_FOUND");
    try (FeatureRepo r = open()) {
      OnlineResponse read = r.getOnlineFeatures(added, Map.of("user_id", users()), false);
      assertThat(read.features()).allSatisfy(c -> assertThat(count(c, FeatureStatus.NOT_FOUND)).isEqualTo(USERS));
      assertThat(r.getOnlineFeatures(existing, Map.of("user_id", users()), false).features())
          .extracting(FeatureColumn::values).as("features the stored rows hold still read").isEqualTo(before);
    }

    Cli incremental = run("materialize-incremental", "2026-04-01");
    assertThat(incremental.out()).contains("user_txn@v1");
    try (FeatureRepo r = open()) {
      assertThat(r.servingVersions().pending()).isEmpty();
      List<FeatureRef> all = new ArrayList<>(added);
      all.addAll(existing);
      assertThat(mismatches(r, all)).isZero();
    }
  }

  /** Online (now = END) against offline at t = END for users 1..USERS, over {@code features}. */
  static int mismatches(FeatureRepo r, List<FeatureRef> features) {
    OnlineResponse online = r.getOnlineFeatures(features, Map.of("user_id", users()), false);
    String query = "SELECT range AS user_id, TIMESTAMP '2026-04-01 00:00:00' AS event_timestamp FROM range(1, " + (USERS + 1) + ")";
    int mismatches = 0;
    int present = 0;
    try (HistoricalRows offline = r.getHistoricalFeatures(HistoricalRequest.ofFeatures(new QueryInput.Sql(query), features))) {
      for (int i = 0; offline.hasNext(); i++) {
        Object[] row = offline.next();
        for (int f = 0; f < features.size(); f++) {
          FeatureColumn c = online.features().get(f);
          if (!Objects.equals(row[2 + f], c.values().get(i))) {
            mismatches++;
            System.err.printf("user %s %s: offline %s, online %s (%s)%n", row[0], c.name(), row[2 + f], c.values().get(i),
                c.statuses().get(i));
          }
          present += c.statuses().get(i) == FeatureStatus.PRESENT ? 1 : 0;
        }
      }
    }
    assertThat(present).as("the comparison must cover real values").isGreaterThan(USERS);
    return mismatches;
  }
}
