package dev.quiver.bench;

import dev.quiver.core.QuiverException;
import dev.quiver.core.diff.Plan;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.datagen.PaymentsDataset;
import dev.quiver.datagen.PaymentsGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The point-in-time reference workload of DESIGN §5, built in a work directory: 3 feature views of
 * 10 column features each over one {@code rows}-row transactions source, and {@code queryRows}
 * query rows sampled from it. Peers (the Feast script beside this module) read the same files
 * through {@code workload.json}, so both sides run the same definitions over the same bytes.
 *
 * <h2>Layout of the work directory</h2>
 *
 * <pre>
 * generated/             the payments generator's files (seeded; see PaymentsGenerator)
 * repo/quiver.yaml       the feature repo: DuckDB offline engine, file registry
 * repo/features/reference.yaml
 * repo/data/transactions.parquet   the source: generated transactions plus derived columns
 * query.parquet          query_id, user_id, merchant_id, event_timestamp, label
 * workload.json          the views, keys, features, TTL and paths, for peers
 * workload.properties    what was built (rows, query rows, seed); a matching one is reused
 * </pre>
 *
 * <h2>The source</h2>
 *
 * The generator's transactions have six value columns besides keys and timestamps. A Feast feature
 * is a source column under its own name, so reusing one column under two names in one view is not
 * expressible there; the source therefore adds eight columns computed from each row (hour, weekday,
 * log amount, amount in cents, flags, an amount bucket). Rows keep the generator's order and its
 * late rows, corrections and same-timestamp ties.
 *
 * <h2>The query</h2>
 *
 * {@code queryRows} distinct transactions picked by a seeded hash, in hash order (not time order),
 * each with its user and merchant, its {@code is_fraud} as {@code label}, and its event time shifted
 * by a seeded amount in [-5 min, +5 min). {@code query_id} numbers the rows 1..n in file order.
 *
 * <p>Instances are immutable; {@link #prepare} writes files and is not safe to run twice at once on
 * one directory.
 *
 * @param dir the work directory
 * @param rows transactions generated (the source's row count)
 * @param queryRows query rows sampled from them
 * @param seed the generator's and the sampler's seed
 */
public record ReferenceWorkload(Path dir, long rows, long queryRows, long seed) {

  /** TTL of every view, in days. */
  public static final int TTL_DAYS = 90;

  /** Bump when what {@link #prepare} writes changes, so stale work directories are rebuilt. */
  private static final int LAYOUT = 1;

  /** Half the width of the query timestamps' shift, in microseconds (5 minutes). */
  private static final long SHIFT_MICROS = 300_000_000L;
  /** The DuckDB memory limit of the workload's build steps. */
  private static final String MEMORY_LIMIT = "2GB";

  /**
   * One feature view of the workload: every feature is the latest value of the source column of
   * the same name.
   */
  public record View(String name, List<String> entities, List<String> keys, List<String> features) {}

  /** The three views: by user, by merchant, and by the (user, merchant) pair. */
  public static final List<View> VIEWS = List.of(
      new View("user_txn", List.of("user"), List.of("user_id"), List.of(
          "txn_id", "amount", "currency", "country", "channel", "is_fraud",
          "hour_of_day", "amount_log", "is_online", "is_night")),
      new View("merchant_txn", List.of("merchant"), List.of("merchant_id"), List.of(
          "txn_id", "amount", "currency", "country", "channel", "is_fraud",
          "day_of_week", "amount_cents", "is_weekend", "amount_bucket")),
      new View("user_merchant_txn", List.of("user", "merchant"), List.of("user_id", "merchant_id"), List.of(
          "txn_id", "amount", "currency", "country", "channel", "is_fraud",
          "hour_of_day", "day_of_week", "is_online", "amount_bucket")));

  public ReferenceWorkload {
    Objects.requireNonNull(dir, "dir");
    dir = dir.toAbsolutePath().normalize();
    if (rows < 1 || queryRows < 1 || queryRows > rows) {
      throw new IllegalArgumentException("need 1 <= queryRows <= rows, got rows=" + rows + ", queryRows=" + queryRows);
    }
  }

  /** The feature repo. */
  public Path repo() {
    return dir.resolve("repo");
  }

  /**
   * Points the repo's {@code offline:} section at an engine: {@code duckdb}, or {@code spark} with a
   * master such as {@code local[2]}. The data and definitions stay as they are.
   */
  public void useEngine(String engine, String master) throws IOException {
    useEngine(engine, master, java.util.Map.of());
  }

  /**
   * Like {@link #useEngine(String, String)}, with Spark settings ({@code offline.conf}), e.g. {@code
   * spark.driver.maxResultSize=1m}; ignored for DuckDB.
   */
  public void useEngine(String engine, String master, java.util.Map<String, String> conf) throws IOException {
    Path yaml = repo().resolve("quiver.yaml");
    String confYaml = conf.isEmpty() ? "" : conf.entrySet().stream()
        .map(e -> q(e.getKey()) + ": " + q(e.getValue())).collect(Collectors.joining(", ", ", conf: {", "}"));
    String offline = engine.equals("spark") ? "offline: {engine: spark, master: '" + master + "'" + confYaml + "}"
        : "offline: {engine: " + engine + "}";
    String text = Files.readString(yaml).replaceAll("(?m)^offline: .*$", java.util.regex.Matcher.quoteReplacement(offline));
    Files.writeString(yaml, text);
  }

  /** The source file every view reads. */
  public Path source() {
    return repo().resolve("data/transactions.parquet");
  }

  /** The query rows. */
  public Path query() {
    return dir.resolve("query.parquet");
  }

  /** Where a run writes its training set. */
  public Path output() {
    return dir.resolve("out/quiver.parquet");
  }

  /** Every feature of every view, as refs, in view order. */
  public static List<FeatureRef> refs() {
    List<FeatureRef> refs = new ArrayList<>();
    for (View v : VIEWS) {
      v.features().forEach(f -> refs.add(new FeatureRef(v.name(), 0, f)));
    }
    return refs;
  }

  /** The training-set request of the workload: every feature, full names ({@code view__feature}). */
  public HistoricalRequest request() {
    return HistoricalRequest.ofFeatures(new QueryInput.Files(query().toString(), FileFormat.PARQUET), refs())
        .withFullFeatureNames(true);
  }

  /** The rows a training set of this workload has: one per query row. */
  public long outputRows() {
    return queryRows;
  }

  /**
   * Builds whatever the work directory lacks: data, source, query, repo (applied to its registry),
   * {@code workload.json}. A directory already built with the same rows, query rows and seed is
   * reused as it is.
   *
   * @param log receives progress lines
   * @return true if anything was built, false if everything was reused
   * @throws QuiverException when a file cannot be written
   */
  public boolean prepare(PrintStream log) {
    try {
      Path stamp = dir.resolve("workload.properties");
      String expected = "layout=" + LAYOUT + "\nrows=" + rows + "\nquery_rows=" + queryRows + "\nseed=" + seed + "\n";
      if (Files.isRegularFile(stamp) && Files.readString(stamp).equals(expected)
          && Files.isRegularFile(source()) && Files.isRegularFile(query())) {
        log.printf("workload: reusing %s (%,d source rows, %,d query rows, seed %d)%n", dir, rows, queryRows, seed);
        return false;
      }
      Files.createDirectories(dir);
      Files.deleteIfExists(stamp);
      generate(log);
      derive(log);
      writeRepo(log);
      Files.writeString(dir.resolve("workload.json"), json());
      Files.writeString(stamp, expected);
      return true;
    } catch (IOException | SQLException e) {
      throw new QuiverException("cannot build the reference workload in " + dir + ": " + e.getMessage(), e);
    }
  }

  private void generate(PrintStream log) {
    long started = System.nanoTime();
    log.printf("workload: generating %,d transactions (seed %d) into %s%n", rows, seed, dir.resolve("generated"));
    long step = Math.max(PaymentsGenerator.PROGRESS_INTERVAL, rows / 10 / PaymentsGenerator.PROGRESS_INTERVAL * PaymentsGenerator.PROGRESS_INTERVAL);
    new PaymentsGenerator(PaymentsDataset.of(seed, rows)).writeParquet(dir.resolve("generated"), n -> {
      if (n % step == 0 || n == rows) {
        log.printf("  %,d / %,d%n", n, rows);
      }
    });
    log.printf("workload: generated in %.1f s%n", seconds(started));
  }

  /** Writes the source (generated transactions plus derived columns) and samples the query from it. */
  private void derive(PrintStream log) throws IOException, SQLException {
    long started = System.nanoTime();
    Files.createDirectories(source().getParent());
    Path generated = dir.resolve("generated").resolve(PaymentsGenerator.TRANSACTIONS_FILE);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      s.execute("SET preserve_insertion_order = true");
      // Bounded like the engine (DuckDB's default is 80% of the machine): at 100M rows the two COPYs
      // otherwise peaked at 5.4 GB of resident memory; past the limit they spill to the workload's folder.
      s.execute("SET memory_limit = '" + MEMORY_LIMIT + "'");
      s.execute("SET temp_directory = " + literal(dir.resolve("duckdb-tmp")));
      s.execute("COPY (SELECT txn_id, user_id, merchant_id, amount, currency, country, channel, is_fraud,"
          + " hour(event_ts)::BIGINT AS hour_of_day,"
          + " isodow(event_ts)::BIGINT AS day_of_week,"
          + " ln(1 + amount) AS amount_log,"
          + " round(amount * 100)::BIGINT AS amount_cents,"
          + " channel = 'online' AS is_online,"
          + " hour(event_ts) < 6 AS is_night,"
          + " isodow(event_ts) >= 6 AS is_weekend,"
          + " CASE WHEN amount < 20 THEN 'small' WHEN amount < 200 THEN 'medium' ELSE 'large' END AS amount_bucket,"
          + " event_ts, created_ts"
          + " FROM read_parquet(" + literal(generated) + "))"
          + " TO " + literal(source()) + " (FORMAT parquet, COMPRESSION zstd)");
      log.printf("workload: wrote the source %s in %.1f s%n", source(), seconds(started));
      started = System.nanoTime();
      // A seeded hash picks the rows and their shifts; ordering by it makes the file order random in time.
      s.execute("COPY (SELECT row_number() OVER (ORDER BY h, file_row_number) AS query_id, user_id, merchant_id,"
          + " event_ts + to_microseconds((hash(file_row_number, " + (seed + 1) + ") % " + (2 * SHIFT_MICROS) + ")::BIGINT - "
          + SHIFT_MICROS + ") AS event_timestamp,"
          + " is_fraud AS label"
          + " FROM (SELECT user_id, merchant_id, event_ts, is_fraud, file_row_number, hash(file_row_number, " + seed + ") AS h"
          + " FROM read_parquet(" + literal(source()) + ", file_row_number = true)"
          + " ORDER BY h, file_row_number LIMIT " + queryRows + ")"
          + " ORDER BY query_id)"
          + " TO " + literal(query()) + " (FORMAT parquet, COMPRESSION zstd)");
      log.printf("workload: sampled %,d query rows into %s in %.1f s%n", queryRows, query(), seconds(started));
    }
  }

  private void writeRepo(PrintStream log) throws IOException {
    Files.createDirectories(repo().resolve("features"));
    Files.writeString(repo().resolve("quiver.yaml"), """
        # The reference workload's feature repo (written by dev.quiver.bench.ReferenceWorkload).
        project: reference
        registry: {type: file, path: .quiver/registry}
        offline: {engine: duckdb}
        definitions: [features]
        """);
    StringBuilder yaml = new StringBuilder("""
        # 3 views x 10 column features over one transactions source, TTL %dd (DESIGN section 5).
        entities:
          - {name: user, join_keys: [user_id], type: int64}
          - {name: merchant, join_keys: [merchant_id], type: int64}
        sources:
          - {name: transactions, path: data/transactions.parquet, timestamp: event_ts, created: created_ts}
        feature_views:
        """.formatted(TTL_DAYS));
    for (View v : VIEWS) {
      yaml.append("  - name: ").append(v.name()).append('\n')
          .append("    entities: [").append(String.join(", ", v.entities())).append("]\n")
          .append("    source: transactions\n")
          .append("    ttl: ").append(TTL_DAYS).append("d\n")
          .append("    features:\n");
      v.features().forEach(f -> yaml.append("      - {name: ").append(f).append("}\n"));
    }
    Files.writeString(repo().resolve("features/reference.yaml"), yaml.toString());
    try (FeatureRepo r = FeatureRepo.open(repo())) {
      Plan plan = r.plan(false);
      var version = r.apply(plan, "benchmark", "reference workload", true);
      log.printf("workload: feature repo %s, registry %s%n", repo(),
          version.map(v -> "version " + v.version()).orElse("unchanged"));
    }
  }

  /** The workload for peers: paths, source timestamps, views, keys, features, TTL. */
  private String json() {
    String views = VIEWS.stream().map(v -> "    {\"name\": " + q(v.name())
        + ", \"entities\": " + list(v.entities())
        + ", \"join_keys\": " + list(v.keys())
        + ", \"ttl_seconds\": " + TTL_DAYS * 86_400L
        + ", \"features\": " + list(v.features()) + "}").collect(Collectors.joining(",\n"));
    return "{\n"
        + "  \"rows\": " + rows + ",\n"
        + "  \"query_rows\": " + queryRows + ",\n"
        + "  \"seed\": " + seed + ",\n"
        + "  \"source\": {\"name\": \"transactions\", \"path\": " + q(source().toString())
        + ", \"timestamp_field\": \"event_ts\", \"created_timestamp_column\": \"created_ts\"},\n"
        + "  \"query\": {\"path\": " + q(query().toString())
        + ", \"id_column\": \"query_id\", \"timestamp_column\": \"event_timestamp\"},\n"
        + "  \"quiver_output\": " + q(output().toString()) + ",\n"
        + "  \"views\": [\n" + views + "\n  ]\n}\n";
  }

  private static String list(List<String> items) {
    return items.stream().map(ReferenceWorkload::q).collect(Collectors.joining(", ", "[", "]"));
  }

  private static String q(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String literal(Path p) {
    return "'" + p.toString().replace("'", "''") + "'";
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }
}
