package dev.quiver.core.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.TestRepos;
import dev.quiver.core.aggregate.EntityTiles;
import dev.quiver.core.aggregate.TileLayout;
import dev.quiver.core.derived.DerivedFeatures;
import dev.quiver.core.load.DefinitionLoader;
import dev.quiver.core.load.LoadedRepo;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureResolver;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.registry.Watermark;
import dev.quiver.core.validate.DefinitionValidator;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serving rule for view versions: unpinned refs (requested, in services, as on-demand inputs)
 * keep reading the previous version until the newest is materialized; pinned refs read exactly
 * their version; features added to a materialized version read NOT_FOUND until filled; full
 * feature names tell versions apart.
 */
class ServingVersionsTest {
  private static final Instant NOW = Instant.parse("2026-04-01T00:00:00Z");

  @TempDir Path dir;
  final OnlineReaderTest.MapStore store = new OnlineReaderTest.MapStore();

  private static final String HEAD = """
      entities:
        - {name: user, join_keys: [user_id], type: int64}
      sources:
        - {name: transactions, path: data/transactions.parquet, timestamp: event_ts, created: created_ts}
      feature_views:
      """;

  private static final String V1 = """
        - name: user_txn
          version: 1
          entities: [user]
          source: transactions
          ttl: 30d
          features:
            - {name: last_amount, column: amount}
            - name: txn_count_7d
              aggregate: {fn: count, window: 7d}
      """;

  private static final String V2 = """
        - name: user_txn
          version: 2
          entities: [user]
          source: transactions
          ttl: 30d
          features:
            - {name: last_amount, column: amount}
            - {name: last_country, column: country}
            - name: txn_count_7d
              aggregate: {fn: count, window: 7d}
      """;

  private static final String TAIL = """
      on_demand_views:
        - name: txn_risk
          inputs: [user_txn, request: {amount: float64}]
          features:
            - {name: ratio, expr: "request.amount / nullif(user_txn.last_amount, 0)"}
      feature_services:
        - name: fraud_model
          features: [user_txn:last_amount, txn_risk:ratio]
      """;

  private Definitions load(String yaml) {
    TestRepos.write(dir, Map.of("features/defs.yaml", yaml));
    LoadedRepo repo = new DefinitionLoader().load(dir);
    return new DefinitionValidator(TestRepos.schemas(), dir).validate(repo.definitions(), repo.origins(), Set.of());
  }

  private static Watermark mark(String view, long registryVersion) {
    return new Watermark(view, NOW.minus(Duration.ofHours(1)), registryVersion, "test", NOW);
  }

  private void putRow(Definitions defs, String view, int version, long user, double amount, String country) {
    FeatureView v = defs.view(view, version).orElseThrow();
    List<String> names = country == null ? List.of("last_amount") : List.of("last_amount", "last_country");
    List<ValueType> types = country == null ? List.of(ScalarType.FLOAT64) : List.of(ScalarType.FLOAT64, ScalarType.STRING);
    List<Object> values = country == null ? List.of(amount) : Arrays.asList(amount, country);
    byte[] row = RowEncoding.encode(NOW.minus(Duration.ofHours(2)), null, names, types, values);
    store.multiPutIfNewer(OnlineTables.of(defs.project(), v), List.of(new OnlineStore.Entry(key(user), row)));
  }

  private static byte[] key(long user) {
    return KeyEncoding.encode(List.of(ScalarType.INT64), List.of(user));
  }

  private OnlineResponse read(Definitions defs, ServingVersions serving, List<String> refs, boolean fullNames) {
    return new OnlineReader(DerivedFeatures.of(defs, serving), store, Runnable::run, Clock.fixed(NOW, ZoneOffset.UTC))
        .read(new OnlineRequest(refs.stream().map(FeatureRef::of).toList(), Map.of("user_id", List.of(1L)),
            Map.of("amount", List.of(20.0)), fullNames));
  }

  private static String describe(FeatureColumn c) {
    return c.name() + "=" + c.values().getFirst() + " " + c.statuses().getFirst() + " from " + c.ref();
  }

