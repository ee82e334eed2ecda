package dev.quiver.offline.spark;

import dev.quiver.core.model.ScalarType;
import dev.quiver.core.offline.PointInTimePlan.Column;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * One randomized feature repo for the DuckDB-vs-Spark differential test: a Parquet source and a CSV
 * source, each spread over several files whose names sort unlike their creation order and dense in
 * ties (equal event and created times across files), null keys, null times and null values; views
 * with int64, string, bytes and int32 keys, composite keys, TTLs, every window-aggregate function
 * (with hops and a {@code where}), derived features and an on-demand view; query rows with duplicates,
 * null keys and null times, from a Parquet file (user keys int32 or int64 by seed) and from SQL.
 * The same files are copied into repos that differ only in their {@code offline} section.
 */
final class DifferentialRepo {
  static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
  static final Instant END = T0.plus(Duration.ofDays(6));
  static final List<String> MERCHANTS = List.of("m-a", "m-b", "m-c");
  static final List<byte[]> DEVICES = List.of(new byte[] {0}, new byte[] {1, -1}, new byte[] {-128, 7, 0});

  static final List<Column> TXN_COLUMNS = List.of(
      new Column("user_id", ScalarType.INT64),
      new Column("merchant_id", ScalarType.STRING),
      new Column("device_id", ScalarType.BYTES),
      new Column("store_id", ScalarType.INT32),
      new Column("event_ts", ScalarType.TIMESTAMP),
      new Column("created_ts", ScalarType.TIMESTAMP),
      new Column("amount", ScalarType.FLOAT64),
      new Column("n", ScalarType.INT32),
      new Column("big", ScalarType.INT64),
      new Column("country", ScalarType.STRING),
      new Column("flag", ScalarType.BOOL));
  static final List<Column> CLICK_COLUMNS = List.of(
      new Column("user_id", ScalarType.INT64),
      new Column("event_ts", ScalarType.TIMESTAMP),
      new Column("created_ts", ScalarType.TIMESTAMP),
      new Column("score", ScalarType.FLOAT64),
      new Column("page", ScalarType.STRING),
      new Column("clicks", ScalarType.INT64));

  /** Feature names per view, in definition order (on-demand view last). */
  static final Map<String, List<String>> FEATURES = new LinkedHashMap<>();

  static {
    FEATURES.put("user_txn", List.of("amount", "country", "n", "big", "flag", "score", "label"));
    FEATURES.put("pair_txn", List.of("amount", "n"));
    FEATURES.put("device_txn", List.of("amount", "country"));
    FEATURES.put("store_txn", List.of("amount", "big"));
    FEATURES.put("user_agg", List.of("cnt_1d", "cnt_country_7d", "sum_n_2h", "sum_amount_7d", "avg_n_1d", "min_country_life",
        "max_amount_2h", "first_amount_1d", "last_country_2d", "stddev_amount_7d", "variance_n_life", "cd_country_7d",
        "acd_n_life", "lastk_amount_1d", "p50_amount_7d", "where_cnt_1d", "where_sum_2h", "avg_per_txn"));
    FEATURES.put("user_clicks", List.of("score", "page", "clicks", "clicks_sum_1d", "score_last_2h"));
    FEATURES.put("risk", List.of("label_ratio", "note_or_country", "combined", "flagged"));
  }

  private static final DateTimeFormatter CSV_TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

  final long seed;
  final int users;
  final String userTtl;
  final boolean int32UserQuery;
  final boolean int32StoreQuery;
  /** Source files by name, in the order they were created (not their path order). */
  final Map<String, List<Object[]>> txnFiles = new LinkedHashMap<>();
  final Map<String, List<Object[]>> clickFiles = new LinkedHashMap<>();
  final List<Column> queryColumns;
  final List<Object[]> queryRows = new ArrayList<>();
  private final Random r;

