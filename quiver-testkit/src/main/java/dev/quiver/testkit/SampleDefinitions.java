package dev.quiver.testkit;

import dev.quiver.core.model.AggregateFeature;
import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.DerivedFeature;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureService;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.OnDemandView;
import dev.quiver.core.model.RequestField;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.model.Window;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A realistic card-payments project for tests: entities {@code user} and {@code merchant}, a {@code
 * transactions} Parquet source, a {@code user_txn} view with column, aggregate and derived features,
 * a {@code merchant_txn} view, an on-demand view {@code txn_risk} with request fields, and a {@code
 * fraud_model} feature service.
 *
 * <p>{@link #sample(int)} gives variants: different seeds give different (unequal, differently
 * hashed) definitions of the same shape, and the same seed always gives equal ones. {@link
 * #asWritten(int)} gives them as the YAML loader produces them before validation, with every
 * inferred type left null. Nothing here is validated by the validator; the definitions are built to
 * be valid.
 */
public final class SampleDefinitions {

  /** The project every sample belongs to. */
  public static final String PROJECT = "payments";

  private SampleDefinitions() {}

  /** The base sample, equal to {@code sample(0)}. */
  public static Definitions sample() {
    return sample(0);
  }

  /**
   * A variant of the sample, with every type set as validation would set it. The seed changes the
   * {@code user_txn} TTL and tags, and odd seeds add a feature, so distinct seeds never give equal
   * definitions.
   */
  public static Definitions sample(int seed) {
    return build(seed, true);
  }

  /**
   * The same variant as {@link #sample(int)}, as written: the types a validator would infer (of
   * column, aggregate and derived features) are null.
   */
  public static Definitions asWritten(int seed) {
    return build(seed, false);
  }

  private static Definitions build(int seed, boolean typed) {
    Entity user =
        new Entity(
            "user",
            List.of(new JoinKey("user_id", ScalarType.INT64)),
            new Metadata("A card holder", "risk-team", Map.of()));
    Entity merchant =
        new Entity(
            "merchant",
            List.of(new JoinKey("merchant_id", ScalarType.STRING)),
            new Metadata("Where a card is used", "payments-team", Map.of()));
    FileSource transactions =
        new FileSource(
            "transactions",
            "data/transactions.parquet",
            FileFormat.PARQUET,
            "event_ts",
            "created_ts",
            Map.of("amt", "amount"),
            new Metadata("One row per card transaction", "payments-team", Map.of("pii", "false")));

    List<Feature> userFeatures = new ArrayList<>();
    userFeatures.add(new ColumnFeature("last_country", "country", type(typed, ScalarType.STRING), ""));
    userFeatures.add(
        new AggregateFeature(
            "amount_avg_30d",
            Aggregation.of(AggregateFunction.AVG, "amount", Window.of(Duration.ofDays(30))),
            type(typed, ScalarType.FLOAT64),
            "Average amount over 30 days"));
    userFeatures.add(
        new AggregateFeature(
            "txn_count_7d",
            Aggregation.of(AggregateFunction.COUNT, null, Window.of(Duration.ofDays(7))),
            type(typed, ScalarType.INT64),
            ""));
    userFeatures.add(
        new AggregateFeature(
            "last_merchants",
            new Aggregation(
                AggregateFunction.LAST_K, "merchant_id", Window.lifetime(), null, null, 5, 0),
            type(typed, new ListType(ScalarType.STRING)),
            "The five most recent merchants"));
    userFeatures.add(
        new DerivedFeature(
            "is_busy", "txn_count_7d > 20", type(typed, ScalarType.BOOL), "More than 20 a week"));
    if (seed % 2 != 0) {
      userFeatures.add(
          new AggregateFeature(
              "amount_max_1d",
              new Aggregation(
                  AggregateFunction.MAX,
                  "amount",
                  Window.of(Duration.ofDays(1)),
                  Duration.ofMinutes(5),
                  "country <> 'US'",
                  0,
                  0),
              type(typed, ScalarType.FLOAT64),
              ""));
    }
    FeatureView userTxn =
        new FeatureView(
            "user_txn",
            1,
            List.of("user"),
            "transactions",
            Duration.ofDays(90 + Math.floorMod(seed, 1000)),
            true,
            userFeatures,
            new Metadata(
                "Per-user card activity",
                "risk-team",
                Map.of("domain", "fraud", "variant", Integer.toString(seed))));
    FeatureView merchantTxn =
        new FeatureView(
            "merchant_txn",
            1,
            List.of("merchant"),
            "transactions",
            null,
            true,
            List.of(
                new AggregateFeature(
                    "amount_sum_1h",
                    Aggregation.of(AggregateFunction.SUM, "amount", Window.of(Duration.ofHours(1))),
                    type(typed, ScalarType.FLOAT64),
                    "")),
            new Metadata("Per-merchant volume", "payments-team", Map.of()));

    OnDemandView txnRisk =
        new OnDemandView(
            "txn_risk",
            1,
            List.of("user_txn", "merchant_txn"),
            List.of(
                new RequestField("amount", ScalarType.FLOAT64),
                new RequestField("basket", new ListType(ScalarType.STRING))),
            List.of(
                new DerivedFeature(
                    "amount_ratio",
                    "request.amount / nullif(user_txn.amount_avg_30d, 0)",
                    type(typed, ScalarType.FLOAT64),
                    "This amount against the 30-day average"),
                new DerivedFeature(
                    "merchant_share",
                    "request.amount / nullif(merchant_txn.amount_sum_1h, 0)",
                    type(typed, ScalarType.FLOAT64),
                    "")),
            new Metadata("", "risk-team", Map.of()));

    FeatureService fraudModel =
        new FeatureService(
            "fraud_model",
            1,
            List.of(
                FeatureRef.of("user_txn@v1:amount_avg_30d"),
                FeatureRef.of("user_txn@v1:txn_count_7d"),
                FeatureRef.of("txn_risk@v1:amount_ratio")),
            new Metadata("The card fraud model", "ml-platform", Map.of()));

    return new Definitions(
        PROJECT,
        List.of(user, merchant),
        List.of(transactions),
        List.of(userTxn, merchantTxn),
        List.of(txnRisk),
        List.of(fraudModel));
  }

  private static ValueType type(boolean typed, ValueType type) {
    return typed ? type : null;
  }
}
