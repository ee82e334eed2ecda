package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.testkit.LocalRedis;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Redis outage does not flood the log (it once wrote 94,679 lines in 40 s): with a real Redis stopped
 * mid-test, 1,000 failing reads and pushes (each a 503) leave the first failure of each endpoint in
 * full and a few summaries, every failure counted in {@code quiver_failures_total} and in the lines.
 */
class StoreOutageLogTest {
  @TempDir Path tmp;

  static final String READ = "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [2]}}";

  @Test
  void aThousandFailingRequestsWriteABoundedNumberOfLinesAndAreAllCounted() {
    List<LogRecord> records = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        records.add(r);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger root = Logger.getLogger("");
    LocalRedis redis = LocalRedis.start();
    try {
      Path dir = TestRepo.create(tmp.resolve("repo"), "online: {type: redis, url: \"" + redis.url() + "\","
          + " connect_timeout: 10s, command_timeout: 10s}");
      long nanos;
      String metrics;
      try (FeatureRepo repo = FeatureRepo.open(dir)) {
        QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1));
        try (Http http = new Http(server.httpPort())) {
          assertThat(http.post("/get-online-features", READ).status()).isEqualTo(200);
          redis.stop();
          root.addHandler(capture);
          long start = System.nanoTime();
          for (int i = 0; i < 500; i++) {
            Http.Reply read = http.post("/get-online-features", READ);
            assertThat(read.status()).as(read.body()).isEqualTo(503);
            Http.Reply push = http.post("/push", PushTest.push("online", 500 + i, "2026-03-01T00:00:00Z", 8.25, "SE"));
            assertThat(push.status()).as(push.body()).isEqualTo(503);
          }
          nanos = System.nanoTime() - start;
          metrics = http.get("/metrics").body();
        } finally {
          server.close(); // logs the summaries not written yet
          root.removeHandler(capture);
        }
      }
      double seconds = nanos / 1e9;
      List<LogRecord> ours = records.stream().filter(r -> r.getLoggerName() != null && r.getLoggerName().startsWith("dev.quiver"))
          .filter(r -> r.getMessage() != null && (r.getMessage().startsWith("request to /") || r.getMessage().contains(" more failures (")))
          .toList();
      // per endpoint: one full line, at most one summary per 10 s, one flushed at the stop
      int bound = 2 * (2 + (int) Math.ceil(seconds / 10));
      assertThat(ours.size()).as("%d lines for 1,000 failures in %.1f s", ours.size(), seconds).isBetween(2, bound);
      assertThat(records.size()).as("every logger, Redis's client too: %s", records.size()).isLessThan(100);
      for (String endpoint : List.of("get-online-features", "push")) {
        String path = "/" + endpoint;
        List<LogRecord> lines = ours.stream().filter(r -> r.getMessage().startsWith("request to " + path + " failed")
            || r.getMessage().startsWith(endpoint + ": ")).toList();
        assertThat(lines.getFirst().getThrown()).as("the first in full, with its stack trace").isNotNull();
        assertThat(lines.subList(1, lines.size())).allSatisfy(r -> assertThat(r.getThrown()).isNull());
        long counted = 1;
        for (LogRecord r : lines.subList(1, lines.size())) {
          Matcher m = Pattern.compile(": (\\d+) more failures").matcher(r.getMessage());
          assertThat(m.find()).as(r.getMessage()).isTrue();
          counted += Long.parseLong(m.group(1));
        }
        assertThat(counted).as("the lines account for every failure of " + endpoint).isEqualTo(500);
        Matcher metric = Pattern.compile("quiver_failures_total\\{endpoint=\"" + endpoint + "\",kind=\"[^\"]+\"} (\\d+)\\.0")
            .matcher(metrics);
        assertThat(metric.find()).as(metrics).isTrue();
        assertThat(Long.parseLong(metric.group(1))).isEqualTo(500);
      }
    } finally {
      redis.close();
    }
  }
}