  DifferentialRepo(long seed) {
    this.seed = seed;
    r = new Random(seed);
    users = 4 + r.nextInt(10);
    userTtl = List.of("", "ttl: 1d", "ttl: 2d12h").get(r.nextInt(3));
    int32UserQuery = r.nextBoolean();
    int32StoreQuery = r.nextBoolean();
    int serial = 0;
    for (String name : names(List.of("part-9", "part-10", "a", "z-1"))) {
      List<Object[]> rows = new ArrayList<>();
      int n = 30 + r.nextInt(100);
      for (int i = 0; i < n; i++) {
        Instant e = time();
        rows.add(new Object[] {r.nextInt(15) == 0 ? null : (long) r.nextInt(users), r.nextInt(20) == 0 ? null : pick(MERCHANTS),
            r.nextInt(20) == 0 ? null : pick(DEVICES), r.nextInt(20) == 0 ? null : r.nextInt(4), e, created(e),
            r.nextInt(8) == 0 ? null : (r.nextDouble() - 0.3) * 100, r.nextInt(8) == 0 ? null : r.nextInt(60) - 5,
            r.nextInt(8) == 0 ? null : (long) serial++, r.nextInt(6) == 0 ? null : "c" + r.nextInt(4),
            r.nextInt(6) == 0 ? null : r.nextBoolean()});
        tieWithAnEarlierRow(rows, txnFiles, 6);
      }
      txnFiles.put(name, rows);
    }
    for (String name : names(List.of("part-2", "part-10", "b"))) {
      List<Object[]> rows = new ArrayList<>();
      // a first row with every value, so that type sniffing sees each column's type in each file
      rows.add(new Object[] {(long) r.nextInt(users), T0.plus(Duration.ofHours(r.nextInt(100))), T0, 1.5, "p0", 1L});
      int n = 20 + r.nextInt(60);
      for (int i = 0; i < n; i++) {
        Instant e = time();
        rows.add(new Object[] {r.nextInt(15) == 0 ? null : (long) r.nextInt(users), e, created(e),
            r.nextInt(8) == 0 ? null : r.nextDouble() * 10 - 2, r.nextInt(6) == 0 ? null : "p" + r.nextInt(5),
            r.nextInt(8) == 0 ? null : (long) r.nextInt(9)});
        tieWithAnEarlierRow(rows, clickFiles, 3);
      }
      clickFiles.put(name, rows);
    }
    queryColumns = List.of(new Column("user_id", int32UserQuery ? ScalarType.INT32 : ScalarType.INT64),
        new Column("merchant_id", ScalarType.STRING), new Column("device_id", ScalarType.BYTES),
        new Column("store_id", int32StoreQuery ? ScalarType.INT32 : ScalarType.INT64),
        new Column("event_timestamp", ScalarType.TIMESTAMP), new Column("label", ScalarType.FLOAT64),
        new Column("note", ScalarType.STRING));
    List<Instant> eventTimes = txnFiles.values().stream().flatMap(List::stream).map(row -> (Instant) row[4]).toList();
    int q = 60 + r.nextInt(80);
    for (int i = 0; i < q; i++) {
      if (i > 0 && r.nextInt(10) == 0) {
        queryRows.add(queryRows.get(r.nextInt(queryRows.size())).clone()); // a duplicate row
        continue;
      }
      long user = r.nextInt(users + 1); // users: a key with no rows
      Instant t = switch (r.nextInt(12)) {
        case 0 -> null;
        case 1, 2, 3 -> eventTimes.get(r.nextInt(eventTimes.size())); // exactly at a row's event time
        default -> T0.minus(Duration.ofDays(1)).plusSeconds(r.nextInt(8 * 24 * 3600));
      };
      queryRows.add(new Object[] {r.nextInt(15) == 0 ? null : int32UserQuery ? (Object) (int) user : (Object) user,
          r.nextInt(15) == 0 ? null : pick(MERCHANTS), r.nextInt(15) == 0 ? null : pick(DEVICES),
          r.nextInt(15) == 0 ? null : int32StoreQuery ? (Object) r.nextInt(5) : (Object) (long) r.nextInt(5), t,
          r.nextInt(5) == 0 ? null : r.nextDouble() * 50, r.nextInt(4) == 0 ? null : "note" + r.nextInt(3)});
    }
  }

