package dev.quiver.core.diff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.TestRepos;
import dev.quiver.core.load.DefinitionLoader;
import dev.quiver.core.load.LoadedRepo;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.validate.DefinitionValidator;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The diff field by field, breaking-change detection with consumers, and version retention. */
class PlannerTest {
  @TempDir Path dir;

  private static final String BASE = """
      entities:
        - {name: user, join_keys: [user_id], type: int64}
      sources:
        - {name: transactions, path: data/transactions.parquet, timestamp: event_ts, created: created_ts}
      feature_views:
        - name: user_txn
          entities: [user]
          source: transactions
          ttl: 90d
          owner: risk-team
          features:
            - {name: last_country, column: country}
            - name: amount_avg_30d
              aggregate: {fn: avg, column: amount, window: 30d}
            - name: txn_count_7d
              aggregate: {fn: count, window: 7d}
            - {name: avg_per_txn, expr: "amount_avg_30d / nullif(txn_count_7d, 0)"}
      feature_services:
        - name: fraud_model
          features: [user_txn:amount_avg_30d, user_txn:last_country]
      """;

  /** Loads, retains against {@code head}, validates: what FeatureRepo.plan does. */
  private Plan plan(Definitions head, String yaml, boolean prune) {
    TestRepos.write(dir, Map.of("features/defs.yaml", yaml));
    LoadedRepo loaded = new DefinitionLoader().load(dir);
    Planner.Retained r = Planner.retain(loaded.definitions(), head, prune);
    Definitions typed = new DefinitionValidator(TestRepos.schemas(), dir)
        .validate(r.definitions(), loaded.origins(), r.frozen());
    return Planner.plan(head == null ? 0 : 1, head, typed, r.kept());
  }

  private Definitions applied(String yaml) {
    return plan(null, yaml, false).target();
  }

  @Test
  void everythingIsAddedToAnEmptyRegistry() {
    Plan p = plan(null, BASE, false);
    assertThat(p.changes()).extracting(c -> c.action() + " " + c.kind() + " " + c.name()).containsExactly(
        "ADDED entity user", "ADDED source transactions", "ADDED feature view user_txn@v1",
        "ADDED feature service fraud_model@v1");
    assertThat(p.breaking()).isEmpty();
  }

  @Test
  void unchangedDefinitionsPlanNothingEvenWhenReformatted() {
    Definitions head = applied(BASE);
    String reformatted = BASE.replace("amount_avg_30d / nullif(txn_count_7d, 0)", "amount_avg_30d/NULLIF( txn_count_7d ,0 )");
    assertThat(plan(head, reformatted, false).isEmpty()).isTrue();
  }

  @Test
  void changesAreReportedFieldByField() {
    Definitions head = applied(BASE);
    Plan p = plan(head, BASE.replace("ttl: 90d", "ttl: 30d").replace("owner: risk-team", "owner: fraud-team"), false);
    assertThat(p.changes()).singleElement().satisfies(c -> {
      assertThat(c.action()).isEqualTo(Change.Action.CHANGED);
      assertThat(c.name()).isEqualTo("user_txn@v1");
      assertThat(c.fields()).containsExactlyInAnyOrder(
          new Change.FieldChange("ttl", "90d", "30d"),
          new Change.FieldChange("owner", "risk-team", "fraud-team"));
    });
    assertThat(p.breaking()).as("ttl and owner do not change what a value means").isEmpty();
  }

  @Test
  void changingAnOnlineAggregateIsBreakingAndNamesItsConsumers() {
    Definitions head = applied(BASE);
    Plan p = plan(head, BASE.replace("window: 30d", "window: 7d"), false);
    assertThat(p.breaking()).extracting(BreakingChange::feature)
        .containsExactlyInAnyOrder("amount_avg_30d", "avg_per_txn");
    BreakingChange b = p.breaking().stream().filter(x -> x.feature().equals("amount_avg_30d")).findFirst().orElseThrow();
    assertThat(b.view()).isEqualTo("user_txn@v1");
    assertThat(b.reasons()).contains("aggregate.window: 30d -> 7d");
    assertThat(b.consumers()).containsExactly("fraud_model@v1");
  }

