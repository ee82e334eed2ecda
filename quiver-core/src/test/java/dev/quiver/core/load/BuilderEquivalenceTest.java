package dev.quiver.core.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.TestRepos;
import dev.quiver.core.model.AggregateFeature;
import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.DerivedFeature;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureService;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.OnDemandView;
import dev.quiver.core.model.OnDemandViewBuilder;
import dev.quiver.core.model.RequestField;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ViewBuilder;
import dev.quiver.core.model.Window;
import dev.quiver.core.validate.DefinitionValidator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java builder API and the YAML loader produce the same definitions, before and after validation. */
class BuilderEquivalenceTest {
  @TempDir Path dir;

  private static final String YAML = """
      entities:
        - name: user
          join_keys: [user_id]
          type: int64
          owner: risk-team
          description: A card holder.
        - name: user_merchant
          join_keys: [{name: user_id, type: int64}, {name: merchant_id, type: int64}]
      sources:
        - name: transactions
          path: data/transactions.parquet
          timestamp: event_ts
          created: created_ts
          field_mapping: {channel: sales_channel}
          tags: {tier: gold}
      feature_views:
        - name: user_txn
          version: 2
          entities: [user]
          source: transactions
          ttl: 90d
          owner: risk-team
          description: Spending history.
          tags: {domain: payments}
          features:
            - {name: last_country, column: country, description: Latest country.}
            - {name: amount}
            - name: amount_avg_30d
              aggregate: {fn: avg, column: amount, window: 30d}
            - name: online_count_7d
              aggregate: {fn: count, window: 7d, hop: 1d, where: "sales_channel = 'online'"}
            - name: last_3
              aggregate: {fn: last_k, column: amount, window: lifetime, k: 3}
            - {name: online_share, expr: "online_count_7d / nullif(amount_avg_30d, 0)"}
        - name: pair_txn
          entities: [user_merchant]
          source: transactions
          online: false
          features:
            - name: pair_count_1d
              aggregate: {fn: count, window: 1d}
      on_demand_views:
        - name: txn_risk
          inputs: [user_txn, request: {amount: float64}]
          features:
            - {name: ratio, expr: "request.amount / nullif(user_txn.amount_avg_30d, 0)"}
        - name: fee
          owner: billing
          inputs: [request: {amount: float64, card_country: string}]
          features:
            - {name: fee, expr: "round(request.amount * 0.029 + 0.3, 2)"}
            - {name: foreign, expr: "request.card_country != 'DE'"}
      feature_services:
        - name: fraud_model
          version: 3
          owner: risk-team
          features: [user_txn@v2:amount_avg_30d, txn_risk:ratio, pair_txn:pair_count_1d]
      """;

  static Definitions built() {
    return Definitions.builder("payments")
        .entity(new Entity("user", List.of(new JoinKey("user_id", ScalarType.INT64)),
            new Metadata("A card holder.", "risk-team", Map.of())))
        .entity(new Entity("user_merchant", List.of(new JoinKey("user_id", ScalarType.INT64),
            new JoinKey("merchant_id", ScalarType.INT64)), Metadata.EMPTY))
        .source(new FileSource("transactions", "data/transactions.parquet", FileFormat.PARQUET,
            "event_ts", "created_ts", Map.of("channel", "sales_channel"), new Metadata("", "", Map.of("tier", "gold"))))
        .view(ViewBuilder.named("user_txn").version(2).entities("user").source("transactions")
            .ttl("90d").owner("risk-team").description("Spending history.").tag("domain", "payments")
            .feature(new ColumnFeature("last_country", "country", null, "Latest country."))
            .column("amount")
            .aggregate("amount_avg_30d", AggregateFunction.AVG, "amount", "30d")
            .aggregate("online_count_7d", Aggregation.of(AggregateFunction.COUNT, null, Window.of(Duration.ofDays(7)))
                .withHop(Duration.ofDays(1)).where("sales_channel = 'online'"))
            .aggregate("last_3", Aggregation.of(AggregateFunction.LAST_K, "amount", Window.lifetime()).withK(3))
            .derived("online_share", "online_count_7d / nullif(amount_avg_30d, 0)"))
        .view(ViewBuilder.named("pair_txn").entities("user_merchant").source("transactions").online(false)
            .aggregate("pair_count_1d", AggregateFunction.COUNT, null, "1d"))
        .onDemandView(new OnDemandView("txn_risk", 1, List.of("user_txn"),
            List.of(new RequestField("amount", ScalarType.FLOAT64)),
            List.of(new DerivedFeature("ratio", "request.amount / nullif(user_txn.amount_avg_30d, 0)", null, "")),
            Metadata.EMPTY))
        .onDemandView(OnDemandViewBuilder.named("fee").owner("billing")
            .request("amount", ScalarType.FLOAT64).request("card_country", ScalarType.STRING)
            .derived("fee", "round(request.amount * 0.029 + 0.3, 2)")
            .derived("foreign", "request.card_country != 'DE'"))
        .service(new FeatureService("fraud_model", 3, List.of(FeatureRef.of("user_txn@v2:amount_avg_30d"),
            FeatureRef.of("txn_risk:ratio"), FeatureRef.of("pair_txn:pair_count_1d")),
            new Metadata("", "risk-team", Map.of())))
        .build();
  }

