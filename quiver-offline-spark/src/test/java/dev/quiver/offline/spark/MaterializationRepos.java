package dev.quiver.offline.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.KeyEncoding;
import dev.quiver.core.online.Materializer;
import dev.quiver.core.online.OnlineTables;
import dev.quiver.core.online.TileRows;
import dev.quiver.core.repo.FeatureRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * Randomized feature repos for materialization tests: one source spread over several Parquet files
 * (names that sort unlike their creation order), dense in ties (same key and times), with null keys,
 * null created times and null values; views of column features (one key, a composite key with a TTL)
 * and of window aggregates. The same data is written into repos that differ only in their {@code
 * offline} and {@code online} sections, and their online state is compared entity by entity.
 */
final class MaterializationRepos {
  static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
  static final Instant END = T0.plus(Duration.ofDays(6));
  static final Materializer.Listener QUIET = (v, read, written) -> {};
  static final List<String> VIEWS = List.of("user_latest", "pair_latest", "user_agg");
  static final List<FeatureRef> USER_REFS = List.of(FeatureRef.of("user_latest:amount"), FeatureRef.of("user_latest:country"),
      FeatureRef.of("user_latest:n"), FeatureRef.of("user_agg:cnt_1d"), FeatureRef.of("user_agg:sum_7d"),
      FeatureRef.of("user_agg:last_country_2d"), FeatureRef.of("user_agg:max_life"));
  static final List<FeatureRef> PAIR_REFS = List.of(FeatureRef.of("pair_latest:amount"), FeatureRef.of("pair_latest:n"));
  static final List<Column> COLUMNS = List.of(
      new Column("user_id", ScalarType.INT64),
      new Column("merchant", ScalarType.STRING),
      new Column("event_ts", ScalarType.TIMESTAMP),
      new Column("created_ts", ScalarType.TIMESTAMP),
      new Column("amount", ScalarType.FLOAT64),
      new Column("country", ScalarType.STRING),
      new Column("n", ScalarType.INT32));
  private static final String DEFINITIONS = """
      entities:
        - {name: user, join_keys: [user_id], type: int64}
        - {name: merchant, join_keys: [merchant], type: string}
      sources:
        - {name: txns, path: data/txns/*.parquet, timestamp: event_ts, created: created_ts}
      feature_views:
        - name: user_latest
          entities: [user]
          source: txns
          features:
            - {name: amount, column: amount}
            - {name: country, column: country}
            - {name: n, column: n}
        - name: pair_latest
          entities: [user, merchant]
          source: txns
          ttl: 3d
          features:
            - {name: amount, column: amount}
            - {name: n, column: n}
        - name: user_agg
          entities: [user]
          source: txns
          features:
            - {name: cnt_1d, aggregate: {fn: count, window: 1d}}
            - {name: sum_7d, aggregate: {fn: sum, column: amount, window: 7d}}
            - {name: last_country_2d, aggregate: {fn: last, column: country, window: 2d}}
            - {name: max_life, aggregate: {fn: max, column: amount, window: lifetime}}
      """;

  final long seed;
  final int users;
  final List<String> merchants = List.of("m-a", "m-b", "m-c");
  /** Source files by name, in the order they were created (not their path order). */
  final Map<String, List<Object[]>> files = new LinkedHashMap<>();

  MaterializationRepos(long seed) {
    this.seed = seed;
    Random r = new Random(seed);
    users = 5 + r.nextInt(20);
    List<String> names = new ArrayList<>(List.of("part-9", "part-10", "a", "z-1"));
    java.util.Collections.shuffle(names, r);
    int serial = 0;
    for (String name : names.subList(0, 2 + r.nextInt(3))) {
      List<Object[]> rows = new ArrayList<>();
      int n = 20 + r.nextInt(120);
      for (int i = 0; i < n; i++) {
        Instant e = r.nextInt(30) == 0 ? null : T0.plus(Duration.ofHours(r.nextInt(6 * 24 + 12))); // some after END
        Instant c = r.nextInt(3) == 0 || e == null ? null : e.plusSeconds(r.nextInt(2));
        rows.add(new Object[] {r.nextInt(15) == 0 ? null : (long) r.nextInt(users), merchants.get(r.nextInt(3)), e, c,
            r.nextInt(8) == 0 ? null : Math.round(r.nextDouble() * 1000) / 8.0, r.nextInt(6) == 0 ? null : "c" + r.nextInt(4),
            serial++});
      }
      files.put(name, rows);
    }
  }