  @Test
  void aCustomTransformBreaksWithTheFeaturesItReads() {
    String withTransform = BASE.replace("      - {name: avg_per_txn,", "      - name: weighted\n"
        + "        transform: dev.quiver.core.derived.TestTransforms$WeightedSum\n"
        + "        args: [amount_avg_30d, txn_count_7d]\n"
        + "      - {name: avg_per_txn,");
    Definitions head = applied(withTransform);
    Plan p = plan(head, withTransform.replace("window: 30d", "window: 7d"), false);
    assertThat(p.breaking()).extracting(BreakingChange::feature)
        .containsExactlyInAnyOrder("amount_avg_30d", "avg_per_txn", "weighted");
    assertThat(p.breaking().stream().filter(b -> b.feature().equals("weighted")).findFirst().orElseThrow().reasons())
        .containsExactly("input amount_avg_30d.aggregate.window: 30d -> 7d");
  }

  @Test
  void changingAColumnOrTheSourceTimestampIsBreaking() {
    Definitions head = applied(BASE);
    assertThat(plan(head, BASE.replace("column: country", "column: currency"), false).breaking())
        .singleElement().satisfies(b -> assertThat(b.reasons()).contains("column: country -> currency"));
    assertThat(plan(head, BASE.replace("created: created_ts", "created: event_ts"), false).breaking())
        .hasSize(4);
  }

  @Test
  void offlineOnlyViewsMayChangeInPlace() {
    String offline = BASE.replace("ttl: 90d", "ttl: 90d\n    online: false");
    Definitions head = applied(offline);
    assertThat(plan(head, offline.replace("window: 30d", "window: 7d"), false).breaking()).isEmpty();
  }

  private static final String V2 = "ttl: 90d\n    version: 2";

  private static Plan.Kept view(String name) {
    return new Plan.Kept("feature view", name);
  }

  private static Plan.Kept service(String name) {
    return new Plan.Kept("feature service", name);
  }

  @Test
  void aNewVersionIsNotBreakingAndTheOldOnesAreKept() {
    Definitions head = applied(BASE);
    String v2 = BASE.replace("ttl: 90d", V2).replace("window: 30d", "window: 7d")
        .replace("- name: fraud_model", "- name: fraud_model\n    version: 2");
    Plan p = plan(head, v2, false);
    assertThat(p.breaking()).isEmpty();
    assertThat(p.kept()).containsExactly(service("fraud_model@v1"), view("user_txn@v1"));
    assertThat(p.target().view("user_txn", 1)).isPresent();
    assertThat(p.changes()).extracting(c -> c.action() + " " + c.name())
        .containsExactly("ADDED user_txn@v2", "CHANGED fraud_model@v1", "ADDED fraud_model@v2");
    assertThat(p.changes().get(1).fields()).as("kept pinned to what it read").containsExactly(new Change.FieldChange("features",
        "user_txn:amount_avg_30d, user_txn:last_country", "user_txn@v1:amount_avg_30d, user_txn@v1:last_country"));
    assertThat(p.target().service("fraud_model", 2).orElseThrow().features()).extracting(Object::toString)
        .as("stored as written: unpinned refs follow the newest version")
        .containsExactly("user_txn:amount_avg_30d", "user_txn:last_country");
    assertThat(p.moves()).as("fraud_model@v1 is kept pinned, so nothing moves").isEmpty();
  }

