package dev.quiver.testkit;

import static dev.quiver.testkit.RandomTrainingData.FEATURE_COLUMNS;
import static dev.quiver.testkit.RandomTrainingData.featureView;
import static dev.quiver.testkit.RandomTrainingData.sourceColumns;
import static dev.quiver.testkit.TrainingSetRows.at;
import static dev.quiver.testkit.TrainingSetRows.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.model.DerivedFeature;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.OnDemandView;
import dev.quiver.core.model.OnDemandViewBuilder;
import dev.quiver.core.model.RequestField;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ViewBuilder;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.testkit.RandomTrainingData.Gen;
import dev.quiver.testkit.RandomTrainingData.KeySpec;
import dev.quiver.testkit.TrainingSetFixture.Result;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Derived features and on-demand views in training sets: derived features of two views (one
 * reading another), an on-demand view over both with request data from the query rows, requested
 * with or without their inputs in random order (seeded, compared with {@link NaivePointInTime},
 * which computes them with the same evaluator from its own join: what this proves is everything
 * around it, hidden inputs, request columns, output order, nulls from misses); inputs read without
 * being returned; an on-demand view over request data alone, which needs no join; and requests
 * whose query rows lack a request field or carry it with another type, refused with a message
 * saying what to fix.
 *
 * <p>An implementation provides nothing beyond {@link OfflineEngineContract}'s engine and Parquet
 * writer.
 */
