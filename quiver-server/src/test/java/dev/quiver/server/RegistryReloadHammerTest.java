package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads, pushes and registry reloads at once (issue 20): reader and pusher threads hammer one server
 * while new registry versions are applied every 150 ms through the same {@link FeatureRepo}. Version
 * {@code k} adds view {@code extra_k}, moves service {@code scoring} to version {@code k} with
 * alternating features, and, when {@code k} is odd, carries permissions that deny service {@code
 * risk}. Each reader request is bracketed by two {@code /ready} reads (the served version before and
 * after), so every answer is checked against the versions it may come from:
 *
 * <ul>
 *   <li>{@code /api/v1/feature-views} lists exactly {@code extra_2..extra_k} for one {@code k} in
 *       that bracket, and {@code k} never goes back within a thread;
 *   <li>{@code scoring} answers with the features of a version in the bracket (between the two
 *       served versions, inclusive: under load several reloads can fall inside one bracket);
 *   <li>{@code risk} is 200 under a version without permissions and 403 (deny by default) under one
 *       with: the authorizer is the served version's, never a stale one;
 *   <li>nothing else fails: every push is 200 and reads back.
 * </ul>
 */
class RegistryReloadHammerTest {
  private static final int VERSIONS = 16;
  private static final AtomicLong REQUESTS = new AtomicLong();
  private static final Pattern EXTRA = Pattern.compile("\"extra_(\\d+)\"");

  @TempDir Path tmp;

