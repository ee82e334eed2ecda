package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.testkit.LocalRedis;
import dev.quiver.testkit.LocalRedisCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Materialization into a real Redis and a real 3-master Redis Cluster (started by the test):
 * online answers equal offline answers, and a Redis outage fails the run clearly, keeps the
 * watermark, and a rerun after Redis is back completes.
 *
 * <p>Runs that are not about the outage get timeouts that fit a loaded 2-core CI machine ({@link
 * #PATIENT}): with 300 ms for every run, the first one sometimes could not connect in time. The run
 * during the outage keeps 300 ms.
 */
class MaterializeRedisTest {
  /** Timeouts for the runs that are not about the outage. */
  static final String PATIENT = "connect_timeout: 10s, command_timeout: 10s";
  /** Timeouts for the run during the outage: it must fail fast. */
  static final String SHORT = "connect_timeout: 300ms, command_timeout: 300ms";

  @TempDir Path tmp;

  @Test
  void standaloneRedisAnswersLikeTheOfflineEngineAndSurvivesAnOutage() throws Exception {
    try (LocalRedis redis = LocalRedis.start()) {
      String online = "online: {type: redis, url: \"" + redis.url() + "\", ";
      Path repo = repo(online + PATIENT + "}");
      Instant middle = Instant.parse("2026-02-01T00:00:00Z");
      Cli first = Cli.run("materialize", "2000-01-01", middle.toString(), "--repo", repo.toString());
      assertThat(first.exitCode()).as(first.toString()).isZero();

      redis.stop();
      setOnline(repo, online + SHORT + "}");
      Cli failed = Cli.run("materialize", "2000-01-01", MaterializeTest.END.toString(), "--repo", repo.toString());
      assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
      assertThat(failed.err()).contains("redis at 127.0.0.1:" + redis.port()).doesNotContain("\tat ");
      try (FeatureRepo r = FeatureRepo.open(repo)) {
        assertThat(r.registry().watermark("user_txn@v1").orElseThrow().end()).as("the watermark stays").isEqualTo(middle);
      }

      redis.startAgain();
      setOnline(repo, online + PATIENT + "}");
      Cli rerun = Cli.run("materialize", "2000-01-01", MaterializeTest.END.toString(), "--repo", repo.toString());
      assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
      try (FeatureRepo r = FeatureRepo.open(repo, Clock.fixed(MaterializeTest.END, ZoneOffset.UTC))) {
        assertThat(r.registry().watermark("user_txn@v1").orElseThrow().end()).isEqualTo(MaterializeTest.END);
        assertThat(MaterializeTest.mismatches(r, 400)).isZero();
      }
    }
  }

  @Test
  void redisClusterAnswersLikeTheOfflineEngine() throws Exception {
    try (LocalRedisCluster cluster = LocalRedisCluster.start(3)) {
      Path repo = repo("online: {type: redis, cluster: true, url: \"" + cluster.urls() + "\", " + PATIENT + "}");
      Cli run = Cli.run("materialize", "2000-01-01", MaterializeTest.END.toString(), "--repo", repo.toString());
      assertThat(run.exitCode()).as(run.toString()).isZero();
      try (FeatureRepo r = FeatureRepo.open(repo, Clock.fixed(MaterializeTest.END, ZoneOffset.UTC))) {
        assertThat(MaterializeTest.mismatches(r, 400)).isZero();
      }
    }
  }

  private Path repo(String onlineSection) throws Exception {
    Path repo = tmp.resolve("repo");
    assertThat(Cli.run("init", repo.toString(), "--rows", "20000", "--start", "2026-01-01").exitCode()).isZero();
    setOnline(repo, onlineSection);
    assertThat(Cli.run("apply", "--repo", repo.toString()).exitCode()).isZero();
    return repo;
  }

  /** Replaces the online store section of the repo's quiver.yaml (the generated block, or one line set here). */
  private static void setOnline(Path repo, String onlineSection) throws Exception {
    Path config = repo.resolve("quiver.yaml");
    String yaml = Files.readString(config).replaceAll("(?m)^online:(\\n(  .*\\n)+| \\{.*\\n)", onlineSection + "\n");
    assertThat(yaml).contains(onlineSection);
    Files.writeString(config, yaml);
  }
}
