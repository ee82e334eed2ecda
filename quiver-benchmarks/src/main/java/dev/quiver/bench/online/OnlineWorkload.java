package dev.quiver.bench.online;

import dev.quiver.core.QuiverException;
import dev.quiver.core.diff.Plan;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.datagen.PaymentsDataset;
import dev.quiver.datagen.PaymentsGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The materialization and online-read workload (DESIGN §5: "materialization, 10M rows → 1M keys";
 * "online, 1 and 100 entities × 50 features"), built in a work directory.
 *
 * <p>The payments generator with {@code rows} transactions over {@code keys} users (Zipf-skewed, so a
 * few percent of the users draw no transaction: the exact number of distinct keys is printed and
 * written to {@code online-workload.json}). The source adds to the generator's columns the derived
 * ones of {@link dev.quiver.bench.ReferenceWorkload} and 35 more, so that it has 50 value columns
 * and every feature of both views is a source column under its own name (which Feast needs).
 *
 * <h2>Views, both keyed by {@code user_id}, TTL 90 days</h2>
 *
 * <ul>
 *   <li>{@code user_latest}: 10 column features (those of the reference workload's {@code user_txn});
 *       what the materialization benchmark writes.
 *   <li>{@code user_wide}: 50 column features; what the online-read benchmark reads.
 * </ul>
 *
 * <h2>Layout of the work directory</h2>
 *
 * <pre>
 * generated/                  the payments generator's files (seeded)
 * data/transactions.parquet   the source
 * data/keys.parquet           user_id: the distinct keys of the source, sorted (request sampling)
 * features/online.yaml        the definitions (the source by absolute path)
 * online-workload.json        the same, for peers (the Feast script)
 * workload.properties         what was built; a matching one is reused
 * runs/                       fresh feature repos, one per run and store ({@link #newRepo})
 * </pre>
 *
 * @param dir the work directory
 * @param rows source rows (transactions)
 * @param keys users the generator draws from
 * @param seed the generator's seed
 */
public record OnlineWorkload(Path dir, long rows, long keys, long seed) {

  /** TTL of both views, in days. */
  public static final int TTL_DAYS = 90;
  /** The project name of the repos. */
  public static final String PROJECT = "online_bench";
  /** Materialization window: covers every generated row (they span 2026-01-01 .. 2026-04-01). */
  public static final Instant START = Instant.parse("2025-12-01T00:00:00Z");
  /** End of the materialization window; the read benchmarks run with their clock fixed here. */
  public static final Instant END = Instant.parse("2026-04-05T00:00:00Z");

  private static final int LAYOUT = 1;

  /** The 10 features of {@code user_latest}. */
  public static final List<String> LATEST_FEATURES = List.of(
      "txn_id", "amount", "currency", "country", "channel", "is_fraud",
      "hour_of_day", "amount_log", "is_online", "is_night");

  /** The 15 value columns of the reference workload's source (merchant_id included). */
  private static final List<String> BASE_COLUMNS = List.of(
      "merchant_id", "txn_id", "amount", "currency", "country", "channel", "is_fraud",
      "hour_of_day", "day_of_week", "amount_log", "amount_cents", "is_online", "is_night", "is_weekend",
      "amount_bucket");

  /** The 50 features of {@code user_wide}: the base columns and 35 extra ones. */
  public static final List<String> WIDE_FEATURES = Stream.concat(BASE_COLUMNS.stream(),
      extraColumns().stream().map(c -> c[0])).toList();

  public OnlineWorkload {
    Objects.requireNonNull(dir, "dir");
    dir = dir.toAbsolutePath().normalize();
    if (rows < 1 || keys < 1) {
      throw new IllegalArgumentException("rows and keys must be positive");
    }
  }

  /** The 35 extra columns: name and DuckDB expression; types cycle double, int64, string, bool. */
  private static List<String[]> extraColumns() {
    List<String[]> out = new ArrayList<>();
    for (int i = 1; i <= 35; i++) {
      out.add(switch (i % 4) {
        case 0 -> new String[] {"x" + i + "_amount", "round(amount * " + (1 + i / 10.0) + ", 2)"};
        case 1 -> new String[] {"x" + i + "_num", "(txn_id * " + (2 * i + 1) + " + merchant_id) % 100003"};
        case 2 -> new String[] {"x" + i + "_tag", "concat(country, '-', channel, '-', " + i + ")"};
        default -> new String[] {"x" + i + "_flag", "(txn_id + " + i + ") % 7 = 0"};
      });
    }
    return out;
  }

  public Path source() {
    return dir.resolve("data/transactions.parquet");
  }

  public Path keysFile() {
    return dir.resolve("data/keys.parquet");
  }

  public Path definitions() {
    return dir.resolve("features/online.yaml");
  }

  /** Refs of every feature of {@code view}. */
  public static List<FeatureRef> refs(String view) {
    List<String> features = view.equals("user_wide") ? WIDE_FEATURES : LATEST_FEATURES;
    return features.stream().map(f -> new FeatureRef(view, 0, f)).toList();
  }

  /** The distinct keys of the source (written by {@link #prepare}). */
  public long distinctKeys() {
    try {
      return Long.parseLong(Files.readString(dir.resolve("distinct_keys.txt")).trim());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The distinct keys of the source, sorted. */
  public long[] loadKeys() {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT user_id FROM read_parquet(" + literal(keysFile()) + ") ORDER BY user_id")) {
      long[] out = new long[(int) distinctKeys()];
      int n = 0;
      while (r.next()) {
        out[n++] = r.getLong(1);
      }
      return out;
    } catch (SQLException e) {
      throw new QuiverException("cannot read " + keysFile() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Builds whatever the work directory lacks; a directory built with the same parameters is reused.
   *
   * @return true if anything was built
   */
  public boolean prepare(PrintStream log) {
    try {
      Path stamp = dir.resolve("workload.properties");
      String expected = "layout=" + LAYOUT + "\nrows=" + rows + "\nkeys=" + keys + "\nseed=" + seed + "\n";
      if (Files.isRegularFile(stamp) && Files.readString(stamp).equals(expected) && Files.isRegularFile(source())) {
        log.printf("workload: reusing %s (%,d source rows over %,d users, %,d distinct keys, seed %d)%n",
            dir, rows, keys, distinctKeys(), seed);
        return false;
      }
      Files.createDirectories(dir);
      Files.deleteIfExists(stamp);
      long started = System.nanoTime();
      PaymentsDataset dataset = new PaymentsDataset(seed, rows, keys, Math.max(20, rows / 500),
          PaymentsDataset.DEFAULT_START, PaymentsDataset.DEFAULT_DAYS);
      log.printf("workload: generating %,d transactions over %,d users, %,d merchants (seed %d)%n",
          rows, keys, dataset.merchants(), seed);
      long step = Math.max(PaymentsGenerator.PROGRESS_INTERVAL,
          rows / 10 / PaymentsGenerator.PROGRESS_INTERVAL * PaymentsGenerator.PROGRESS_INTERVAL);
      new PaymentsGenerator(dataset).writeParquet(dir.resolve("generated"), n -> {
        if (n % step == 0 || n == rows) {
          log.printf("  %,d / %,d%n", n, rows);
        }
      });
      log.printf("workload: generated in %.1f s%n", (System.nanoTime() - started) / 1e9);
      derive(log);
      Files.createDirectories(definitions().getParent());
      Files.writeString(definitions(), yaml());
      Files.writeString(dir.resolve("online-workload.json"), json());
      Files.writeString(stamp, expected);
      return true;
    } catch (IOException | SQLException e) {
      throw new QuiverException("cannot build the online workload in " + dir + ": " + e.getMessage(), e);
    }
  }

  private void derive(PrintStream log) throws IOException, SQLException {
    long started = System.nanoTime();
    Files.createDirectories(source().getParent());
    Path generated = dir.resolve("generated").resolve(PaymentsGenerator.TRANSACTIONS_FILE);
    String extra = extraColumns().stream().map(c -> c[1] + " AS " + c[0]).collect(Collectors.joining(", "));
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      s.execute("SET preserve_insertion_order = true");
      s.execute("COPY (SELECT *, " + extra + " FROM (SELECT txn_id, user_id, merchant_id, amount, currency, country,"
          + " channel, is_fraud,"
          + " hour(event_ts)::BIGINT AS hour_of_day,"
          + " isodow(event_ts)::BIGINT AS day_of_week,"
          + " ln(1 + amount) AS amount_log,"
          + " round(amount * 100)::BIGINT AS amount_cents,"
          + " channel = 'online' AS is_online,"
          + " hour(event_ts) < 6 AS is_night,"
          + " isodow(event_ts) >= 6 AS is_weekend,"
          + " CASE WHEN amount < 20 THEN 'small' WHEN amount < 200 THEN 'medium' ELSE 'large' END AS amount_bucket,"
          + " event_ts, created_ts"
          + " FROM read_parquet(" + literal(generated) + ")))"
          + " TO " + literal(source()) + " (FORMAT parquet, COMPRESSION zstd)");
      s.execute("COPY (SELECT DISTINCT user_id FROM read_parquet(" + literal(source()) + ") ORDER BY user_id) TO "
          + literal(keysFile()) + " (FORMAT parquet)");
      try (ResultSet r = s.executeQuery("SELECT count(*) FROM read_parquet(" + literal(keysFile()) + ")")) {
        r.next();
        long distinct = r.getLong(1);
        Files.writeString(dir.resolve("distinct_keys.txt"), distinct + "\n");
        log.printf("workload: wrote the source %s (%,d distinct user_id) in %.1f s%n", source(), distinct,
            (System.nanoTime() - started) / 1e9);
      }
    }
  }

  private String yaml() {
    StringBuilder y = new StringBuilder("""
        # The online workload (dev.quiver.bench.online.OnlineWorkload): 2 views keyed by user.
        entities:
          - {name: user, join_keys: [user_id], type: int64}
        sources:
          - {name: transactions, path: %s, timestamp: event_ts, created: created_ts}
        feature_views:
        """.formatted(source()));
    view(y, "user_latest", LATEST_FEATURES);
    view(y, "user_wide", WIDE_FEATURES);
    return y.toString();
  }

  private static void view(StringBuilder y, String name, List<String> features) {
    y.append("  - name: ").append(name).append('\n')
        .append("    entities: [user]\n")
        .append("    source: transactions\n")
        .append("    ttl: ").append(TTL_DAYS).append("d\n")
        .append("    features:\n");
    features.forEach(f -> y.append("      - {name: ").append(f).append("}\n"));
  }

  private String json() {
    return "{\n"
        + "  \"rows\": " + rows + ",\n"
        + "  \"keys\": " + keys + ",\n"
        + "  \"distinct_keys\": " + distinctKeys() + ",\n"
        + "  \"seed\": " + seed + ",\n"
        + "  \"source\": {\"name\": \"transactions\", \"path\": " + q(source().toString())
        + ", \"timestamp_field\": \"event_ts\", \"created_timestamp_column\": \"created_ts\"},\n"
        + "  \"keys_path\": " + q(keysFile().toString()) + ",\n"
        + "  \"entity\": {\"name\": \"user\", \"join_key\": \"user_id\"},\n"
        + "  \"start\": " + q(START.toString()) + ",\n"
        + "  \"end\": " + q(END.toString()) + ",\n"
        + "  \"ttl_seconds\": " + TTL_DAYS * 86_400L + ",\n"
        + "  \"views\": {\n"
        + "    \"user_latest\": " + list(LATEST_FEATURES) + ",\n"
        + "    \"user_wide\": " + list(WIDE_FEATURES) + "\n"
        + "  }\n}\n";
  }

  /**
   * A fresh feature repo under {@code runs/name} (deleted first, so its registry and embedded store
   * are empty): the workload's definitions, DuckDB offline, the given online store section, applied.
   *
   * @param online the {@code online:} value of quiver.yaml, e.g. {@code {type: rocksdb, path: .quiver/online}}
   */
  public Path newRepo(String name, String online) {
    return newRepo(name, online, "{engine: duckdb}");
  }

  /**
   * Like {@link #newRepo(String, String)}, with another {@code offline:} section, e.g. {@code
   * {engine: spark, master: 'local[2]'}}.
   */
  public Path newRepo(String name, String online, String offline) {
    Path repo = dir.resolve("runs").resolve(name);
    try {
      deleteTree(repo);
      Files.createDirectories(repo.resolve("features"));
      Files.copy(definitions(), repo.resolve("features/online.yaml"));
      Files.writeString(repo.resolve("quiver.yaml"), """
          # written by dev.quiver.bench.online.OnlineWorkload
          project: %s
          registry: {type: file, path: .quiver/registry}
          offline: %s
          online: %s
          definitions: [features]
          """.formatted(PROJECT, offline, online));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (FeatureRepo r = FeatureRepo.open(repo)) {
      Plan plan = r.plan(false);
      r.apply(plan, "benchmark", "online workload", true);
    }
    return repo;
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }

  /** Bytes under a directory (the on-disk size of an embedded store). */
  static long sizeOf(Path p) {
    if (!Files.exists(p)) {
      return 0;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      return walk.filter(Files::isRegularFile).mapToLong(x -> {
        try {
          return Files.size(x);
        } catch (IOException e) {
          return 0;
        }
      }).sum();
    } catch (IOException e) {
      return -1;
    }
  }

  private static String list(List<String> items) {
    return items.stream().map(OnlineWorkload::q).collect(Collectors.joining(", ", "[", "]"));
  }

  private static String q(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  static String literal(Path p) {
    return "'" + p.toString().replace("'", "''") + "'";
  }

  /**
   * Builds (or reuses) the workload only: {@code OnlineWorkload DIR [--rows N] [--keys N] [--seed N]}.
   */
  public static void main(String[] args) {
    Args a = Args.parse(args);
    new OnlineWorkload(a.dir(), a.longOpt("rows", 10_000_000), a.longOpt("keys", 1_000_000), a.longOpt("seed", 42))
        .prepare(System.out);
  }
}
