package dev.quiver.offline.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.spi.SourceColumn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The query rows' SQL is exactly one SELECT, checked by DuckDB's parser before anything runs, and
 * reads files inside the feature repo only (DuckDB's sandbox) unless external files are allowed.
 */
class QuerySqlTest {
  @TempDir Path tmp;
  Path repo;
  Path outside;
  OfflineEngine engine;
  List<FileSource> tables;

  @BeforeEach
  void setUp() throws Exception {
    repo = tmp.resolve("repo");
    outside = tmp.resolve("outside");
    Files.createDirectories(repo.resolve("data"));
    Files.createDirectories(outside);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT 1::BIGINT AS user_id, TIMESTAMP '2026-01-01' AS event_ts) TO '" + repo.resolve("data/txns.parquet")
          + "' (FORMAT parquet)");
      s.execute("COPY (SELECT 'secret' AS s) TO '" + outside.resolve("secret.parquet") + "' (FORMAT parquet)");
    }
    Files.writeString(repo.resolve("labels.csv"), "user_id,label\n1,0\n");
    Files.writeString(outside.resolve("secret.csv"), "s\nsecret\n");
    Files.writeString(outside.resolve("secret.json"), "{\"s\": \"secret\"}\n");
    Files.createSymbolicLink(repo.resolve("data/link.csv"), outside.resolve("secret.csv"));
    Files.createSymbolicLink(repo.resolve("data/out"), outside);
    engine = new DuckDbEngineProvider().open(Map.of());
    tables = List.of(new FileSource("txns", "data/txns.parquet", FileFormat.PARQUET, "event_ts", null, null, null),
        new FileSource("gone", "data/gone.parquet", FileFormat.PARQUET, "event_ts", null, null, null));
  }

  @AfterEach
  void close() {
    engine.close();
  }

  private List<SourceColumn> describe(String sql) {
    return engine.describe(new QueryInput.Sql(sql), tables, repo);
  }

  private List<SourceColumn> describeAllowingExternalFiles(String sql) {
    return engine.describe(new QueryInput.Sql(sql, true), tables, repo);
  }

  @Test
  void oneSelectRunsWhateverItsCommentsStringsAndTrailingSemicolon() {
    assertThat(describe("SELECT user_id, ';' AS s FROM txns;")).extracting(SourceColumn::name).containsExactly("user_id", "s");
    assertThat(describe("WITH t AS (SELECT * FROM txns) SELECT user_id FROM t -- ; ATTACH 'x.db'")).hasSize(1);
    assertThat(describe("/* ; COPY */ FROM txns; -- done; really")).hasSize(2);
    assertThat(describe("SELECT user_id FROM txns UNION ALL SELECT 2")).hasSize(1);
    assertThat(engine.tablesRead(new QueryInput.Sql("SELECT * FROM txns t JOIN (SELECT 1 AS user_id) u USING (user_id)"), tables))
        .extracting(FileSource::name).containsExactly("txns");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "COPY txns TO 'REPO/x.csv'", "ATTACH 'REPO/x.db' AS x", "INSTALL httpfs", "LOAD httpfs", "PRAGMA version", "SET threads = 1",
      "CREATE TABLE t AS SELECT 1", "INSERT INTO txns VALUES (2, now())", "DROP VIEW txns", "EXPORT DATABASE 'x'",
      "CALL pragma_version()", "DETACH x", "CREATE SECRET s (TYPE s3)"})
  void everyOtherStatementIsRefusedBeforeItRunsAndNamed(String sql) {
    String keyword = sql.split(" ")[0];
    assertThatThrownBy(() -> describe(sql.replace("REPO", repo.toString())))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("the query SQL (--query-sql) must be one SELECT statement")
        .hasMessageContaining("(WITH ... SELECT is fine), not " + keyword + ";");
    assertThat(repo.resolve("x.csv")).doesNotExist();
    assertThat(repo.resolve("x.db")).doesNotExist();
  }

  @Test
  void aSecondStatementIsRefusedHoweverItHides() {
    assertThatThrownBy(() -> describe("SELECT 1 AS a; SELECT 2 AS a"))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("it has 2 statements");
    for (String sql : List.of("SELECT * FROM txns; COPY txns TO 'REPO/x.csv'", "SELECT ';' AS a; ATTACH 'REPO/x.db'",
        "SELECT 1 /* ; */; ATTACH 'REPO/x.db'", "SELECT 1 -- a comment\n; COPY txns TO 'REPO/x.csv'")) {
      assertThatThrownBy(() -> describe(sql.replace("REPO", repo.toString()))).as(sql).isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("must be one SELECT statement");
    }
    assertThatThrownBy(() -> describe("selec 1")).isInstanceOf(InvalidRequestException.class).hasMessageContaining("is not valid SQL");
    assertThatThrownBy(() -> describe("  -- nothing")).isInstanceOf(InvalidRequestException.class).hasMessageContaining("is empty");
    assertThat(repo.resolve("x.csv")).doesNotExist();
  }

  @Test
  void onlyTheSourcesTheQueryNamesAreOpened() {
    // 'gone' has no file: a query that does not name it does not care
    assertThat(describe("SELECT user_id FROM txns")).hasSize(1);
    assertThatThrownBy(() -> describe("SELECT * FROM gone"))
        .isInstanceOf(dev.quiver.core.SourceDataException.class)
        .hasMessageContaining("source 'gone': no file matches data/gone.parquet");
  }

  @Test
  void filesInsideTheRepoCanBeRead() {
    assertThat(describe("SELECT t.user_id, l.label FROM txns t JOIN read_csv('" + repo.resolve("labels.csv") + "') l USING (user_id)"))
        .extracting(SourceColumn::name).containsExactly("user_id", "label");
    assertThat(describe("SELECT * FROM '" + repo.resolve("data/*.parquet") + "'")).hasSize(2);
  }

  @Test
  void filesOutsideTheRepoAreRefusedHoweverTheyAreNamed() {
    String out = outside.toString();
    String up = repo.resolve("data/../../outside").toString(); // not normalized: DuckDB sees the ..
    for (String sql : List.of(
        "SELECT * FROM read_csv('" + out + "/secret.csv')",
        "SELECT * FROM read_parquet('" + out + "/secret.parquet')",
        "SELECT * FROM parquet_scan('" + out + "/secret.parquet')",
        "SELECT * FROM read_json('" + out + "/secret.json')",
        "SELECT * FROM read_text('" + out + "/secret.csv')",
        "SELECT * FROM glob('" + out + "/*')",
        "SELECT * FROM '" + out + "/secret.csv'",
        "SELECT * FROM read_csv('" + up + "/secret.csv')",
        "SELECT * FROM read_csv('" + tmp + "/out*/*.csv')",
        "SELECT * FROM read_csv('../outside-of-any-repo.csv')",
        "SELECT * FROM read_csv('" + repo.resolve("data/link.csv") + "')",
        "SELECT * FROM read_csv('" + repo.resolve("data/out/secret.csv") + "')",
        "SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')",
        "SELECT * FROM query('SELECT * FROM read_csv(''" + out + "/secret.csv'')')")) {
      assertThatThrownBy(() -> describe(sql)).as(sql)
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("which is outside the feature repo (" + repo.toAbsolutePath().normalize() + ")")
          .hasMessageContaining("pass --allow-external-files");
    }
  }

  @Test
  void allowingExternalFilesLiftsTheFileRuleOnly() {
    assertThat(describeAllowingExternalFiles("SELECT * FROM read_csv('" + outside.resolve("secret.csv") + "')"))
        .extracting(SourceColumn::name).containsExactly("s");
    assertThat(describeAllowingExternalFiles("SELECT * FROM read_csv('" + repo.resolve("data/link.csv") + "')")).hasSize(1);
    assertThatThrownBy(() -> describeAllowingExternalFiles("COPY txns TO '" + outside.resolve("x.csv") + "'"))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("not COPY;");
    assertThat(outside.resolve("x.csv")).doesNotExist();
  }
}
