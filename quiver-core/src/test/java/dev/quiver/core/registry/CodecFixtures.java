package dev.quiver.core.registry;

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
import dev.quiver.core.model.Source;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.model.Window;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Snapshots for the codec tests: one fixed snapshot with every kind, and seeded random ones. */
final class CodecFixtures {
  private CodecFixtures() {}

  /**
   * A fixed snapshot exercising every kind and every optional field both set and absent. It is the
   * content of {@code registry/golden-v1.json}: changing it means regenerating the golden file.
   */
  static RegistrySnapshot everyKind() {
    Entity user =
        new Entity(
            "user",
            List.of(new JoinKey("user_id", ScalarType.INT64)),
            new Metadata("A card holder", "risk-team", Map.of("pii", "true")));
    Entity device =
        new Entity(
            "user_device",
            List.of(new JoinKey("user_id", ScalarType.INT64), new JoinKey("device_id", ScalarType.STRING)),
            Metadata.EMPTY);
    FileSource transactions =
        new FileSource(
            "transactions",
            "data/transactions/*.parquet",
            FileFormat.PARQUET,
            "event_ts",
            "created_ts",
            Map.of("amt", "amount", "cntry", "country"),
            new Metadata("Card transactions, one row each", "payments", Map.of("tier", "gold")));
    FileSource logins =
        new FileSource("logins", "data/logins.csv", FileFormat.CSV, "ts", null, null, null);

    FeatureView userTxnV1 =
        new FeatureView(
            "user_txn",
            1,
            List.of("user"),
            "transactions",
            Duration.ofDays(90),
            true,
            List.of(
                new ColumnFeature("last_country", "country", ScalarType.STRING, "Where the last card use was"),
                new AggregateFeature(
                    "amount_avg_30d",
                    Aggregation.of(AggregateFunction.AVG, "amount", Window.of(Duration.ofDays(30))),
                    ScalarType.FLOAT64,
                    "")),
            new Metadata("Per-user transaction features", "risk-team", Map.of("domain", "fraud", "slo", "p99<5ms")));
    FeatureView userTxnV2 =
        new FeatureView(
            "user_txn",
            2,
            List.of("user"),
            "transactions",
            Duration.ofHours(36),
            true,
            List.of(
                new ColumnFeature("last_country", "country", null, ""),
                new AggregateFeature(
                    "txn_count_7d",
                    Aggregation.of(AggregateFunction.COUNT, null, Window.of(Duration.ofDays(7))),
                    ScalarType.INT64,
                    ""),
                new AggregateFeature(
                    "amount_p95_1h",
                    new Aggregation(
                        AggregateFunction.APPROX_PERCENTILE,
                        "amount",
                        Window.of(Duration.ofMinutes(90)),
                        Duration.ofMinutes(5),
                        "country = 'FR' and amount > 0",
                        0,
                        0.95),
                    null,
                    "95th percentile, French cards"),
                new AggregateFeature(
                    "last_5_merchants",
                    new Aggregation(
                        AggregateFunction.LAST_K, "merchant_id", Window.lifetime(), null, null, 5, 0),
                    new ListType(ScalarType.INT64),
                    ""),
                new AggregateFeature(
                    "amount_max_1500ms",
                    Aggregation.of(AggregateFunction.MAX, "amount", Window.of(Duration.ofMillis(1500))),
                    ScalarType.FLOAT64,
                    ""),
                new DerivedFeature(
                    "is_abroad",
                    "coalesce(last_country, \"unknown\") <> 'FR'\n  and txn_count_7d > 3",
                    ScalarType.BOOL,
                    "Déjà vu: non-ASCII text survives")),
            Metadata.EMPTY);
    FeatureView devices =
        new FeatureView(
            "device_logins",
            1,
            List.of("user", "user_device"),
            "logins",
            null,
            false,
            List.of(new ColumnFeature("embedding", "embedding", new ListType(ScalarType.FLOAT32), "")),
            null);

    OnDemandView risk =
        new OnDemandView(
            "txn_risk",
            1,
            List.of("user_txn@v2", "device_logins"),
            List.of(
                new RequestField("amount", ScalarType.FLOAT64),
                new RequestField("seen_at", ScalarType.TIMESTAMP),
                new RequestField("basket", new ListType(ScalarType.STRING))),
            List.of(
                new DerivedFeature(
                    "amount_ratio",
                    "request.amount / nullif(user_txn.amount_p95_1h, 0)",
                    ScalarType.FLOAT64,
                    ""),
                new DerivedFeature("hour", "hour(request.seen_at)", null, "")),
            new Metadata("", "risk-team", Map.of()));

    FeatureService fraud =
        new FeatureService(
            "fraud_model",
            1,
            List.of(
                FeatureRef.of("user_txn@v2:txn_count_7d"),
                FeatureRef.of("txn_risk@v1:amount_ratio"),
                FeatureRef.of("device_logins:*")),
            new Metadata("The card fraud model", "ml-platform", Map.of("model", "gbm-17")));
    FeatureService fraudV2 =
        new FeatureService("fraud_model", 2, List.of(FeatureRef.of("user_txn:last_country")), null);

    Definitions definitions =
        new Definitions(
            "payments",
            List.of(user, device),
            List.of(transactions, logins),
            List.of(userTxnV2, devices, userTxnV1),
            List.of(risk),
            List.of(fraudV2, fraud));
    VersionInfo info =
        new VersionInfo(
            3,
            2,
            "ana@example.com",
            Instant.parse("2024-05-01T12:34:56.123456789Z"),
            "Add txn_risk; pin \"fraud_model\" to user_txn@v2",
            RegistryCodec.contentHash(definitions));
    return new RegistrySnapshot(info, definitions);
  }