  @Test
  void aSupersededServiceVersionKeepsReadingWhatItRead() {
    Definitions head = applied(BASE);
    Definitions withV2 = plan(head, BASE.replace("- name: fraud_model", "- name: fraud_model\n    version: 2"), false).target();
    assertThat(withV2.service("fraud_model", 1).orElseThrow().features()).extracting(Object::toString)
        .as("pinned when superseded").containsExactly("user_txn@v1:amount_avg_30d", "user_txn@v1:last_country");

    Plan p = plan(withV2, BASE.replace("ttl: 90d", V2).replace("- name: fraud_model", "- name: fraud_model\n    version: 2"), false);
    assertThat(p.breaking()).isEmpty();
    assertThat(p.kept()).containsExactly(service("fraud_model@v1"), view("user_txn@v1"));
    assertThat(p.target().service("fraud_model", 1).orElseThrow().features()).extracting(Object::toString)
        .containsExactly("user_txn@v1:amount_avg_30d", "user_txn@v1:last_country");
    assertThat(p.moves()).extracting(m -> m.consumer() + " " + m.ref() + " " + m.from() + " -> " + m.to())
        .containsExactly("feature service fraud_model@v2 user_txn:amount_avg_30d user_txn@v1 -> user_txn@v2",
            "feature service fraud_model@v2 user_txn:last_country user_txn@v1 -> user_txn@v2");
  }

  @Test
  void bumpingAViewMovesUnpinnedServiceRefsWithoutBreakingAnything() {
    Definitions head = applied(BASE);
    Plan p = plan(head, BASE.replace("ttl: 90d", V2), false);
    assertThat(p.breaking()).isEmpty();
    assertThat(p.kept()).containsExactly(view("user_txn@v1"));
    assertThat(p.changes()).extracting(c -> c.action() + " " + c.name())
        .as("the service is unchanged: its refs follow the newest version").containsExactly("ADDED user_txn@v2");
    assertThat(p.moves()).extracting(m -> m.ref() + " " + m.from() + " -> " + m.to() + " " + m.changes())
        .containsExactly("user_txn:amount_avg_30d user_txn@v1 -> user_txn@v2 []",
            "user_txn:last_country user_txn@v1 -> user_txn@v2 []");
  }

  @Test
  void aMoveSaysWhatChangesMeaning() {
    Definitions head = applied(BASE);
    Plan p = plan(head, BASE.replace("ttl: 90d", V2).replace("window: 30d", "window: 7d"), false);
    assertThat(p.breaking()).as("the change is in a new version").isEmpty();
    assertThat(p.moves()).extracting(m -> m.ref() + " " + m.changes()).containsExactly(
        "user_txn:amount_avg_30d [amount_avg_30d: aggregate.window: 30d -> 7d]", "user_txn:last_country []");
  }

  @Test
  void servicesMayPinTheOldVersion() {
    Definitions head = applied(BASE);
    String v2 = BASE.replace("ttl: 90d", V2)
        .replace("[user_txn:amount_avg_30d, user_txn:last_country]", "[user_txn@v1:amount_avg_30d, user_txn:last_country]");
    Plan p = plan(head, v2, true);
    assertThat(p.kept()).as("pinned, so prune keeps it").containsExactly(view("user_txn@v1"));
    assertThat(p.target().service("fraud_model", 1).orElseThrow().features()).extracting(Object::toString)
        .containsExactly("user_txn@v1:amount_avg_30d", "user_txn:last_country");
    assertThat(p.moves()).extracting(Plan.Move::ref).containsExactly("user_txn:last_country");
  }

  @Test
  void pruneDropsSupersededServicesAndTheVersionsOnlyTheyPinned() {
    Definitions head = applied(BASE);
    Definitions withV2 = plan(head, BASE.replace("- name: fraud_model", "- name: fraud_model\n    version: 2"), false).target();
    Plan p = plan(withV2, BASE.replace("ttl: 90d", V2).replace("- name: fraud_model", "- name: fraud_model\n    version: 2"), true);
    assertThat(p.kept()).isEmpty();
    assertThat(p.changes()).extracting(c -> c.action() + " " + c.name())
        .containsExactly("ADDED user_txn@v2", "REMOVED user_txn@v1", "REMOVED fraud_model@v1");
  }

