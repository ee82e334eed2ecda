package dev.quiver.core.derived;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.DefinitionException;
import dev.quiver.core.Problem;
import dev.quiver.core.QuiverException;
import dev.quiver.core.TestRepos;
import dev.quiver.core.load.DefinitionLoader;
import dev.quiver.core.load.LoadedRepo;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureResolver;
import dev.quiver.core.registry.RegistryCodec;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.VersionInfo;
import dev.quiver.core.validate.DefinitionValidator;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Derived features and on-demand views from YAML: validation, plans and evaluation. */
class DerivedFeaturesTest {
  static final String DEFS = """
      entities:
        - {name: user, join_keys: [user_id], type: int64}
      sources:
        - {name: transactions, path: data/transactions.parquet, timestamp: event_ts, created: created_ts}
      feature_views:
        - name: user_txn
          entities: [user]
          source: transactions
          ttl: 30d
          features:
            - {name: last_amount, column: amount}
            - {name: last_country, column: country}
            - {name: amount_x2, expr: "last_amount * 2"}
            - {name: domestic, expr: "last_country = 'DE'"}
      on_demand_views:
        - name: txn_risk
          inputs: [user_txn, request: {amount: float64, seen_at: timestamp}]
          features:
            - {name: ratio, expr: "request.amount / nullif(user_txn.last_amount, 0)"}
            - {name: band, expr: "case when ratio >= 2 then 'high' else 'low' end"}
            - {name: night, expr: "hour(request.seen_at) < 6"}
            - {name: score, transform: dev.quiver.core.derived.TestTransforms$WeightedSum, args: [request.amount, "coalesce(user_txn.amount_x2, 0)"]}
      feature_services:
        - {name: fraud, features: [user_txn:last_amount, txn_risk:band, txn_risk:score, user_txn:domestic]}
      """;

  @TempDir Path dir;

  static Definitions load(Path dir, String yaml) {
    TestRepos.write(dir, Map.of("features/defs.yaml", yaml));
    LoadedRepo repo = new DefinitionLoader().load(dir);
    return new DefinitionValidator(TestRepos.schemas(), dir).validate(repo.definitions(), repo.origins(), Set.of());
  }

  @Test
  void typesComeFromExpressionsAndTransforms() {
    Definitions defs = load(dir, DEFS);
    var odv = defs.onDemandView("txn_risk", 0).orElseThrow();
    assertThat(odv.features()).extracting(f -> f.name() + ":" + f.type())
        .containsExactly("ratio:float64", "band:string", "night:bool", "score:float64");
    assertThat(odv.feature("score").orElseThrow().isTransform()).isTrue();
  }

  @Test
  void transformsSurviveTheRegistryCodec() {
    Definitions defs = load(dir, DEFS);
    var snapshot = new RegistrySnapshot(new VersionInfo(1, 0, "t", Instant.EPOCH, "m", ""), defs);
    assertThat(RegistryCodec.decode(RegistryCodec.encode(snapshot)).definitions()).isEqualTo(defs);
  }

  @Test
  void aPlanReadsOnlyWhatItNeedsAndEvaluatesInDependencyOrder() {
    Definitions defs = load(dir, DEFS);
    DerivedFeatures derived = DerivedFeatures.of(defs);
    List<FeatureResolver.Resolved> resolved = FeatureResolver.resolve(defs, FeatureResolver.service(defs, "fraud", 0));
    DerivedPlan plan = derived.plan(resolved);
    assertThat(plan).isSameAs(derived.plan(resolved));
    assertThat(plan.baseFeatures()).containsExactly(FeatureRef.of("user_txn@v1:last_amount"), FeatureRef.of("user_txn@v1:last_country"));
    assertThat(plan.requestFields()).extracting(r -> r.field().name()).containsExactly("amount");
    assertThat(plan.outputs()).extracting(o -> o.ref().toString())
        .containsExactly("user_txn@v1:last_amount", "txn_risk@v1:band", "txn_risk@v1:score", "user_txn@v1:domestic");

    Object[] row = plan.newRow();
    row[0] = 50.0;
    row[1] = "DE";
    row[plan.requestOffset()] = 120.0;
    plan.evaluate(row);
    assertThat(values(plan, row)).containsExactly(50.0, "high", 120.0 + 0.5 * 100.0, true);

    Object[] missing = plan.newRow(); // entity not found: every input null
    missing[plan.requestOffset()] = 10.0;
    plan.evaluate(missing);
    assertThat(values(plan, missing)).containsExactly(null, "low", 10.0, null);
  }

  @Test
  void requestTimestampsAreReadInUtc() {
    Definitions defs = load(dir, DEFS);
    DerivedPlan plan = DerivedFeatures.of(defs).plan(FeatureResolver.resolve(defs, List.of(FeatureRef.of("txn_risk:night"))));
    assertThat(plan.baseFeatures()).isEmpty();
    Object[] row = plan.newRow();
    row[plan.requestOffset()] = Instant.parse("2024-05-01T05:59:59Z");
    plan.evaluate(row);
    assertThat(values(plan, row)).containsExactly(true);
  }

  /**
   * {@link #DEFS} with two on-demand views that read request data alone (no feature view in their
   * inputs), in both spellings, and a service that mixes them with a view's feature.
   */
  static final String REQUEST_ONLY = DEFS.replace("feature_services:\n", """
        - name: fee
          inputs: [request: {amount: float64, card: string}]
          features:
            - {name: fee, expr: "round(request.amount * 0.029 + 0.3, 2)"}
            - {name: foreign_card, expr: "request.card != 'DE'"}
        - name: fee_alt
          inputs: []
          request: {amount: float64}
          features:
            - {name: doubled, expr: "request.amount * 2"}
      feature_services:
        - {name: pricing, features: [fee:fee, fee_alt:doubled, user_txn:last_amount]}
      """);