  /**
   * A random snapshot: random names, optional fields present or null, odd durations (sub-millisecond,
   * negative) and odd numbers (NaN, -0.0) included, so the round trip is tested beyond the spellings
   * definition files use.
   */
  static RegistrySnapshot random(long seed) {
    Random r = new Random(seed);
    List<Entity> entities = new ArrayList<>();
    for (int i = 0, n = r.nextInt(3); i < n; i++) {
      List<JoinKey> keys = new ArrayList<>();
      for (int k = 0, nk = 1 + r.nextInt(2); k < nk; k++) {
        keys.add(new JoinKey(name(r, "key"), scalar(r)));
      }
      entities.add(new Entity(name(r, "entity") + i, keys, metadata(r)));
    }
    List<Source> sources = new ArrayList<>();
    for (int i = 0, n = r.nextInt(3); i < n; i++) {
      Map<String, String> mapping = new LinkedHashMap<>();
      for (int k = 0, nk = r.nextInt(3); k < nk; k++) {
        mapping.put(name(r, "raw"), name(r, "col"));
      }
      sources.add(
          new FileSource(
              name(r, "source") + i,
              name(r, "path") + (r.nextBoolean() ? ".parquet" : ".csv"),
              r.nextBoolean() ? FileFormat.PARQUET : FileFormat.CSV,
              name(r, "ts"),
              r.nextBoolean() ? null : name(r, "created"),
              r.nextBoolean() ? null : mapping,
              r.nextBoolean() ? null : metadata(r),
              tableSettings(r)));
    }
    List<FeatureView> views = new ArrayList<>();
    for (int i = 0, n = r.nextInt(4); i < n; i++) {
      List<Feature> features = new ArrayList<>();
      for (int k = 0, nk = r.nextInt(5); k < nk; k++) {
        ValueType type = r.nextBoolean() ? null : type(r);
        String featureName = name(r, "f") + k;
        features.add(
            switch (r.nextInt(3)) {
              case 0 -> new ColumnFeature(featureName, r.nextBoolean() ? null : name(r, "col"), type, text(r));
              case 1 -> new AggregateFeature(featureName, aggregation(r), type, text(r));
              default -> new DerivedFeature(featureName, text(r) + " + 1", type, text(r));
            });
      }
      views.add(
          new FeatureView(
              name(r, "view"),
              1 + r.nextInt(3),
              List.of(name(r, "entity")),
              name(r, "source"),
              r.nextBoolean() ? null : duration(r),
              r.nextBoolean(),
              features,
              metadata(r)));
    }
    List<OnDemandView> onDemand = new ArrayList<>();
    for (int i = 0, n = r.nextInt(2); i < n; i++) {
      onDemand.add(
          new OnDemandView(
              name(r, "odv"),
              1 + r.nextInt(3),
              List.of(name(r, "view"), name(r, "view") + "@v2"),
              List.of(new RequestField(name(r, "req"), type(r))),
              List.of(new DerivedFeature(name(r, "d"), "request.x * 2", r.nextBoolean() ? null : type(r), "")),
              metadata(r)));
    }
    List<FeatureService> services = new ArrayList<>();
    for (int i = 0, n = r.nextInt(3); i < n; i++) {
      services.add(
          new FeatureService(
              name(r, "svc"),
              1 + r.nextInt(3),
              List.of(
                  new FeatureRef(name(r, "view"), r.nextInt(3), r.nextBoolean() ? "*" : name(r, "f")),
                  // Only constructible by hand: names a ref spelling cannot carry.
                  new FeatureRef("odd-view name", r.nextInt(2), "feature:" + r.nextInt(9))),
              metadata(r)));
    }
    Definitions d = new Definitions(name(r, "project"), entities, sources, views, onDemand, services);
    VersionInfo info =
        new VersionInfo(
            1 + r.nextInt(1000),
            r.nextInt(1000),
            text(r),
            Instant.ofEpochSecond(r.nextInt(2_000_000_000), r.nextInt(1_000_000_000)),
            r.nextBoolean() ? null : text(r),
            RegistryCodec.contentHash(d));
    return new RegistrySnapshot(info, d);
  }

