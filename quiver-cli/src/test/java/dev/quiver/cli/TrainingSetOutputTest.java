package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training-set files and previews state timestamps in UTC and values exactly, whatever the machine's
 * time zone: {@code quiver historical} run in a process whose {@code TZ} (DuckDB's zone) and
 * {@code user.timezone} (the JVM's) are not UTC writes the same bytes as one run in UTC.
 */
class TrainingSetOutputTest {
  private static final String QUERY = "SELECT user_id, event_ts - INTERVAL 1 MICROSECOND AS event_timestamp,"
      + " created_ts::TIMESTAMPTZ AS created_tz, event_ts::DATE AS day FROM transactions WHERE txn_id % 40 = 0 ORDER BY txn_id";
  private static final String FEATURES = "user_txn:last_amount,user_txn:amount_avg_30d,user_txn:amount_std_30d,user_txn:last_5_amounts";
  private static final String ISO_UTC = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z";

  @TempDir Path tmp;
  String r;

  @BeforeEach
  void init() {
    r = tmp.resolve("repo").toString();
    assertThat(Cli.run("init", r, "--rows", "3000", "--start", "2026-01-01").exitCode()).isZero();
    assertThat(Cli.run("apply", "--repo", r).exitCode()).isZero();
  }

  @Test
  void timestampsAreUtcAndPreviewsExactWhateverTheMachinesTimeZone() throws Exception {
    Path here = tmp.resolve("utc.csv");
    Cli local = Cli.run("historical", "--repo", r, "--query-sql", QUERY, "--features", FEATURES, "--out", here.toString(),
        "--save", "utc_csv");
    assertThat(local.exitCode()).as(local.toString()).isZero();

    Path there = tmp.resolve("kolkata.csv");
    String out = runElsewhere("historical", "--repo", r, "--query-sql", QUERY, "--features", FEATURES, "--out", there.toString(),
        "--preview", "1000");
    assertThat(out).containsPattern("Wrote \\d+ rows x 4 features");
    assertThat(Files.mismatch(here, there)).as("the same bytes in another time zone").isEqualTo(-1);
    previewShowsTheValuesTheFileHolds(out, there);

    List<String> lines = Files.readAllLines(there);
    assertThat(lines.getFirst()).isEqualTo("user_id,event_timestamp,created_tz,day,last_amount,amount_avg_30d,amount_std_30d,last_5_amounts");
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split(",", 5);
      assertThat(cells[1]).matches(ISO_UTC);
      assertThat(cells[2]).matches(ISO_UTC);
      assertThat(cells[3]).matches("\\d{4}-\\d\\d-\\d\\dT00:00:00\\.000000Z");
    }
    // the values are the source's instants: the first query row's, read independently of the engine
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      try (ResultSet rs = s.executeQuery("SELECT strftime(event_ts - INTERVAL 1 MICROSECOND, '%Y-%m-%dT%H:%M:%S.%fZ'),"
          + " strftime(created_ts, '%Y-%m-%dT%H:%M:%S.%fZ') FROM '" + Path.of(r, "data/transactions.parquet")
          + "' WHERE txn_id % 40 = 0 ORDER BY txn_id LIMIT 1")) {
        rs.next();
        assertThat(lines.get(1).split(",")[1]).isEqualTo(rs.getString(1));
        assertThat(lines.get(1).split(",")[2]).isEqualTo(rs.getString(2));
      }
    }

    // a saved CSV reproduces byte for byte in the other zone
    assertThat(runElsewhere("datasets", "reproduce", "utc_csv", "--repo", r, "--out", tmp.resolve("again.csv").toString()))
        .contains("Identical to the saved training set");

    Path parquet = tmp.resolve("kolkata.parquet");
    runElsewhere("historical", "--repo", r, "--query-sql", QUERY, "--features", FEATURES, "--out", parquet.toString());
    List<String> timestampTypes = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT name, logical_type FROM parquet_schema('" + parquet + "')"
            + " WHERE logical_type LIKE 'TimestampType%'")) {
      while (rs.next()) {
        timestampTypes.add(rs.getString(1) + " " + rs.getString(2));
      }
    }
    assertThat(timestampTypes).hasSize(3).allSatisfy(t -> assertThat(t).contains("isAdjustedToUTC=1"));
  }

  /** {@code --preview} prints every row's values as the file holds them: doubles, timestamps and lists in full. */
  private static void previewShowsTheValuesTheFileHolds(String out, Path csv) throws Exception {
    List<String> table = out.lines().dropWhile(l -> !l.startsWith("user_id")).toList();
    List<String> file = Files.readAllLines(csv);
    assertThat(table).hasSize(file.size());
    int exact = 0;
    for (int i = 0; i < file.size(); i++) {
      List<String> cells = csvCells(file.get(i));
      assertThat(table.get(i).split(" {2,}")).as("preview row %d", i)
          .containsExactly(cells.stream().map(c -> c.isEmpty() ? "null" : c).toArray(String[]::new));
      exact += cells.get(5).matches("-?\\d+\\.\\d{3,}") ? 1 : 0;
    }
    assertThat(exact).as("averages with more than two decimals, shown in full").isGreaterThan(5);
    assertThat(String.join("\n", table)).containsPattern("\\[[0-9.]+, [0-9.]+(, [0-9.]+)*]"); // lists in full
  }

  /** Runs the CLI in a new JVM whose time zone (TZ for DuckDB, user.timezone for Java) is not UTC; returns its output. */
  private static String runElsewhere(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
        "--enable-native-access=ALL-UNNAMED", "-Duser.timezone=America/New_York", "-cp", System.getProperty("java.class.path"),
        Main.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("TZ", "Asia/Kolkata");
    Process p = builder.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  /** The cells of one CSV line: commas split them, except inside double quotes. */
  private static List<String> csvCells(String line) {
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (char ch : line.toCharArray()) {
      if (ch == '"') {
        quoted = !quoted;
      } else if (ch == ',' && !quoted) {
        cells.add(cell.toString());
        cell.setLength(0);
      } else {
        cell.append(ch);
      }
    }
    cells.add(cell.toString());
    return cells;
  }
}