  @Test
  void anOnDemandViewMayReadRequestDataAlone() {
    Definitions defs = load(dir, REQUEST_ONLY);
    var fee = defs.onDemandView("fee", 0).orElseThrow();
    assertThat(fee.inputs()).isEmpty();
    assertThat(fee.features()).extracting(f -> f.name() + ":" + f.type()).containsExactly("fee:float64", "foreign_card:bool");
    var alt = defs.onDemandView("fee_alt", 0).orElseThrow();
    assertThat(alt.inputs()).isEmpty();
    assertThat(alt.requestFields()).extracting(r -> r.name() + ":" + r.type()).containsExactly("amount:float64");
    var snapshot = new RegistrySnapshot(new VersionInfo(1, 0, "t", Instant.EPOCH, "m", ""), defs);
    assertThat(RegistryCodec.decode(RegistryCodec.encode(snapshot)).definitions()).isEqualTo(defs);

    // a service mixing it with an ordinary view: the plan reads that view's feature and the request
    DerivedPlan plan = DerivedFeatures.of(defs).plan(FeatureResolver.resolve(defs, FeatureResolver.service(defs, "pricing", 0)));
    assertThat(plan.baseFeatures()).containsExactly(FeatureRef.of("user_txn@v1:last_amount"));
    assertThat(plan.requestFields()).as("one request value per name, whichever views read it")
        .extracting(r -> r.view() + "." + r.field().name()).containsExactly("fee@v1.amount");
    Object[] row = plan.newRow();
    row[0] = 7.0;
    row[plan.requestOffset()] = 100.0;
    plan.evaluate(row);
    assertThat(values(plan, row)).containsExactly(3.2, 200.0, 7.0);
  }

  @Test
  void aTransformReturningTheWrongClassFailsClearly() {
    Definitions defs = load(dir, DEFS.replace("TestTransforms$WeightedSum", "TestTransforms$WrongClass")
        .replace("args: [request.amount, \"coalesce(user_txn.amount_x2, 0)\"]", "args: []"));
    DerivedPlan plan = DerivedFeatures.of(defs).plan(FeatureResolver.resolve(defs, List.of(FeatureRef.of("txn_risk:score"))));
    assertThatThrownBy(() -> plan.evaluate(plan.newRow())).isInstanceOf(QuiverException.class)
        .hasMessageContaining("returned a java.lang.String, but the feature is int64");
  }

  @Test
  void compileAllFindsWhatOnlyARequestWouldOtherwiseFind() {
    Definitions valid = load(dir, DEFS);
    assertThat(DerivedFeatures.of(valid).compileAll()).isNotNull();
    // a registry version written without validation: decodes and loads, but 'last_amount + last_country' cannot compile
    var views = valid.views().stream().map(v -> v.withFeatures(v.features().stream()
        .map(f -> f.name().equals("amount_x2")
            ? (dev.quiver.core.model.Feature) new dev.quiver.core.model.DerivedFeature("amount_x2", "last_amount + last_country",
                dev.quiver.core.model.ScalarType.FLOAT64, "")
            : f).toList())).toList();
    Definitions broken = new Definitions(valid.project(), valid.entities(), valid.sources(), views, valid.onDemandViews(), valid.services());
    DerivedFeatures loaded = DerivedFeatures.of(broken);
    assertThatThrownBy(loaded::compileAll).isInstanceOf(QuiverException.class)
        .hasMessageStartingWith("derived feature user_txn@v1:amount_x2 does not compile: '+' needs numbers, but 'last_country' is string");
  }

  @Test
  void transformProblemsAreReportedAtTheirLine() {
    assertProblem(DEFS.replace("TestTransforms$WeightedSum", "TestTransforms$Nope"), 22, "is not on the classpath");
    assertProblem(DEFS.replace("TestTransforms$WeightedSum", "TestTransforms$NotATransform"), 22, "does not implement dev.quiver.core.spi.Transform");
    assertProblem(DEFS.replace("TestTransforms$WeightedSum", "TestTransforms$NeedsArgument"), 22, "needs a public constructor without arguments");
    assertProblem(DEFS.replace("args: [request.amount, \"coalesce(user_txn.amount_x2, 0)\"]", "args: [request.amount, user_txn.last_country]"),
        22, "does not take these arguments: it takes two numbers");
    assertProblem(DEFS.replace("args: [request.amount, \"coalesce(user_txn.amount_x2, 0)\"]", "args: [request.amout]"),
        22, "unknown reference 'request.amout'");
    assertProblem(DEFS.replace("{name: amount_x2, expr: \"last_amount * 2\"}", "{name: amount_x2, args: [last_amount]}"),
        13, "'args' are the arguments of a custom transform");
  }

  private void assertProblem(String yaml, int line, String fragment) {
    assertThatThrownBy(() -> load(dir, yaml)).isInstanceOfSatisfying(DefinitionException.class, e -> {
      Problem p = e.problems().getFirst();
      assertThat(p.origin().file()).as(e.getMessage()).isEqualTo("features/defs.yaml");
      assertThat(p.origin().line()).as(e.getMessage()).isEqualTo(line);
      assertThat(p.message()).as(e.getMessage()).contains(fragment);
    });
  }

  static List<Object> values(DerivedPlan plan, Object[] row) {
    return plan.outputs().stream().map(o -> row[o.slot()]).toList();
  }
}
