package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.repo.FeatureRepo;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A materialization killed midway (SIGKILL of a real process) and run again reaches exactly the
 * state of an uninterrupted run, and its watermark moves only once the rows are written.
 */
class MaterializeKillTest {
  @TempDir Path tmp;

  @Test
  void killedMidwayThenRerunEqualsAnUninterruptedRun() throws Exception {
    Path repo = tmp.resolve("repo");
    assertThat(Cli.run("init", repo.toString(), "--rows", "100000", "--start", "2026-01-01").exitCode()).isZero();
    assertThat(Cli.run("apply", "--repo", repo.toString()).exitCode()).isZero();
    Path clean = tmp.resolve("clean");
    copyRepo(repo, clean);

    // Kill the writer after its 5th batch of user_txn rows: some rows written, the watermark not moved.
    Process child = new ProcessBuilder(javaBin(), "--enable-native-access=ALL-UNNAMED", "-Dquiver.materialize.batch=50",
        "-cp", System.getProperty("java.class.path"), MaterializeChild.class.getName(),
        repo.toString(), "2000-01-01T00:00:00Z", MaterializeTest.END.toString())
        .redirectErrorStream(true).start();
    String killedAt = null;
    try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream()))) {
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith("BATCH user_txn@v1 250")) {
          child.destroyForcibly();
          killedAt = line;
          break;
        }
      }
    }
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(killedAt).as("the child reached user_txn and was killed mid-view").isNotNull();
    try (FeatureRepo r = FeatureRepo.open(repo)) {
      assertThat(r.registry().watermark("user_txn@v1")).as("killed before the end: no watermark").isEmpty();
      assertThat(r.registry().watermark("user_profile@v1")).as("finished views keep theirs").isPresent();
      long stored = r.getOnlineFeatures(List.of(FeatureRef.of("user_txn:last_amount")), Map.of("user_id", users(2000)), false)
          .features().getFirst().eventTimes().stream().filter(t -> t != null).count();
      assertThat(stored).as("some but not all user_txn rows were written").isBetween(1L, 1999L);
    }

    assertThat(Cli.run("materialize", "2000-01-01", "2026-03-15", "--repo", repo.toString()).exitCode()).isZero();
    assertThat(Cli.run("materialize", "2000-01-01", "2026-03-15", "--repo", clean.toString()).exitCode()).isZero();
    try (FeatureRepo a = FeatureRepo.open(repo, Clock.fixed(MaterializeTest.END, ZoneOffset.UTC));
        FeatureRepo b = FeatureRepo.open(clean, Clock.fixed(MaterializeTest.END, ZoneOffset.UTC))) {
      List<Object> ids = users(2000);
      OnlineResponse rerun = a.getOnlineFeatures(List.of(FeatureRef.of("user_txn:last_amount"), FeatureRef.of("user_txn:last_country"),
          FeatureRef.of("user_profile:home_country")), Map.of("user_id", ids), false);
      OnlineResponse uninterrupted = b.getOnlineFeatures(List.of(FeatureRef.of("user_txn:last_amount"), FeatureRef.of("user_txn:last_country"),
          FeatureRef.of("user_profile:home_country")), Map.of("user_id", ids), false);
      for (int f = 0; f < rerun.features().size(); f++) {
        FeatureColumn x = rerun.features().get(f);
        FeatureColumn y = uninterrupted.features().get(f);
        assertThat(x.values()).isEqualTo(y.values());
        assertThat(x.statuses()).isEqualTo(y.statuses());
        assertThat(x.eventTimes()).isEqualTo(y.eventTimes());
      }
      assertThat(a.registry().watermark("user_txn@v1").orElseThrow().end()).isEqualTo(MaterializeTest.END);
    }
  }

  private static List<Object> users(int n) {
    List<Object> ids = new ArrayList<>();
    for (long u = 1; u <= n; u++) {
      ids.add(u);
    }
    return ids;
  }

  private static String javaBin() {
    return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
  }

  private static void copyRepo(Path from, Path to) throws Exception {
    try (var walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