  /** Settings beyond a file glob: the default half the time, else any mix of them. */
  private static dev.quiver.core.model.TableSettings tableSettings(Random r) {
    if (r.nextBoolean()) {
      return r.nextBoolean() ? null : dev.quiver.core.model.TableSettings.DEFAULT;
    }
    Map<String, ScalarType> types = new LinkedHashMap<>();
    for (int i = 0, n = r.nextInt(3); i < n; i++) {
      types.put(name(r, "part") + i, scalar(r));
    }
    Map<String, ValueType> schema = new LinkedHashMap<>();
    for (int i = 0, n = r.nextInt(4); i < n; i++) {
      schema.put(name(r, "col") + i, type(r));
    }
    String[] formats = {"timestamp", "epoch_seconds", "epoch_millis", "epoch_micros", "yyyy-MM-dd HH:mm:ss",
        "yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx", "yyyyMMdd"};
    var partitioning = dev.quiver.core.model.Partitioning.values()[r.nextInt(3)];
    var iceberg = r.nextBoolean() ? null
        : new dev.quiver.core.model.IcebergTable("db." + name(r, "t"), r.nextBoolean() ? Map.of()
            : Map.of("type", "rest", "uri", "http://catalog:8181", "token", "${CATALOG_TOKEN}"));
    return new dev.quiver.core.model.TableSettings(partitioning, types,
        dev.quiver.core.model.TimestampFormat.parse(formats[r.nextInt(formats.length)]), schema, iceberg);
  }

  private static Aggregation aggregation(Random r) {
    AggregateFunction fn = AggregateFunction.values()[r.nextInt(AggregateFunction.values().length)];
    return new Aggregation(
        fn,
        fn == AggregateFunction.COUNT && r.nextBoolean() ? null : name(r, "col"),
        r.nextInt(4) == 0 ? Window.lifetime() : Window.of(duration(r)),
        r.nextBoolean() ? null : duration(r),
        r.nextBoolean() ? null : text(r),
        r.nextInt(10),
        switch (r.nextInt(5)) {
          case 0 -> 0.0;
          case 1 -> Double.NaN;
          case 2 -> -0.0;
          default -> r.nextDouble();
        });
  }

  private static Duration duration(Random r) {
    return switch (r.nextInt(6)) {
      case 0 -> Duration.ofDays(1 + r.nextInt(400));
      case 1 -> Duration.ofMinutes(1 + r.nextInt(10_000));
      case 2 -> Duration.ofMillis(r.nextInt(100_000));
      case 3 -> Duration.ofNanos(1 + r.nextInt(1_000_000)); // finer than a millisecond
      case 4 -> Duration.ofSeconds(-1 - r.nextInt(100)); // negative: never valid, still recorded
      default -> Duration.ofSeconds(r.nextInt(100_000), r.nextInt(1000) * 1_000_000L);
    };
  }

  private static Metadata metadata(Random r) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (int i = 0, n = r.nextInt(3); i < n; i++) {
      tags.put(name(r, "tag"), text(r));
    }
    return new Metadata(text(r), r.nextBoolean() ? "" : name(r, "team"), tags);
  }

  private static ScalarType scalar(Random r) {
    return ScalarType.values()[r.nextInt(ScalarType.values().length)];
  }

  private static ValueType type(Random r) {
    return r.nextBoolean() ? scalar(r) : new ListType(scalar(r));
  }

  private static String name(Random r, String prefix) {
    return prefix + "_" + r.nextInt(50);
  }

  private static final String[] TEXTS = {
    "", "plain", "quotes \" and \\ backslash", "line\nbreak\ttab", "ünïcödé ✓ 🏹", "\u0000control\u001f"
  };

  private static String text(Random r) {
    return TEXTS[r.nextInt(TEXTS.length)];
  }
}
