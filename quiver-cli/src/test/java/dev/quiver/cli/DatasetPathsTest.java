package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Saved datasets record paths relative to the feature repo, so {@code datasets reproduce} works in a
 * clone at another path; records saved with absolute paths (dataset format 1) still load; and
 * fingerprints list exactly the files the engine reads.
 */
class DatasetPathsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FEATURES = "user_txn:last_amount,user_profile:risk_segment";

  @TempDir Path tmp;
  Path repo;

  @BeforeEach
  void init() throws Exception {
    repo = tmp.resolve("repo");
    Cli init = Cli.run("init", repo.toString(), "--rows", "3000", "--start", "2026-01-01");
    assertThat(init.exitCode()).as(init.toString()).isZero();
    Files.createDirectories(repo.resolve("labels"));
    duckdb("COPY (SELECT user_id, event_ts + INTERVAL 1 SECOND AS event_timestamp FROM '" + repo.resolve("data/transactions.parquet")
        + "' WHERE txn_id % 5 = 0 ORDER BY txn_id) TO '" + repo.resolve("labels/q.parquet") + "' (FORMAT parquet)");
  }

  @Test
  void aDatasetReproducesInACloneAtAnotherPathAndNamesOnlyTheFilesThatChanged() throws Exception {
    apply(repo);
    save(repo, "t1");
    JsonNode shown = show(repo, "t1");
    assertThat(shown.path("query").path("path").asText()).isEqualTo("labels/q.parquet");
    assertThat(shown.path("output").asText()).isEqualTo("out/train.parquet");
    assertThat(names(shown.path("source_fingerprints")))
        .containsExactly("data/transactions.parquet", "data/user_profiles.parquet");

    // the clone lives elsewhere, and the original is gone: no absolute path of it can be used
    Path clone = tmp.resolve("elsewhere/deeper/clone");
    Files.createDirectories(clone.getParent());
    Files.move(repo, clone);
    Cli again = Cli.run("datasets", "reproduce", "t1", "--repo", clone.toString(), "--out", clone.resolve("again.parquet").toString());
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.out()).contains("Identical to the saved training set");

    duckdb("COPY (SELECT * FROM '" + clone.resolve("data/user_profiles.parquet") + "' LIMIT 10) TO '" + tmp.resolve("fewer.parquet")
        + "' (FORMAT parquet)");
    Files.move(tmp.resolve("fewer.parquet"), clone.resolve("data/user_profiles.parquet"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Cli changed = Cli.run("datasets", "reproduce", "t1", "--repo", clone.toString(), "--out", clone.resolve("again.parquet").toString());
    assertThat(changed.exitCode()).as(changed.toString()).isEqualTo(1);
    assertThat(changed.err()).contains("source files changed since it was saved; changed: data/user_profiles.parquet")
        .doesNotContain("transactions");
  }

  @Test
  void aDatasetSavedWithAbsolutePathsStillLoadsAndReproducesInPlace() throws Exception {
    apply(repo);
    save(repo, "t1");
    // the record as dataset format 1 wrote it: every path absolute, no allow_external_files
    Path datasets = repo.resolve(".quiver/registry/datasets");
    ObjectNode old = (ObjectNode) JSON.readTree(datasets.resolve("t1.json").toFile());
    String root = repo.toAbsolutePath().normalize() + "/";
    old.put("format", 1).put("name", "old_t1").put("output", root + old.path("output").asText());
    ((ObjectNode) old.path("query")).put("path", root + old.path("query").path("path").asText());
    ObjectNode sources = JSON.createObjectNode();
    old.path("source_fingerprints").properties().forEach(e -> sources.set(root + e.getKey(), e.getValue()));
    old.set("source_fingerprints", sources);
    Files.write(datasets.resolve("old_t1.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(old));

    assertThat(Cli.run("datasets", "list", "--repo", repo.toString()).out()).contains("old_t1", "t1");
    assertThat(show(repo, "old_t1").path("query").path("path").asText()).isEqualTo(root + "labels/q.parquet");
    Cli again = Cli.run("datasets", "reproduce", "old_t1", "--repo", repo.toString(), "--out", tmp.resolve("again.parquet").toString());
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.out()).contains("Identical to the saved training set");
  }

  /**
   * A source path {@code data/tx/**}{@code /*.parquet} reads the files at the top of {@code
   * data/tx} as well as those below, in the engine and in the saved fingerprints alike.
   */
  @Test
  void fingerprintsListEveryFileTheEnginesGlobReads() throws Exception {
    Path tx = repo.resolve("data/tx");
    Files.createDirectories(tx.resolve("2026/01"));
    Path all = repo.resolve("data/transactions.parquet");
    duckdb("COPY (SELECT * FROM '" + all + "' WHERE txn_id % 3 = 0) TO '" + tx.resolve("top.parquet") + "' (FORMAT parquet)");
    duckdb("COPY (SELECT * FROM '" + all + "' WHERE txn_id % 3 = 1) TO '" + tx.resolve("2026/mid.parquet") + "' (FORMAT parquet)");
    duckdb("COPY (SELECT * FROM '" + all + "' WHERE txn_id % 3 = 2) TO '" + tx.resolve("2026/01/low.parquet") + "' (FORMAT parquet)");
    Files.delete(all);
    Path yaml = repo.resolve("features/payments.yaml");
    Files.writeString(yaml, Files.readString(yaml).replace("path: data/transactions.parquet", "path: data/tx/**/*.parquet"));
    apply(repo);

    save(repo, "t1");

    assertThat(names(show(repo, "t1").path("source_fingerprints"))).containsExactly(
        "data/tx/2026/01/low.parquet", "data/tx/2026/mid.parquet", "data/tx/top.parquet", "data/user_profiles.parquet");
    Cli again = Cli.run("datasets", "reproduce", "t1", "--repo", repo.toString(), "--out", tmp.resolve("again.parquet").toString());
    assertThat(again.exitCode()).as(again.toString()).isZero();
  }

  private static void apply(Path repo) {
    Cli apply = Cli.run("apply", "--repo", repo.toString(), "-m", "v1");
    assertThat(apply.exitCode()).as(apply.toString()).isZero();
  }

  private static void save(Path repo, String name) {
    Cli run = Cli.run("historical", "--repo", repo.toString(), "--query", repo.resolve("labels/q.parquet").toString(),
        "--features", FEATURES, "--out", repo.resolve("out/train.parquet").toString(), "--save", name);
    assertThat(run.exitCode()).as(run.toString()).isZero();
  }

  private static JsonNode show(Path repo, String name) throws IOException {
    Cli show = Cli.run("datasets", "show", name, "--repo", repo.toString(), "--output", "json");
    assertThat(show.exitCode()).as(show.toString()).isZero();
    return JSON.readTree(show.out());
  }

  private static List<String> names(JsonNode object) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> i = object.fieldNames(); i.hasNext(); ) {
      names.add(i.next());
    }
    return names;
  }

  private static void duckdb(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