  @Test
  void unpinnedRefsKeepReadingThePreviousVersionUntilTheNewestIsMaterialized() {
    Definitions defs = load(HEAD + V1 + V2 + TAIL);
    putRow(defs, "user_txn", 1, 1, 10.0, null);
    ServingVersions serving = ServingVersions.of(defs, List.of(mark("user_txn@v1", 1)), v -> defs);

    assertThat(read(defs, serving, List.of("user_txn:last_amount", "user_txn:last_country", "txn_risk:ratio"), true).features())
        .extracting(ServingVersionsTest::describe).containsExactly(
            "user_txn__last_amount=10.0 PRESENT from user_txn@v1:last_amount",
            "user_txn__last_country=null NOT_FOUND from user_txn@v2:last_country",
            "txn_risk__ratio=2.0 PRESENT from txn_risk@v1:ratio");
    assertThat(read(defs, serving, List.of("user_txn@v2:last_amount"), false).features())
        .as("a pinned ref reads exactly its version").extracting(ServingVersionsTest::describe)
        .containsExactly("last_amount=null NOT_FOUND from user_txn@v2:last_amount");
    OnlineReader reader = new OnlineReader(DerivedFeatures.of(defs, serving), store, Runnable::run, Clock.fixed(NOW, ZoneOffset.UTC));
    OnlineResponse byService = reader.read(new OnlineRequest(FeatureResolver.service(defs, "fraud_model", 0),
        Map.of("user_id", List.of(1L)), Map.of("amount", List.of(20.0)), false));
    assertThat(byService.features()).extracting(ServingVersionsTest::describe).as("a service's unpinned refs, the same")
        .containsExactly("last_amount=10.0 PRESENT from user_txn@v1:last_amount", "ratio=2.0 PRESENT from txn_risk@v1:ratio");

    // once user_txn@v2 is materialized, unpinned refs read it
    putRow(defs, "user_txn", 2, 1, 40.0, "DE");
    ServingVersions both = ServingVersions.of(defs, List.of(mark("user_txn@v1", 1), mark("user_txn@v2", 1)), v -> defs);
    assertThat(read(defs, both, List.of("user_txn:last_amount", "txn_risk:ratio", "user_txn@v1:last_amount"), true).features())
        .extracting(ServingVersionsTest::describe).containsExactly(
            "user_txn__last_amount=40.0 PRESENT from user_txn@v2:last_amount", "txn_risk__ratio=0.5 PRESENT from txn_risk@v1:ratio",
            "user_txn@v1__last_amount=10.0 PRESENT from user_txn@v1:last_amount");
  }

  @Test
  void withoutAMaterializedOlderVersionUnpinnedRefsReadTheNewest() {
    Definitions defs = load(HEAD + V1 + V2 + TAIL);
    ServingVersions serving = ServingVersions.of(defs, List.of(), v -> defs);
    assertThat(read(defs, serving, List.of("user_txn:last_amount"), false).features())
        .extracting(ServingVersionsTest::describe).containsExactly("last_amount=null NOT_FOUND from user_txn@v2:last_amount");
    assertThat(serving.pending()).extracting(ServingVersions.Pending::describe).containsExactly(
        "user_txn@v2 is not materialized yet; its features read NOT_FOUND until `quiver materialize` runs");
  }

  @Test
  void pendingSaysWhatServingDoes() {
    Definitions defs = load(HEAD + V1 + V2 + TAIL);
    ServingVersions serving = ServingVersions.of(defs, List.of(mark("user_txn@v1", 1)), v -> defs);
    assertThat(serving.pending()).extracting(ServingVersions.Pending::describe).containsExactly(
        "user_txn@v2 is not materialized yet; unpinned reads keep serving user_txn@v1 until `quiver materialize` runs"
            + " (refs pinned to user_txn@v2 read NOT_FOUND meanwhile)");
    assertThat(ServingVersions.of(defs, List.of(mark("user_txn@v1", 1), mark("user_txn@v2", 1)), v -> defs).pending()).isEmpty();
    assertThat(serving).isEqualTo(ServingVersions.of(defs, List.of(mark("user_txn@v1", 7)), v -> defs))
        .isNotEqualTo(ServingVersions.NEWEST);
  }

