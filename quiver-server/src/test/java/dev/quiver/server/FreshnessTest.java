package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quiver_view_freshness_seconds{view}} is now minus the newest event time written online for
 * the view — by materialization or a push — not the materialization's END, and a restarted server
 * reports the same.
 */
class FreshnessTest {
  private static final Pattern FRESHNESS = Pattern.compile("quiver_view_freshness_seconds\\{view=\"user_stats@v1\"} (\\S+)");

  @TempDir Path tmp;

  static double freshness(Http http) {
    Http.Reply m = http.get("/metrics");
    Matcher matcher = FRESHNESS.matcher(m.body());
    assertThat(matcher.find()).as(m.body()).isTrue();
    return Double.parseDouble(matcher.group(1));
  }

  static double secondsSince(Instant t) {
    return Duration.between(t, Instant.now()).toMillis() / 1000.0;
  }

  @Test
  void freshnessIsNowMinusTheNewestEventTimeWrittenAndSurvivesARestart() {
    // materialized to 2026-02-01; the newest source row (user 100) is at 2026-01-01 01:40
    Path dir = TestRepo.rocksdb(tmp.resolve("repo"));
    Instant newestRow = Instant.parse("2026-01-01T01:40:00Z");
    Instant pushed = Instant.now().minus(Duration.ofMinutes(5)).truncatedTo(ChronoUnit.SECONDS);
    try (FeatureRepo repo = FeatureRepo.open(dir);
         QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1));
         Http http = new Http(server.httpPort())) {
      assertThat(freshness(http)).as("not the watermark 2026-02-01").isCloseTo(secondsSince(newestRow), within(30.0));

      Http.Reply push = http.post("/push", PushTest.push("online", 5, pushed.toString(), 1.0, "JP"));
      assertThat(push.status()).as(push.body()).isEqualTo(200);
      assertThat(freshness(http)).isCloseTo(secondsSince(pushed), within(30.0));

      Http.Reply older = http.post("/push", PushTest.push("online", 6, "2026-01-02T00:00:00Z", 1.0, "JP"));
      assertThat(older.status()).as(older.body()).isEqualTo(200);
      assertThat(freshness(http)).as("an older push does not make the view look staler").isCloseTo(secondsSince(pushed), within(30.0));
    }
    try (FeatureRepo repo = FeatureRepo.open(dir);
         QuiverServer restarted = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1));
         Http http = new Http(restarted.httpPort())) {
      assertThat(freshness(http)).as("kept in the online store").isCloseTo(secondsSince(pushed), within(30.0));
    }
  }
}
