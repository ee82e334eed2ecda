package dev.quiver.sparkjob;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.cli.Main;
import dev.quiver.testkit.LocalRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged {@code quiver-spark-job.jar}, run the way a cluster runs it: {@code spark-submit}
 * ({@code org.apache.spark.deploy.SparkSubmit}) in a child JVM whose class path is Spark's alone (the
 * module's provided dependencies), the jar as the application, {@code --master local[2]}. Its
 * training set equals the {@code quiver} command's on DuckDB row for row, and its materialization
 * into a real Redis leaves every stored row (latest rows and tile rows) equal to the command's on
 * DuckDB.
 */
class QuiverSparkJobTest {
  private static final String QUERY_SQL = "SELECT txn_id, user_id, merchant_id, amount, country, event_ts AS event_timestamp"
      + " FROM transactions WHERE txn_id % 7 = 0 ORDER BY txn_id DESC, created_ts DESC, amount";

  @TempDir Path tmp;

  @Test
  void historicalAndMaterializeThroughSparkSubmitEqualTheQuiverCommandOnDuckDb() throws Exception {
    Path jar = Path.of(System.getProperty("quiver.sparkjob.jar", "target/quiver-spark-job.jar"));
    assertThat(jar).as("the packaged job jar").exists();
    try (LocalRedis redis = LocalRedis.start()) {
      Path spark = tmp.resolve("spark");
      Path duck = tmp.resolve("duckdb");
      assertThat(Main.run("init", spark.toString(), "--rows", "3000", "--start", "2026-01-01")).isZero();
      assertThat(Main.run("init", duck.toString(), "--rows", "3000", "--start", "2026-01-01")).isZero();
      online(duck, "{engine: duckdb}", redis, "d");
      online(spark, "{engine: spark, master: 'local[1]'}", redis, "j"); // spark-submit's --master wins
      for (Path r : List.of(duck, spark)) {
        assertThat(Main.run("apply", "--repo", r.toString())).isZero();
      }

      Path want = tmp.resolve("duckdb.parquet");
      assertThat(Main.run("historical", "--repo", duck.toString(), "--query-sql", QUERY_SQL, "--service", "fraud_model",
          "--out", want.toString())).isZero();
      Path got = tmp.resolve("spark.parquet");
      String out = submit(jar, "historical", "--repo", spark.toString(), "--query-sql", QUERY_SQL, "--service", "fraud_model",
          "--out", got.toString());
      assertThat(out).contains("Wrote");
      assertSameRows(want, got);

      assertThat(Main.run("materialize", "--repo", duck.toString(), "2026-01-01", "2026-03-01")).isZero();
      out = submit(jar, "materialize", "--repo", spark.toString(), "2026-01-01", "2026-03-01");
      assertThat(out).contains("user_txn");
      assertSameStoredRows(redis);
    }
  }

  @Test
  void otherVerbsAreRefusedWithTheVerbsItRuns() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertThat(QuiverSparkJob.run(new PrintStream(err, true, StandardCharsets.UTF_8), "serve", "--repo", ".")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("does not run 'serve'", "historical, materialize,"
        + " materialize-incremental", "spark-submit --class dev.quiver.sparkjob.QuiverSparkJob");
  }

  private static void online(Path repo, String offline, LocalRedis redis, String prefix) throws IOException {
    Path yaml = repo.resolve("quiver.yaml");
    String text = Files.readString(yaml);
    text = text.substring(0, text.indexOf("offline:")) + "offline: " + offline + "\nonline: {type: redis, url: '" + redis.url()
        + "', key_prefix: " + prefix + "}\ndefinitions: [features]\n";
    Files.writeString(yaml, text);
  }