  /** Writes a repo with this data under {@code dir}. */
  Path write(Path dir, String offlineYaml, String onlineYaml, String project) throws IOException {
    Files.createDirectories(dir.resolve("features"));
    Files.createDirectories(dir.resolve("data/txns"));
    Files.writeString(dir.resolve("quiver.yaml"), "project: " + project + "\nregistry: {type: file, path: .quiver/registry}\n"
        + "offline: " + offlineYaml + "\nonline: " + onlineYaml + "\ndefinitions: [features]\n");
    Files.writeString(dir.resolve("features/defs.yaml"), DEFINITIONS);
    for (var e : files.entrySet()) {
      TestSpark.writeParquet(dir.resolve("data/txns/" + e.getKey() + ".parquet"), COLUMNS, e.getValue());
    }
    return dir;
  }

  /**
   * Writes a repo whose source {@code txns} is an Iceberg table in a Hadoop catalog under {@code
   * dir/warehouse} holding this data: the files added one commit each in their path order, so the
   * table's tie order (commit order) is the file repo's (path order). The files are Parquet files
   * written outside the table and added to it, as an import would.
   */
  Path writeIceberg(Path dir, String offlineYaml, String onlineYaml, String project) throws IOException {
    write(dir, offlineYaml, onlineYaml, project);
    Path warehouse = dir.resolve("warehouse");
    String schema = "schema: {user_id: int64, merchant: string, event_ts: timestamp, created_ts: timestamp, amount: float64,"
        + " country: string, n: int32}";
    Files.writeString(dir.resolve("features/defs.yaml"), DEFINITIONS.replace(
        "{name: txns, path: data/txns/*.parquet, timestamp: event_ts, created: created_ts}",
        "{name: txns, format: iceberg, table: db.txns, catalog: {type: hadoop, warehouse: '" + warehouse + "'},"
            + " timestamp: event_ts, created: created_ts, " + schema + "}"));
    org.apache.iceberg.Schema iceberg = new org.apache.iceberg.Schema(
        org.apache.iceberg.types.Types.NestedField.optional(1, "user_id", org.apache.iceberg.types.Types.LongType.get()),
        org.apache.iceberg.types.Types.NestedField.optional(2, "merchant", org.apache.iceberg.types.Types.StringType.get()),
        org.apache.iceberg.types.Types.NestedField.optional(3, "event_ts", org.apache.iceberg.types.Types.TimestampType.withZone()),
        org.apache.iceberg.types.Types.NestedField.optional(4, "created_ts", org.apache.iceberg.types.Types.TimestampType.withZone()),
        org.apache.iceberg.types.Types.NestedField.optional(5, "amount", org.apache.iceberg.types.Types.DoubleType.get()),
        org.apache.iceberg.types.Types.NestedField.optional(6, "country", org.apache.iceberg.types.Types.StringType.get()),
        org.apache.iceberg.types.Types.NestedField.optional(7, "n", org.apache.iceberg.types.Types.IntegerType.get()));
    try (var catalog = new org.apache.iceberg.hadoop.HadoopCatalog(new org.apache.hadoop.conf.Configuration(), warehouse.toString())) {
      catalog.createNamespace(org.apache.iceberg.catalog.Namespace.of("db"));
      var table = catalog.createTable(org.apache.iceberg.catalog.TableIdentifier.of("db", "txns"), iceberg,
          org.apache.iceberg.PartitionSpec.unpartitioned());
      for (String name : new TreeSet<>(files.keySet())) {
        Path file = dir.resolve("data/txns/" + name + ".parquet");
        table.newAppend().appendFile(org.apache.iceberg.DataFiles.builder(org.apache.iceberg.PartitionSpec.unpartitioned())
            .withPath(file.toString()).withFormat(org.apache.iceberg.FileFormat.PARQUET).withFileSizeInBytes(Files.size(file))
            .withRecordCount(files.get(name).size()).build()).commit();
      }
    }
    return dir;
  }