  @Test
  @Timeout(180)
  void readsPushesAndReloadsAtOnceAnswerFromOneServedVersionEach() throws Exception {
    Path dir = TestRepo.rocksdb(tmp.resolve("repo"));
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    Set<String> seen = ConcurrentHashMap.newKeySet();
    AtomicBoolean stop = new AtomicBoolean();
    try (FeatureRepo repo = FeatureRepo.open(dir);
        QuiverServer server = QuiverServer.start(repo,
            ServerOptions.loopback().withPorts(0, -1).withRegistryPoll(Duration.ofMillis(50)));
        Http http = new Http(server.httpPort())) {
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        threads.add(Thread.ofPlatform().name("reader-" + t).start(() -> read(http, stop, failures, seen)));
      }
      for (int t = 0; t < 2; t++) {
        long user = 60 + t;
        threads.add(Thread.ofPlatform().name("pusher-" + t).start(() -> push(http, user, stop, failures, seen)));
      }

      for (int k = 2; k <= VERSIONS; k++) {
        Files.writeString(dir.resolve("features/defs.yaml"), definitions(k));
        assertThat(repo.apply(repo.plan(false), "test", "version " + k, false)).as("version %d applied", k).isPresent();
        Thread.sleep(150);
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (served(http) != VERSIONS && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      Thread.sleep(300); // some requests on the last version too
      stop.set(true);
      for (Thread t : threads) {
        t.join(30_000);
      }
      assertThat(served(http)).isEqualTo(VERSIONS);
      System.out.println(REQUESTS.get() + " requests during " + (VERSIONS - 1) + " registry reloads");
    }
    assertThat(failures).as("requests that failed or answered from no version in their bracket").isEmpty();
    assertThat(seen).as("the readers saw both kinds of version and the pushes landed")
        .contains("scoring:country", "scoring:visits", "risk:200", "risk:403", "pushed");
  }

  /** Version {@code k}'s definitions: the test repo's, plus extra_2..extra_k, scoring@vk, and permissions when k is odd. */
  private static String definitions(int k) {
    StringBuilder extras = new StringBuilder();
    for (int i = 2; i <= k; i++) {
      extras.append("""
            - name: extra_%d
              entities: [user]
              source: txns
              ttl: 3650d
              features:
                - {name: amount, column: amount}
          """.formatted(i));
    }
    String d = TestRepo.DEFINITIONS.replace("on_demand_views:\n", extras + "on_demand_views:\n")
        .replace("{name: scoring, version: 1, features: [\"user_stats:amount\", \"user_stats:country\"]}",
            "{name: scoring, version: " + k + ", features: [\"user_stats:amount\", \"user_stats:"
                + (k % 2 == 0 ? "country" : "visits") + "\"]}");
    if (k % 2 == 1) {
      d += """
          permissions:
            - name: everyone
              roles: ["*"]
              actions: [describe, read_online, push]
              resources: {kinds: [feature_view, on_demand_view, source, entity, registry]}
            - name: scoring-readers
              roles: ["*"]
              actions: [read_online]
              resources: {kinds: [feature_service], names: [scoring]}
          """;
    }
    return d;
  }

  private static void read(Http http, AtomicBoolean stop, ConcurrentLinkedQueue<String> failures, Set<String> seen) {
    long newest = 1;
    while (!stop.get() && failures.size() < 20) {
      long before = served(http);
      Http.Reply scoring = http.post("/get-online-features", "{\"feature_service\": \"scoring\", \"entities\": {\"user_id\": [3]}}");
      Http.Reply risk = http.post("/get-online-features",
          "{\"feature_service\": \"risk\", \"entities\": {\"user_id\": [3]}, \"request_context\": {\"txn_amount\": [9.0]}}");
      Http.Reply views = http.get("/api/v1/feature-views");
      long after = served(http);
      String bracket = " (served version " + before + " before, " + after + " after)";

      if (scoring.status() != 200) {
        failures.add("scoring " + scoring.status() + " " + scoring.body() + bracket);
      } else {
        String second = scoring.json().path("metadata").path("feature_names").path(2).asText();
        Set<String> expected = new TreeSet<>(); // any version in the bracket: a loaded machine may serve several
        for (long k = before; k <= after; k++) {
          expected.add(k % 2 == 0 || k == 1 ? "country" : "visits");
        }
        if (!expected.contains(second)) {
          failures.add("scoring answered with " + scoring.json().path("metadata") + bracket);
        }
        if (scoring.json().path("results").path(1).path("values").path(0).asDouble() != 4.5) {
          failures.add("scoring's amount of user 3: " + scoring.body() + bracket);
        }
        seen.add("scoring:" + second);
      }

      boolean deniedThroughout = true; // every version in the bracket carries permissions
      boolean allowedThroughout = true;
      for (long k = before; k <= after; k++) {
        boolean denied = k % 2 == 1 && k > 1;
        deniedThroughout &= denied;
        allowedThroughout &= !denied;
      }
      int status = risk.status();
      if ((status == 200 && deniedThroughout) || (status == 403 && allowedThroughout)
          || (status != 200 && status != 403)) {
        failures.add("risk " + status + " " + risk.body() + bracket);
      } else if (status == 403 && !risk.body().contains("rule <default deny>")) {
        failures.add("risk refused without naming the rule: " + risk.body());
      }
      seen.add("risk:" + status);
      REQUESTS.addAndGet(5);

      if (views.status() != 200) {
        failures.add("feature-views " + views.status() + " " + views.body() + bracket);
      } else {
        TreeSet<Integer> extras = new TreeSet<>();
        Matcher m = EXTRA.matcher(views.body());
        while (m.find()) {
          extras.add(Integer.parseInt(m.group(1)));
        }
        long k = extras.isEmpty() ? 1 : extras.last();
        if (extras.size() != k - 1 || k < before || k > after || k < newest) {
          failures.add("feature-views lists extras " + extras + " after a reader saw version " + newest + bracket);
        }
        newest = Math.max(newest, k);
      }
    }
  }

  private static void push(Http http, long user, AtomicBoolean stop, ConcurrentLinkedQueue<String> failures,
      Set<String> seen) {
    Instant at = Instant.parse("2026-03-01T00:00:00Z");
    for (int n = 1; !stop.get() && failures.size() < 20; n++) {
      at = at.plusSeconds(1);
      Http.Reply r = http.post("/push", PushTest.push("online", user, at.toString(), n, "JP"));
      if (r.status() != 200) {
        failures.add("push " + r.status() + " " + r.body());
        continue;
      }
      Http.Reply back = http.post("/get-online-features",
          "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [" + user + "]}}");
      JsonNode value = back.status() == 200 ? back.json().path("results").path(1).path("values").path(0) : null;
      if (value == null || value.asDouble() != n) {
        failures.add("push " + n + " of user " + user + " read back as " + back.status() + " " + back.body());
      }
      seen.add("pushed");
      REQUESTS.addAndGet(2);
    }
  }

  private static long served(Http http) {
    return http.get("/ready").json().path("registry_version").asLong();
  }
}