  @Test
  void instancesDifferWhenTheirTileRowsWereWrittenForOtherAggregates() {
    Definitions now = load(HEAD + V1.replace("window: 7d}", "window: 7d}\n      - name: amount_max_7d\n"
        + "        aggregate: {fn: max, column: amount, window: 7d}") + TAIL);
    Definitions countOnly = load(HEAD + V1 + TAIL);
    Definitions withSum = load(HEAD + V1.replace("window: 7d}", "window: 7d}\n      - name: amount_sum_7d\n"
        + "        aggregate: {fn: sum, column: amount, window: 7d}") + TAIL);
    FeatureView v1 = now.view("user_txn", 1).orElseThrow();
    // materialized under registry version 1 (count only), then under version 2 (count and sum)
    ServingVersions before = ServingVersions.of(now, List.of(mark("user_txn@v1", 1)), v -> countOnly);
    ServingVersions after = ServingVersions.of(now, List.of(mark("user_txn@v1", 2)), v -> withSum);
    assertThat(after.pending()).as("the same feature reads NOT_FOUND in both").isEqualTo(before.pending());
    assertThat(after.tilesWrittenFor(v1)).isEqualTo(withSum.view("user_txn", 1).orElseThrow())
        .isNotEqualTo(before.tilesWrittenFor(v1));
    assertThat(after).as("rows decode with another layout: a cached instance must not stand in").isNotEqualTo(before);
  }

  @Test
  void fullFeatureNamesTellVersionsApart() {
    Definitions defs = load(HEAD + V1 + V2 + TAIL);
    putRow(defs, "user_txn", 1, 1, 10.0, null);
    putRow(defs, "user_txn", 2, 1, 40.0, "DE");
    ServingVersions serving = ServingVersions.of(defs, List.of(mark("user_txn@v1", 1), mark("user_txn@v2", 1)), v -> defs);
    assertThat(read(defs, serving, List.of("user_txn@v1:last_amount", "user_txn:last_amount"), true).features())
        .extracting(ServingVersionsTest::describe).containsExactly(
            "user_txn@v1__last_amount=10.0 PRESENT from user_txn@v1:last_amount",
            "user_txn__last_amount=40.0 PRESENT from user_txn@v2:last_amount");
    assertThat(read(defs, serving, List.of("user_txn@v2:last_amount"), true).features().getFirst().name())
        .as("the newest version keeps the name it always had").isEqualTo("user_txn__last_amount");
    assertThatThrownBy(() -> read(defs, serving, List.of("user_txn@v1:last_amount", "user_txn:last_amount"), false))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("set full_feature_names");
    assertThatThrownBy(() -> read(defs, serving, List.of("user_txn@v2:last_amount", "user_txn:last_amount"), true))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("request each feature once");
  }

  @Test
  void aColumnAddedToAMaterializedVersionReadsNotFoundUntilFilled() {
    Definitions then = load(HEAD + V1 + TAIL);
    Definitions now = load(HEAD + V1.replace("- {name: last_amount, column: amount}",
        "- {name: last_amount, column: amount}\n      - {name: last_country, column: country}") + TAIL);
    putRow(now, "user_txn", 1, 1, 10.0, "DE"); // a row that has the column (a push, say) still reads NOT_FOUND
    ServingVersions serving = ServingVersions.of(now, List.of(mark("user_txn@v1", 1)), v -> then);
    assertThat(serving.pending()).extracting(ServingVersions.Pending::describe).containsExactly(
        "user_txn@v1 gained last_country since it was last materialized: it reads NOT_FOUND until `quiver materialize`"
            + " or `quiver materialize-incremental` runs");
    assertThat(read(now, serving, List.of("user_txn:last_amount", "user_txn:last_country"), false).features())
        .extracting(ServingVersionsTest::describe).containsExactly(
            "last_amount=10.0 PRESENT from user_txn@v1:last_amount", "last_country=null NOT_FOUND from user_txn@v1:last_country");

    ServingVersions filled = ServingVersions.of(now, List.of(mark("user_txn@v1", 2)), v -> v == 1 ? then : now);
    assertThat(filled.pending()).isEmpty();
    assertThat(read(now, filled, List.of("user_txn:last_country"), false).features())
        .extracting(ServingVersionsTest::describe).containsExactly("last_country=DE PRESENT from user_txn@v1:last_country");
  }