  /** The repo, definitions applied, its clock at {@code now}. */
  static FeatureRepo open(Path dir, Instant now) {
    FeatureRepo r = FeatureRepo.open(dir, Clock.fixed(now, ZoneOffset.UTC));
    r.apply(r.plan(false), "test", "first", false);
    return r;
  }

  /**
   * Materializes as a backfill would run: the whole range, then an older sub-range again (which must
   * not move anything back), then incrementally past the first END.
   */
  static List<List<Materializer.ViewResult>> materialize(FeatureRepo r) {
    List<List<Materializer.ViewResult>> results = new ArrayList<>();
    results.add(r.materialize(List.of(), T0, END, QUIET, "test"));
    results.add(r.materialize(List.of(), T0.plus(Duration.ofDays(1)), T0.plus(Duration.ofDays(2)), QUIET, "test"));
    results.add(r.materializeIncremental(List.of(), END.plus(Duration.ofHours(6)), QUIET, "test"));
    return results;
  }

  /**
   * Rows to push online to {@code txns}: some users' events inside the materialized range and after
   * it (newer than the last END), some for a user without offline rows.
   */
  Map<String, List<Object>> pushRows(long salt) {
    Random r = new Random(seed * 31 + salt);
    Map<String, List<Object>> columns = new LinkedHashMap<>();
    for (String c : List.of("user_id", "merchant", "event_ts", "created_ts", "amount", "country", "n")) {
      columns.put(c, new ArrayList<>());
    }
    int n = 5 + r.nextInt(10);
    for (int i = 0; i < n; i++) {
      Instant e = r.nextBoolean() ? T0.plus(Duration.ofHours(r.nextInt(6 * 24))) : END.plus(Duration.ofHours(1 + r.nextInt(20)));
      columns.get("user_id").add((long) r.nextInt(users + 1));
      columns.get("merchant").add(merchants.get(r.nextInt(3)));
      columns.get("event_ts").add(e.toString());
      columns.get("created_ts").add(e.toString());
      columns.get("amount").add(r.nextInt(1000) / 4.0);
      columns.get("country").add("p" + r.nextInt(3));
      columns.get("n").add(r.nextInt(100));
    }
    return columns;
  }

  /** Every user key, and one that has no rows. */
  List<Object> userKeys() {
    List<Object> keys = new ArrayList<>();
    for (long u = 0; u <= users; u++) {
      keys.add(u);
    }
    return keys;
  }

  /**
   * Asserts that two repos hold the same online state: the stored latest rows and tile rows byte for byte, and the
   * online answers (values, statuses, event times) of every feature for every entity.
   */
  void assertSameOnlineState(FeatureRepo want, FeatureRepo got) {
    assertSameOnlineState(want, got, true);
  }