  /**
   * Sometimes gives the row just added the keys, event and created time (the first {@code width}
   * columns) of an earlier row of this file or an earlier one: exact ties that only file and row
   * order decide, also for the latest row of a key (what materialization writes).
   */
  private void tieWithAnEarlierRow(List<Object[]> rows, Map<String, List<Object[]>> earlierFiles, int width) {
    List<Object[]> earlier = new ArrayList<>(rows.subList(0, rows.size() - 1));
    earlierFiles.values().forEach(earlier::addAll);
    if (!earlier.isEmpty() && r.nextInt(3) == 0) {
      System.arraycopy(earlier.get(r.nextInt(earlier.size())), 0, rows.getLast(), 0, width);
    }
  }

  /** Some of these names, shuffled: creation order differs from path order. */
  private List<String> names(List<String> all) {
    List<String> names = new ArrayList<>(all);
    Collections.shuffle(names, r);
    return names.subList(0, 2 + r.nextInt(all.size() - 1));
  }

  /** An event time on a 15-minute grid (dense in ties), some after END, a few null. */
  private Instant time() {
    return r.nextInt(30) == 0 ? null : T0.plus(Duration.ofMinutes(15L * r.nextInt(4 * (6 * 24 + 12))));
  }

  private Instant created(Instant e) {
    return r.nextInt(3) == 0 || e == null ? null : e.plusSeconds(r.nextInt(2));
  }

  private <T> T pick(List<T> from) {
    return from.get(r.nextInt(from.size()));
  }

  /** The definitions, with this seed's TTL on {@code user_txn}. */
  String definitions() {
    return """
        entities:
          - {name: user, join_keys: [user_id], type: int64}
          - {name: merchant, join_keys: [merchant_id], type: string}
          - {name: device, join_keys: [device_id], type: bytes}
          - {name: store, join_keys: [store_id], type: int32}
        sources:
          - {name: txns, path: data/txns/*.parquet, timestamp: event_ts, created: created_ts}
          - {name: clicks, path: data/clicks/*.csv, timestamp: event_ts, created: created_ts}
        feature_views:
          - name: user_txn
            entities: [user]
            source: txns
            %s
            features:
              - {name: amount}
              - {name: country}
              - {name: n}
              - {name: big}
              - {name: flag}
              - {name: score, expr: "amount * 2 + coalesce(n, 0)"}
              - {name: label, expr: "case when flag then upper(country) else concat(country, '!') end"}
          - name: pair_txn
            entities: [user, merchant]
            source: txns
            ttl: 3d
            features: [{name: amount}, {name: n}]
          - name: device_txn
            entities: [user, device]
            source: txns
            ttl: 2d
            features: [{name: amount}, {name: country}]
          - name: store_txn
            entities: [store]
            source: txns
            features: [{name: amount}, {name: big}]
          - name: user_agg
            entities: [user]
            source: txns
            features:
              - {name: cnt_1d, aggregate: {fn: count, window: 1d}}
              - {name: cnt_country_7d, aggregate: {fn: count, column: country, window: 7d}}
              - {name: sum_n_2h, aggregate: {fn: sum, column: n, window: 2h, hop: 15m}}
              - {name: sum_amount_7d, aggregate: {fn: sum, column: amount, window: 7d}}
              - {name: avg_n_1d, aggregate: {fn: avg, column: n, window: 1d, hop: 1h}}
              - {name: min_country_life, aggregate: {fn: min, column: country, window: lifetime}}
              - {name: max_amount_2h, aggregate: {fn: max, column: amount, window: 2h, hop: 30m}}
              - {name: first_amount_1d, aggregate: {fn: first, column: amount, window: 1d, hop: 15m}}
              - {name: last_country_2d, aggregate: {fn: last, column: country, window: 2d}}
              - {name: stddev_amount_7d, aggregate: {fn: stddev, column: amount, window: 7d}}
              - {name: variance_n_life, aggregate: {fn: variance, column: n, window: lifetime}}
              - {name: cd_country_7d, aggregate: {fn: count_distinct, column: country, window: 7d}}
              - {name: acd_n_life, aggregate: {fn: approx_count_distinct, column: n, window: lifetime}}
              - {name: lastk_amount_1d, aggregate: {fn: last_k, column: amount, window: 1d, hop: 15m, k: 3}}
              - {name: p50_amount_7d, aggregate: {fn: approx_percentile, column: amount, window: 7d, percentile: 0.5}}
              - {name: where_cnt_1d, aggregate: {fn: count, window: 1d, where: "coalesce(n, 0) > 10"}}
              - {name: where_sum_2h, aggregate: {fn: sum, column: amount, window: 2h, hop: 15m, where: "amount > 0 and flag"}}
              - {name: avg_per_txn, expr: "sum_amount_7d / nullif(cnt_1d, 0)"}
          - name: user_clicks
            entities: [user]
            source: clicks
            ttl: 4d
            features:
              - {name: score}
              - {name: page}
              - {name: clicks}
              - {name: clicks_sum_1d, aggregate: {fn: sum, column: clicks, window: 1d}}
              - {name: score_last_2h, aggregate: {fn: last, column: score, window: 2h, hop: 15m}}
        on_demand_views:
          - name: risk
            inputs: [user_txn, pair_txn, request: {label: float64, note: string}]
            features:
              - {name: label_ratio, expr: "request.label / nullif(user_txn.amount, 0)"}
              - {name: note_or_country, expr: "coalesce(request.note, user_txn.country, 'none')"}
              - {name: combined, expr: "user_txn.score + coalesce(pair_txn.amount, 0)"}
              - {name: flagged, expr: "label_ratio > 1 or contains(note_or_country, '1')"}
        """.formatted(userTtl);
  }