public interface DerivedFeatureContract extends OfflineContractPart {
  /**
   * Derived features of two views (one reading another derived feature) and an on-demand view over
   * both with request data from the query rows: requested with or without their inputs, in random
   * order. The reference computes them with the same evaluator from its own join; what this proves
   * is everything around it (hidden inputs, request columns, output order, nulls from misses).
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.quiver.testkit.OfflineContractPart#seeds")
  default void randomDerivedAndOnDemandFeatures(long seed) {
    Gen g = new Gen(seed);
    KeySpec user = new KeySpec("user_id", ScalarType.INT64, g.chance(0.5) ? ScalarType.INT32 : ScalarType.INT64, 5);
    KeySpec merchant = new KeySpec("merchant_id", ScalarType.STRING, ScalarType.STRING, 4);
    TrainingSetFixture f = fixture("derived and on-demand features", seed);
    f.defs.entity("user", "user_id", ScalarType.INT64).entity("merchant", "merchant_id", ScalarType.STRING);
    f.defs.view(featureView("user_txn", "txns", g.chance(0.5) ? g.ttl() : null, FEATURE_COLUMNS, "ut_", "user")
        .derived("ut_score", "ut_f_float64 * 2 + coalesce(ut_f_int32, 0)")
        .derived("ut_label", "case when ut_f_bool then upper(ut_f_string) else concat(ut_f_string, '!') end")
        .derived("ut_hour", "hour(ut_f_ts)")
        .derived("ut_per_unit", "ut_score / nullif(ut_f_int64, 0)"));
    f.defs.view(featureView("merchant_txn", "txns", g.chance(0.5) ? g.ttl() : null, FEATURE_COLUMNS, "mt_", "merchant")
        .derived("mt_name_length", "length(mt_f_string)"));
    f.defs.onDemandView(new OnDemandView("risk", 1, List.of("user_txn", "merchant_txn"),
        List.of(new RequestField("label", ScalarType.FLOAT64), new RequestField("note", ScalarType.STRING)),
        List.of(new DerivedFeature("label_ratio", "request.label / nullif(user_txn.ut_f_float64, 0)", null, ""),
            new DerivedFeature("note_or_name", "coalesce(request.note, merchant_txn.mt_f_string, 'none')", null, ""),
            new DerivedFeature("combined", "user_txn.ut_score + coalesce(merchant_txn.mt_f_int64, 0)", null, ""),
            new DerivedFeature("flagged", "label_ratio > 1 or contains(note_or_name, '1')", null, "")),
        Metadata.EMPTY));
    List<Column> txnColumns = sourceColumns(List.of(user, merchant), true, FEATURE_COLUMNS);
    List<Object[]> txns = g.sourceRows(txnColumns, List.of(user, merchant), true, 150, false);
    // one file, or rows spread over files whose names sort unlike their numbers: exact ties across
    // files go by file order for first, last and last_k (DESIGN §3, "Ties")
    int fileCount = g.between(1, 3);
    Map<String, List<Object[]>> files = new LinkedHashMap<>();
    for (int i = 0; i < fileCount; i++) {
      files.put(fileCount == 1 ? "" : "part-" + (9 + i) + ".parquet", new ArrayList<>());
    }
    List<String> names = new ArrayList<>(files.keySet());
    for (Object[] row : txns) {
      files.get(g.pick(names)).add(row);
    }
    f.parquetFiles("txns", fileCount == 1 ? "data/txns.parquet" : "data/txns/*.parquet", txnColumns, files, "event_ts",
        "created_ts", Map.of());
    f.query(g.queryColumns(List.of(user, merchant), null), g.queryRows(List.of(user, merchant), txns, txnColumns, null, 100, false));
    List<String> refs = new ArrayList<>(List.of("risk:flagged"));
    for (String candidate : List.of("risk:label_ratio", "risk:note_or_name", "risk:combined", "user_txn:ut_score",
        "user_txn:ut_label", "user_txn:ut_hour", "user_txn:ut_per_unit", "user_txn:ut_f_float64",
        "merchant_txn:mt_name_length", "merchant_txn:mt_f_string", "merchant_txn:mt_f_times")) {
      if (g.chance(0.5)) {
        refs.add(candidate);
      }
    }
    Collections.shuffle(refs, new java.util.Random(seed));
    Result r = f.run(g.chance(0.5), null, refs.toArray(String[]::new));
    assertThat(r.plan().derivation()).isNotNull();
  }

  @Test
  default void derivedFeaturesReadTheirInputsWithoutReturningThem() {
    TrainingSetFixture f = fixture("derived feature over an unrequested column", 0);
    f.defs.entity("user", "user_id", ScalarType.INT64)
        .view(ViewBuilder.named("user_txn").entities("user").source("txns")
            .column("amount").derived("amount_x2", "amount * 2").derived("big", "amount_x2 > 15"));
    f.defs.onDemandView(new OnDemandView("ratio", 1, List.of("user_txn"), List.of(new RequestField("paid", ScalarType.FLOAT64)),
        List.of(new DerivedFeature("paid_share", "request.paid / user_txn.amount", null, "")), Metadata.EMPTY));
    List<Column> txns = List.of(new Column("user_id", ScalarType.INT64), new Column("ts", ScalarType.TIMESTAMP),
        new Column("amount", ScalarType.FLOAT64));
    f.parquetFiles("txns", "data/txns.parquet", txns, Map.of("", rows(
        new Object[] {1L, at(0), 10.0}, new Object[] {2L, at(100), 5.0})), "ts", null, Map.of());
    f.query(List.of(new Column("user_id", ScalarType.INT64), new Column("event_timestamp", ScalarType.TIMESTAMP),
            new Column("paid", ScalarType.FLOAT64)),
        rows(new Object[] {1L, at(50), 4.0}, new Object[] {2L, at(50), 1.0}, new Object[] {2L, at(150), null}));
    Result r = f.run("user_txn:big", "ratio:paid_share", "user_txn:amount_x2");
    assertThat(r.plan().columns().stream().map(Column::name))
        .containsExactly("user_id", "event_timestamp", "paid", "big", "paid_share", "amount_x2");
    assertThat(r.column("big")).containsExactly(true, null, false);
    assertThat(r.column("paid_share")).containsExactly(0.4, null, null);
    assertThat(r.column("amount_x2")).containsExactly(20.0, null, 10.0);
  }

  /**
   * An on-demand view that reads request data alone: requested by itself, the plan joins no view and
   * the engine computes it from the query rows; beside a view's feature, that view's join runs as
   * usual.
   */
  @Test
  default void requestOnlyOnDemandFeaturesNeedNoJoin() {
    TrainingSetFixture f = fixture("on-demand view over request data alone", 0);
    f.defs.entity("user", "user_id", ScalarType.INT64)
        .view(ViewBuilder.named("user_txn").entities("user").source("txns").column("amount"));
    f.defs.onDemandView(OnDemandViewBuilder.named("fee").request("paid", ScalarType.FLOAT64).request("country", ScalarType.STRING)
        .derived("fee", "round(request.paid * 0.029 + 0.3, 2)").derived("foreign", "request.country != 'DE'"));
    List<Column> txns = List.of(new Column("user_id", ScalarType.INT64), new Column("ts", ScalarType.TIMESTAMP),
        new Column("amount", ScalarType.FLOAT64));
    f.parquetFiles("txns", "data/txns.parquet", txns, Map.of("", rows(
        new Object[] {1L, at(0), 10.0}, new Object[] {2L, at(100), 5.0})), "ts", null, Map.of());
    f.query(List.of(new Column("user_id", ScalarType.INT64), new Column("event_timestamp", ScalarType.TIMESTAMP),
            new Column("paid", ScalarType.FLOAT64), new Column("country", ScalarType.STRING)),
        rows(new Object[] {1L, at(50), 10.0, "DE"}, new Object[] {2L, at(50), 100.0, "FR"},
            new Object[] {2L, at(150), null, null}));
    Result alone = f.run("fee:foreign", "fee:fee");
    assertThat(alone.plan().joins()).isEmpty();
    assertThat(alone.plan().columns().stream().map(Column::name))
        .containsExactly("user_id", "event_timestamp", "paid", "country", "foreign", "fee");
    assertThat(alone.column("fee")).containsExactly(0.59, 3.2, null);
    assertThat(alone.column("foreign")).containsExactly(false, true, null);
    Result mixed = f.run("fee:fee", "user_txn:amount");
    assertThat(mixed.plan().joins()).hasSize(1);
    assertThat(mixed.column("amount")).containsExactly(10.0, null, 5.0);
    assertThat(mixed.column("fee")).containsExactly(0.59, 3.2, null);
  }

