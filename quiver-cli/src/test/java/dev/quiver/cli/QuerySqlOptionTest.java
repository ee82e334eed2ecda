package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quiver historical --query-sql}: one SELECT, files inside the repo, {@code --allow-external-files}. */
class QuerySqlOptionTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  Path repo;
  String r;

  @BeforeEach
  void init() throws Exception {
    repo = tmp.resolve("repo");
    r = repo.toString();
    Cli init = Cli.run("init", r, "--rows", "2000", "--start", "2026-01-01");
    assertThat(init.exitCode()).as(init.toString()).isZero();
    assertThat(Cli.run("apply", "--repo", r).exitCode()).isZero();
    Files.writeString(repo.resolve("labels.csv"), "user_id,label\n1,1\n2,0\n3,1\n");
    Files.writeString(tmp.resolve("labels.csv"), "user_id,label\n1,1\n2,0\n3,1\n");
  }

  private String query(Path labels) {
    return "SELECT t.user_id, t.event_ts AS event_timestamp, l.label FROM transactions t JOIN read_csv('" + labels
        + "') l USING (user_id) WHERE t.txn_id % 3 = 0";
  }

  @Test
  void aSelectReadsFilesInsideTheRepoAndWritesAnywhere() {
    Path out = tmp.resolve("elsewhere/train.csv");
    Cli run = Cli.run("historical", "--repo", r, "--query-sql", query(repo.resolve("labels.csv")),
        "--features", "user_txn:last_amount,user_txn:txn_count_7d", "--out", out.toString());
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(out).exists();
  }

  @Test
  void aFileOutsideTheRepoNeedsAllowExternalFilesWhichIsRecordedAndReproduced() throws Exception {
    String sql = query(tmp.resolve("labels.csv"));
    Cli refused = Cli.run("historical", "--repo", r, "--query-sql", sql, "--features", "user_txn:last_amount",
        "--out", tmp.resolve("t.parquet").toString());
    assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
    assertThat(refused.err().strip()).startsWith("error: the query SQL (--query-sql) reads " + tmp.resolve("labels.csv"))
        .contains("outside the feature repo", "pass --allow-external-files").doesNotContain("\tat ", "\n");
    assertThat(tmp.resolve("t.parquet")).doesNotExist();

    Cli allowed = Cli.run("historical", "--repo", r, "--query-sql", sql, "--allow-external-files", "--features", "user_txn:last_amount",
        "--out", tmp.resolve("t.parquet").toString(), "--save", "ext");
    assertThat(allowed.exitCode()).as(allowed.toString()).isZero();
    JsonNode shown = JSON.readTree(Cli.run("datasets", "show", "ext", "--repo", r, "--output", "json").out());
    assertThat(shown.path("query").path("allow_external_files").asBoolean()).isTrue();
    Cli again = Cli.run("datasets", "reproduce", "ext", "--repo", r, "--out", tmp.resolve("again.parquet").toString());
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.out()).contains("Identical");
  }

  @Test
  void anythingButOneSelectIsRefusedWithOneLine() {
    for (String[] sqlAndProblem : new String[][] {
        {"SELECT user_id, event_ts AS event_timestamp FROM transactions; SELECT 1", "it has 2 statements"},
        {"COPY transactions TO '" + repo.resolve("copy.csv") + "'", "not COPY;"},
        {"ATTACH '" + repo.resolve("x.db") + "'", "not ATTACH;"}}) {
      Cli run = Cli.run("historical", "--repo", r, "--query-sql", sqlAndProblem[0], "--features", "user_txn:last_amount",
          "--out", tmp.resolve("t.parquet").toString());
      assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
      assertThat(run.err()).contains("the query SQL (--query-sql) must be one SELECT statement", sqlAndProblem[1]).doesNotContain("\tat ");
    }
    assertThat(repo.resolve("copy.csv")).doesNotExist();
    Cli misuse = Cli.run("historical", "--repo", r, "--query", repo.resolve("labels.csv").toString(), "--allow-external-files",
        "--features", "user_txn:last_amount", "--out", tmp.resolve("t.parquet").toString());
    assertThat(misuse.exitCode()).isEqualTo(1);
    assertThat(misuse.err()).contains("--allow-external-files applies to --query-sql only");
  }
}