  /** Runs spark-submit with the jar in a child JVM on Spark's class path; returns its output, failing on a non-zero exit. */
  private String submit(Path jar, String... args) throws Exception {
    String classpath = sparkClasspath();
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", "--enable-native-access=ALL-UNNAMED", "-cp", classpath, "org.apache.spark.deploy.SparkSubmit",
        "--master", "local[2]", "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.ui.enabled=false",
        "--class", QuiverSparkJob.class.getName(), jar.toAbsolutePath().toString()));
    command.addAll(Arrays.asList(args));
    Path log = Files.createTempFile(tmp, "spark-submit", ".log");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("spark-submit finished in 5 minutes").isTrue();
    } finally {
      p.destroyForcibly();
    }
    String out = Files.readString(log);
    assertThat(p.exitValue()).as("spark-submit %s exited 0; its output:%n%s", args[0], out).isZero();
    return out;
  }

  /**
   * The module's whole class path (Spark, Scala, Hadoop, and the libraries Quiver uses, as a Spark
   * installation's jars directory holds Spark's) without Quiver's own modules, DuckDB and RocksDB:
   * Quiver's classes can only come from the jar.
   */
  private static String sparkClasspath() throws IOException {
    String all = Files.readString(Path.of(System.getProperty("quiver.sparkjob.classpath", "target/spark-classpath.txt"))).strip();
    List<String> kept = new ArrayList<>();
    for (String entry : all.split(java.io.File.pathSeparator)) {
      Path p = Path.of(entry);
      String name = p.getFileName().toString();
      boolean quiverModule = name.startsWith("quiver-") || (name.equals("classes") && p.getParent() != null
          && p.getParent().getParent() != null && p.getParent().getParent().getFileName().toString().startsWith("quiver-"));
      if (!quiverModule && !name.startsWith("duckdb") && !name.startsWith("rocksdb") && !name.startsWith("slf4j-jdk14")) {
        kept.add(entry);
      }
    }
    assertThat(kept).as("Spark on the class path").anyMatch(e -> e.contains("spark-core_2.13"));
    assertThat(String.join(" ", kept)).as("no Quiver module on the class path").doesNotContain("quiver-core");
    return String.join(java.io.File.pathSeparator, kept);
  }

  private static void assertSameRows(Path want, Path got) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      String a = "(SELECT file_row_number AS n, * EXCLUDE (file_row_number) FROM read_parquet('" + want + "', file_row_number = true))";
      String b = "(SELECT file_row_number AS n, * EXCLUDE (file_row_number) FROM read_parquet('" + got + "', file_row_number = true))";
      for (String q : new String[] {"SELECT count(*) FROM (" + a + " EXCEPT ALL " + b + ")",
          "SELECT count(*) FROM (" + b + " EXCEPT ALL " + a + ")"}) {
        try (ResultSet rs = s.executeQuery(q)) {
          rs.next();
          assertThat(rs.getLong(1)).as("rows (with their position) in one file and not the other: %s", q).isZero();
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT count(*), count(amount_avg_30d) FROM '" + got + "'")) {
        rs.next();
        assertThat(rs.getLong(1)).as("rows").isGreaterThan(100);
        assertThat(rs.getLong(2)).as("aggregate values").isPositive();
      }
    }
  }

  /** Every Redis entry under prefix j (the job's) equals the one under prefix d (the command on DuckDB), and the reverse. */
  private static void assertSameStoredRows(LocalRedis redis) {
    RedisClient client = RedisClient.create(redis.url());
    try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
      TreeMap<String, String> d = entries(c, "d");
      TreeMap<String, String> j = entries(c, "j");
      assertThat(d).as("rows the command wrote").hasSizeGreaterThan(100);
      assertThat(d.keySet().stream().filter(k -> k.contains("tiles")).count()).as("tile-row tables' entries").isPositive();
      assertThat(j.keySet()).isEqualTo(d.keySet());
      for (String k : d.keySet()) {
        assertThat(j.get(k)).as("entry %s", k).isEqualTo(d.get(k));
      }
    } finally {
      client.shutdown();
    }
  }

  /** The string entries under a prefix, by key without the prefix, values in hex. */
  private static TreeMap<String, String> entries(StatefulRedisConnection<byte[], byte[]> c, String prefix) {
    TreeMap<String, String> out = new TreeMap<>();
    for (byte[] key : c.sync().keys(prefix + ":*")) {
      String type = c.sync().type(key);
      String name = new String(key, prefix.length(), key.length - prefix.length(), StandardCharsets.ISO_8859_1);
      out.put(name, type.equals("string") ? HexFormat.of().formatHex(c.sync().get(key)) : type);
    }
    return out;
  }
}