  @Test
  void builderEqualsYamlAsWritten() {
    TestRepos.write(dir, Map.of("features/payments.yaml", YAML));
    assertThat(new DefinitionLoader().load(dir).definitions()).isEqualTo(built());
  }

  @Test
  void builderEqualsYamlAfterValidation() {
    TestRepos.write(dir, Map.of("features/payments.yaml", YAML));
    var schemas = TestRepos.schemas(Map.of("data/transactions.parquet", Map.of(
        "user_id", ScalarType.INT64, "merchant_id", ScalarType.INT64, "amount", ScalarType.FLOAT64,
        "country", ScalarType.STRING, "channel", ScalarType.STRING,
        "event_ts", ScalarType.TIMESTAMP, "created_ts", ScalarType.TIMESTAMP)));
    LoadedRepo loaded = new DefinitionLoader().load(dir);
    Definitions fromYaml = new DefinitionValidator(schemas, dir).validate(loaded.definitions(), loaded.origins(), Set.of());
    Definitions fromJava = new DefinitionValidator(schemas, dir).validate(built(), Origins.none(), Set.of());
    assertThat(fromYaml).isEqualTo(fromJava);

    var view = fromYaml.view("user_txn", 2).orElseThrow();
    assertThat(view.feature("amount_avg_30d").orElseThrow().type()).isEqualTo(ScalarType.FLOAT64);
    assertThat(view.feature("online_count_7d").orElseThrow().type()).isEqualTo(ScalarType.INT64);
    assertThat(view.feature("last_3").orElseThrow().type()).isEqualTo(new ListType(ScalarType.FLOAT64));
    assertThat(view.feature("online_share").orElseThrow().type()).isEqualTo(ScalarType.FLOAT64);
    assertThat(((AggregateFeature) view.feature("online_count_7d").orElseThrow()).aggregation().effectiveHop())
        .isEqualTo(Duration.ofDays(1));
    assertThat(fromYaml.onDemandView("txn_risk", 0).orElseThrow().features().getFirst().type()).isEqualTo(ScalarType.FLOAT64);
    assertThat(fromYaml.service("fraud_model", 3).orElseThrow().features())
        .extracting(FeatureRef::toString)
        .as("as written: unpinned refs follow the newest version")
        .containsExactly("user_txn@v2:amount_avg_30d", "txn_risk:ratio", "pair_txn:pair_count_1d");
    assertThat(fromYaml.onDemandView("txn_risk", 1).orElseThrow().inputs()).containsExactly("user_txn");
    var fee = fromYaml.onDemandView("fee", 1).orElseThrow();
    assertThat(fee.inputs()).as("request data alone").isEmpty();
    assertThat(fee.features()).extracting(f -> f.name() + ":" + f.type().spelling()).containsExactly("fee:float64", "foreign:bool");
  }
}