  /**
   * As {@link #assertSameOnlineState(FeatureRepo, FeatureRepo)}; without {@code bytes} the stored rows
   * are compared by their answers only (after online pushes, which stamp rows with the wall clock).
   */
  void assertSameOnlineState(FeatureRepo want, FeatureRepo got, boolean bytes) {
    var defs = want.appliedDefinitions();
    for (String name : bytes ? List.of("user_latest", "pair_latest") : List.<String>of()) {
      FeatureView view = defs.views().stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow();
      List<byte[]> keys = new ArrayList<>();
      for (Object u : userKeys()) {
        if (name.equals("user_latest")) {
          keys.add(KeyEncoding.encode(List.of(ScalarType.INT64), List.of(u)));
        } else {
          for (String m : merchants) {
            keys.add(KeyEncoding.encode(List.of(ScalarType.INT64, ScalarType.STRING), List.of(u, m)));
          }
        }
      }
      List<byte[]> a = want.online().multiGet(OnlineTables.of(defs.project(), view), keys);
      List<byte[]> b = got.online().multiGet(OnlineTables.of(defs.project(), view), keys);
      assertThat(a.stream().filter(java.util.Objects::nonNull).count()).as("seed %d %s: some keys have rows", seed, name)
          .isPositive();
      for (int i = 0; i < keys.size(); i++) {
        assertThat(hex(b.get(i))).as("seed %d %s: stored row of key %s", seed, name, hex(keys.get(i))).isEqualTo(hex(a.get(i)));
      }
    }
    if (bytes) {
      FeatureView agg = defs.views().stream().filter(v -> v.name().equals("user_agg")).findFirst().orElseThrow();
      List<byte[]> keys = userKeys().stream().map(u -> KeyEncoding.encode(List.of(ScalarType.INT64), List.of(u))).toList();
      List<byte[]> a = want.online().multiGet(TileRows.table(defs.project(), agg), keys);
      List<byte[]> b = got.online().multiGet(TileRows.table(defs.project(), agg), keys);
      assertThat(a.stream().filter(java.util.Objects::nonNull).count()).as("seed %d: some keys have tile rows", seed).isPositive();
      for (int i = 0; i < keys.size(); i++) {
        assertThat(hex(b.get(i))).as("seed %d user_agg: stored tile row of key %s", seed, hex(keys.get(i)))
            .isEqualTo(hex(a.get(i)));
      }
    }
    assertSameAnswers(want.getOnlineFeatures(USER_REFS, Map.of("user_id", userKeys()), false).features(),
        got.getOnlineFeatures(USER_REFS, Map.of("user_id", userKeys()), false).features(), "user");
    List<Object> pairUsers = new ArrayList<>();
    List<Object> pairMerchants = new ArrayList<>();
    for (Object u : userKeys()) {
      for (String m : merchants) {
        pairUsers.add(u);
        pairMerchants.add(m);
      }
    }
    Map<String, List<Object>> pairs = Map.of("user_id", pairUsers, "merchant", pairMerchants);
    assertSameAnswers(want.getOnlineFeatures(PAIR_REFS, pairs, false).features(),
        got.getOnlineFeatures(PAIR_REFS, pairs, false).features(), "user, merchant");
  }

  private void assertSameAnswers(List<FeatureColumn> want, List<FeatureColumn> got, String entity) {
    assertThat(got).hasSameSizeAs(want);
    boolean anyValue = false;
    for (int f = 0; f < want.size(); f++) {
      FeatureColumn w = want.get(f);
      FeatureColumn g = got.get(f);
      for (int i = 0; i < w.values().size(); i++) {
        anyValue |= w.values().get(i) != null;
        assertThat(Arrays.asList(g.values().get(i), g.statuses().get(i), g.eventTimes().get(i)))
            .as("seed %d: %s of entity %d (%s)", seed, w.name(), i, entity)
            .isEqualTo(Arrays.asList(w.values().get(i), w.statuses().get(i), w.eventTimes().get(i)));
      }
    }
    assertThat(anyValue).as("seed %d: some %s features have values", seed, entity).isTrue();
  }

  /** The distinct non-null user keys in the data. */
  TreeSet<Long> usersWithRows() {
    TreeSet<Long> out = new TreeSet<>();
    files.values().forEach(rows -> rows.forEach(r -> {
      if (r[0] != null) {
        out.add((Long) r[0]);
      }
    }));
    return out;
  }

  private static String hex(byte[] b) {
    return b == null ? "null" : HexFormat.of().formatHex(b);
  }
}