  /** Writes the Parquet files, CSV files and query file once, under {@code dir}/data. */
  void writeData(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("data/txns"));
    Files.createDirectories(dir.resolve("data/clicks"));
    for (var e : txnFiles.entrySet()) {
      TestSpark.writeParquet(dir.resolve("data/txns/" + e.getKey() + ".parquet"), TXN_COLUMNS, e.getValue());
    }
    for (var e : clickFiles.entrySet()) {
      writeCsv(dir.resolve("data/clicks/" + e.getKey() + ".csv"), CLICK_COLUMNS, e.getValue());
    }
    TestSpark.writeParquet(dir.resolve("data/query.parquet"), queryColumns, queryRows);
  }

  /** A repo under {@code dir} with a copy of {@code data}'s files and this {@code offline} section. */
  Path repo(Path dir, Path data, String offlineYaml) throws IOException {
    Files.createDirectories(dir.resolve("features"));
    Files.writeString(dir.resolve("quiver.yaml"), "project: diff\nregistry: {type: file, path: .quiver/registry}\n"
        + "offline: " + offlineYaml + "\nonline: {type: rocksdb, path: .quiver/online}\ndefinitions: [features]\n");
    Files.writeString(dir.resolve("features/defs.yaml"), definitions());
    try (Stream<Path> files = Files.walk(data.resolve("data"))) {
      for (Path p : files.toList()) {
        Path to = dir.resolve(data.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
    return dir;
  }

  /** A header line, then one line per row; null is an empty field; timestamps in UTC. */
  private static void writeCsv(Path file, List<Column> columns, List<Object[]> rows) {
    StringBuilder csv = new StringBuilder(String.join(",", columns.stream().map(Column::name).toList())).append('\n');
    for (Object[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        csv.append(i == 0 ? "" : ",").append(switch (row[i]) {
          case null -> "";
          case Instant t -> CSV_TIME.format(t);
          case String s -> '"' + s + '"';
          case Double d -> Double.toString(d);
          default -> row[i].toString();
        });
      }
      csv.append('\n');
    }
    try {
      Files.writeString(file, csv, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