  @Test
  void unfilledListsOnlyWhatStoredRowsCannotServe() {
    FeatureView before = load(HEAD + V1 + TAIL).view("user_txn", 1).orElseThrow();
    FeatureView sameFamily = load(HEAD + V1.replace("window: 7d}", "window: 7d}\n      - name: txn_count_1d\n"
        + "        aggregate: {fn: count, window: 1d, hop: 1h}") + TAIL).view("user_txn", 1).orElseThrow();
    assertThat(TileLayout.sameFamilies(before, sameFamily)).isTrue();
    assertThat(ServingVersions.unfilled(before, sameFamily)).as("a shorter window of a family the tiles hold").isEmpty();
    FeatureView longer = load(HEAD + V1.replace("window: 7d}", "window: 7d}\n      - name: txn_count_30d\n"
        + "        aggregate: {fn: count, window: 30d, hop: 1h}") + TAIL).view("user_txn", 1).orElseThrow();
    assertThat(ServingVersions.unfilled(before, longer)).as("the tiles reach back 7 days only").containsExactly("txn_count_30d");
    FeatureView changedColumn = load(HEAD + V1.replace("column: amount}", "column: currency}")
        + TAIL.replace("request.amount / nullif(user_txn.last_amount, 0)", "request.amount")).view("user_txn", 1).orElseThrow();
    assertThat(ServingVersions.unfilled(before, changedColumn)).as("changed in place (--force)").containsExactly("last_amount");
    Definitions forced = load(HEAD + V1.replace("column: amount}", "column: currency}")
        + TAIL.replace("request.amount / nullif(user_txn.last_amount, 0)", "request.amount"));
    assertThat(ServingVersions.of(forced, List.of(mark("user_txn@v1", 1)), v -> load(HEAD + V1 + TAIL)).pending())
        .extracting(ServingVersions.Pending::describe).containsExactly("user_txn@v1 has features added or changed since it was"
            + " last materialized (last_amount): they read NOT_FOUND until `quiver materialize` or `quiver materialize-incremental` runs");
    assertThat(ServingVersions.unfilled(before, before)).isEmpty();
  }

  @Test
  void tileRowsWrittenForEarlierAggregatesServeTheOnesTheyHold() {
    Definitions then = load(HEAD + V1 + TAIL);
    Definitions now = load(HEAD + V1.replace("window: 7d}", "window: 7d}\n      - name: amount_sum_7d\n"
        + "        aggregate: {fn: sum, column: amount, window: 7d}") + TAIL);
    FeatureView old = then.view("user_txn", 1).orElseThrow();
    EntityTiles tiles = new EntityTiles(TileLayout.of(old, c -> ScalarType.FLOAT64));
    for (int h : new int[] {50, 30, 10}) {
      tiles.add(Timestamps.toMicros(NOW.minus(Duration.ofHours(h))), Long.MIN_VALUE, new Object[0]);
    }
    String table = TileRows.table(now.project(), now.view("user_txn", 1).orElseThrow());
    store.multiPut(table, List.of(new OnlineStore.Entry(key(1), tiles.encode())));

    ServingVersions serving = ServingVersions.of(now, List.of(mark("user_txn@v1", 1)), v -> then);
    assertThat(serving.tilesWrittenFor(now.view("user_txn", 1).orElseThrow())).isEqualTo(old);
    assertThat(read(now, serving, List.of("user_txn:txn_count_7d", "user_txn:amount_sum_7d"), false).features())
        .extracting(ServingVersionsTest::describe).containsExactly(
            "txn_count_7d=3 PRESENT from user_txn@v1:txn_count_7d", "amount_sum_7d=null NOT_FOUND from user_txn@v1:amount_sum_7d");
    assertThat(read(now, ServingVersions.NEWEST, List.of("user_txn:txn_count_7d"), false).features())
        .as("a row that fits no known layout is NOT_FOUND, not an error").extracting(ServingVersionsTest::describe)
        .containsExactly("txn_count_7d=null NOT_FOUND from user_txn@v1:txn_count_7d");
    assertThat(serving.pending()).extracting(p -> p.view() + " " + p.unfilled()).containsExactly("user_txn@v1 [amount_sum_7d]");
    FeatureView v1 = now.view("user_txn", 1).orElseThrow();
    assertThat(serving.tilesRebuilt(v1)).as("not materialized since its families changed").isFalse();
    assertThat(ServingVersions.of(now, List.of(mark("user_txn@v1", 2)), v -> v == 1 ? then : now).tilesRebuilt(v1)).isTrue();
    assertThat(ServingVersions.of(now, List.of(), v -> then).tilesRebuilt(v1)).as("never materialized").isFalse();
  }
}