  @Test
  void pruneDropsUnpinnedOldVersions() {
    Definitions head = applied(BASE);
    Plan p = plan(head, BASE.replace("ttl: 90d", V2), true);
    assertThat(p.kept()).isEmpty();
    assertThat(p.changes()).extracting(c -> c.action() + " " + c.name())
        .contains("REMOVED user_txn@v1", "ADDED user_txn@v2");
  }

  private static final String WITH_ODV = BASE.replace("feature_services:", """
      on_demand_views:
        - name: txn_risk
          inputs: [user_txn, request: {amount: float64, country: string}]
          features:
            - {name: amount_ratio, expr: "request.amount / nullif(user_txn.amount_avg_30d, 0)"}
            - {name: is_foreign, expr: "request.country != user_txn.last_country"}
            - {name: is_big, expr: "request.amount > 1000"}
      feature_services:""").replace("[user_txn:amount_avg_30d, user_txn:last_country]",
      "[user_txn:amount_avg_30d, txn_risk:amount_ratio, txn_risk:is_big]");

  @Test
  void onDemandInputsWithoutAVersionMoveAndAreNotBreaking() {
    Definitions head = applied(WITH_ODV);
    assertThat(head.onDemandView("txn_risk", 1).orElseThrow().inputs()).as("stored as written").containsExactly("user_txn");
    Plan p = plan(head, WITH_ODV.replace("ttl: 90d", V2).replace("window: 30d", "window: 7d"), false);
    assertThat(p.breaking()).isEmpty();
    assertThat(p.moves()).filteredOn(m -> m.consumer().startsWith("on-demand view"))
        .extracting(m -> m.consumer() + " " + m.ref() + " " + m.from() + " -> " + m.to() + " " + m.changes())
        .containsExactly("on-demand view txn_risk@v1 user_txn user_txn@v1 -> user_txn@v2 [amount_avg_30d: aggregate.window: 30d -> 7d]");
  }

  @Test
  void aChangeInPlaceBreaksOnlyTheOnDemandFeaturesThatReadIt() {
    Definitions head = applied(WITH_ODV);
    Plan p = plan(head, WITH_ODV.replace("window: 30d", "window: 7d"), false);
    assertThat(p.breaking()).extracting(b -> b.view() + ":" + b.feature()).containsExactlyInAnyOrder(
        "user_txn@v1:amount_avg_30d", "user_txn@v1:avg_per_txn", "txn_risk@v1:amount_ratio");
    BreakingChange ratio = p.breaking().stream().filter(b -> b.feature().equals("amount_ratio")).findFirst().orElseThrow();
    assertThat(ratio.reasons()).containsExactly("input user_txn.amount_avg_30d.aggregate.window: 30d -> 7d");
    assertThat(ratio.consumers()).containsExactly("fraud_model@v1");
    assertThat(p.moves()).isEmpty();
  }

  @Test
  void pinningAnOnDemandInputToTheVersionItReadsChangesNothingThatMatters() {
    Definitions head = applied(WITH_ODV);
    Plan p = plan(head, WITH_ODV.replace("inputs: [user_txn,", "inputs: [user_txn@v1,"), false);
    assertThat(p.breaking()).isEmpty();
    assertThat(p.moves()).isEmpty();
    assertThat(p.changes()).extracting(c -> c.action() + " " + c.name()).containsExactly("CHANGED txn_risk@v1");
  }

  @Test
  void removingDefinitionsIsReported() {
    Definitions head = applied(BASE);
    String without = BASE.substring(0, BASE.indexOf("feature_services:"));
    Plan p = plan(head, without, false);
    assertThat(p.changes()).extracting(c -> c.action() + " " + c.name()).containsExactly("REMOVED fraud_model@v1");
  }
}