  @Test
  default void rejectsAnOnDemandFeatureWhoseRequestFieldTheQueryLacks() {
    TrainingSetFixture f = fixture("request field missing from the query", 0);
    f.defs.entity("user", "user_id", ScalarType.INT64)
        .view(ViewBuilder.named("user_txn").entities("user").source("txns").column("amount"));
    f.defs.onDemandView(new OnDemandView("ratio", 1, List.of("user_txn"), List.of(new RequestField("paid", ScalarType.FLOAT64)),
        List.of(new DerivedFeature("paid_share", "request.paid / user_txn.amount", null, "")), Metadata.EMPTY));
    List<Column> txns = List.of(new Column("user_id", ScalarType.INT64), new Column("ts", ScalarType.TIMESTAMP),
        new Column("amount", ScalarType.FLOAT64));
    f.parquetFiles("txns", "data/txns.parquet", txns, Map.of("", rows(new Object[] {1L, at(0), 10.0})), "ts", null, Map.of());
    f.query(List.of(new Column("user_id", ScalarType.INT64), new Column("event_timestamp", ScalarType.TIMESTAMP),
        new Column("payd", ScalarType.STRING)), rows(new Object[] {1L, at(50), "4"}));
    assertThatThrownBy(() -> f.run("ratio:paid_share"))
        .hasMessageContaining("request field 'paid'").hasMessageContaining("no column 'paid'").hasMessageContaining("payd");
  }

  @Test
  default void rejectsARequestColumnOfAnotherType() {
    TrainingSetFixture f = fixture("request column of another type", 0);
    f.defs.entity("user", "user_id", ScalarType.INT64)
        .view(ViewBuilder.named("user_txn").entities("user").source("txns").column("amount"));
    f.defs.onDemandView(new OnDemandView("ratio", 1, List.of("user_txn"), List.of(new RequestField("paid", ScalarType.FLOAT64)),
        List.of(new DerivedFeature("paid_share", "request.paid / user_txn.amount", null, "")), Metadata.EMPTY));
    List<Column> txns = List.of(new Column("user_id", ScalarType.INT64), new Column("ts", ScalarType.TIMESTAMP),
        new Column("amount", ScalarType.FLOAT64));
    f.parquetFiles("txns", "data/txns.parquet", txns, Map.of("", rows(new Object[] {1L, at(0), 10.0})), "ts", null, Map.of());
    f.query(List.of(new Column("user_id", ScalarType.INT64), new Column("event_timestamp", ScalarType.TIMESTAMP),
        new Column("paid", ScalarType.STRING)), rows(new Object[] {1L, at(50), "4"}));
    assertThatThrownBy(() -> f.run("ratio:paid_share"))
        .hasMessageContaining("query column 'paid' is string").hasMessageContaining("cast the column to float64");
  }
}
