package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import dev.quiver.core.derived.Transforms;
import dev.quiver.core.load.DefinitionLoader;
import dev.quiver.core.load.RepoConfig;
import dev.quiver.core.load.TransformClasspath;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.testkit.TransformJars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Custom transforms from a jar that is not on Quiver's classpath, named by {@code quiver.yaml}'s
 * {@code classpath:} list or {@code $QUIVER_CLASSPATH}: plan and apply validate with it, and
 * training sets and online reads compute with it. The jar is compiled by the test.
 */
class TransformClasspathTest {
  static final String DEFINITIONS = """
      entities:
        - {name: user, join_keys: [user_id], type: int64}
      sources:
        - {name: txns, path: data/txns.parquet, timestamp: event_ts}
      feature_views:
        - name: user_stats
          entities: [user]
          source: txns
          ttl: 3650d
          features:
            - {name: amount, column: amount}
            - {name: amount_x2, transform: %s, args: [amount]}
      """.formatted(TransformJars.DOUBLER);

  @TempDir Path tmp;
  Path repo;

  @BeforeEach
  void createRepo() throws Exception {
    repo = tmp.resolve("repo");
    Files.createDirectories(repo.resolve("features"));
    Files.createDirectories(repo.resolve("data"));
    Files.writeString(repo.resolve("features/defs.yaml"), DEFINITIONS);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT i::BIGINT AS user_id, TIMESTAMP '2026-01-01 00:00:00' + to_minutes(i) AS event_ts,"
          + " i * 1.5 AS amount FROM range(1, 11) t(i)) TO '" + repo.resolve("data/txns.parquet") + "' (FORMAT parquet)");
    }
    TransformJars.doubler(repo.resolve("lib/doubler.jar"));
  }

  private void config(String extra) throws Exception {
    Files.writeString(repo.resolve("quiver.yaml"), """
        project: transforms
        registry: {type: file, path: .quiver/registry}
        online: {type: rocksdb, path: .quiver/online}
        definitions: [features]
        %s
        """.formatted(extra));
  }

  @Test
  void theTransformIsNotOnTheTestClasspath() {
    assertThatThrownBy(() -> Class.forName(TransformJars.DOUBLER)).isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void withoutTheJarPlanSaysWhereToPutIt() throws Exception {
    config("");
    Cli plan = Cli.run("plan", "--repo", repo.toString());
    assertThat(plan.exitCode()).as(plan.toString()).isNotZero();
    assertThat(plan.err()).contains("transform class '" + TransformJars.DOUBLER + "' is not on the classpath; add its jar to"
        + " 'classpath:' in quiver.yaml or to $QUIVER_CLASSPATH");
  }

  @Test
  void aJarOnTheRepoClasspathServesApplyTrainingSetsAndOnlineReads() throws Exception {
    config("classpath: [lib/*.jar]");
    Cli apply = Cli.run("apply", "--repo", repo.toString(), "-m", "with a transform");
    assertThat(apply.exitCode()).as(apply.toString()).isZero();

    try (FeatureRepo r = FeatureRepo.open(repo);
         HistoricalRows rows = r.getHistoricalFeatures(HistoricalRequest.ofFeatures(
             new QueryInput.Sql("SELECT 3::BIGINT AS user_id, TIMESTAMP '2026-02-01 00:00:00' AS event_timestamp"),
             List.of(FeatureRef.of("user_stats:amount_x2"))))) {
      assertThat(rows.next()[2]).as("3 * 1.5 doubled, offline").isEqualTo(9.0);
    }

    Cli materialize = Cli.run("materialize", "--repo", repo.toString(), "2026-01-01", "2026-02-01");
    assertThat(materialize.exitCode()).as(materialize.toString()).isZero();
    Cli online = Cli.run("online", "--repo", repo.toString(), "--features", "user_stats:amount_x2", "--entity", "user_id=3,4");
    assertThat(online.exitCode()).as(online.toString()).isZero();
    assertThat(online.out()).as("doubled, online").contains("9.0").contains("12.0");
  }

  @Test
  void theEnvironmentVariableAddsJarsRelativeToTheWorkingDirectory() throws Exception {
    config("");
    RepoConfig config = new DefinitionLoader().loadConfig(repo);
    try (TransformClasspath classpath = TransformClasspath.of(config, "lib/doubler.jar" + java.io.File.pathSeparator, repo)) {
      assertThat(classpath.entries()).containsExactly(repo.resolve("lib/doubler.jar").toAbsolutePath());
      assertThat(Transforms.load(TransformJars.DOUBLER, classpath.loader()).apply(new Object[] {2.0})).isEqualTo(4.0);
    }
    assertThatThrownBy(() -> TransformClasspath.of(config, "lib/nope.jar", repo)).isInstanceOf(QuiverException.class)
        .hasMessageContaining("QUIVER_CLASSPATH entry 'lib/nope.jar' names " + repo.resolve("lib/nope.jar").toAbsolutePath()
            + ", which does not exist");
  }
}
