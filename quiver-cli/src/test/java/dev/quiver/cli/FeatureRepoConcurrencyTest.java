package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.online.Pusher;
import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FeatureRepo's concurrency contract: one instance shared by threads doing online reads, pushes,
 * materializations, plans and training sets at once answers as a single-threaded reference run of the
 * same operations does, and its lazy plug-ins open exactly once under a race. Seeded; the seed is in
 * every message.
 */
class FeatureRepoConcurrencyTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-04-02T00:00:00Z"), ZoneOffset.UTC);
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant END = Instant.parse("2026-04-01T00:00:00Z");
  private static final int USERS = 60;
  private static final List<FeatureRef> READ = refs("user_txn:last_amount", "user_txn:last_country", "user_txn:amount_sum_7d",
      "user_txn:txn_count_7d", "user_txn:last_5_amounts", "user_profile:risk_segment", "user_profile:credit_limit",
      "user_profile:home_country");
  private static final String QUERY = "SELECT user_id, TIMESTAMP '2026-03-01 00:00:00' AS event_timestamp FROM range(1, 40) t(user_id)";

  private static final dev.quiver.core.online.Materializer.Listener QUIET = (v, read, written) -> {};

  @TempDir Path tmp;

  @Test
  void lazyPlugInsOpenOnceUnderARace() throws Exception {
    Path r = repo("race");
    for (int round = 0; round < 3; round++) {
      try (FeatureRepo repo = FeatureRepo.open(r, CLOCK)) {
        int threads = 12;
        CyclicBarrier go = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Object[]>> opened = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          // RocksDB refuses a second open of its directory in one process: a double open fails the call
          opened.add(pool.submit(() -> {
            go.await();
            return new Object[] {repo.online(), repo.offline(), repo.transformLoader()};
          }));
        }
        Set<Object> stores = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<Object> engines = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<Object> loaders = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Future<Object[]> f : opened) {
          Object[] o = f.get(60, TimeUnit.SECONDS);
          stores.add(o[0]);
          engines.add(o[1]);
          loaders.add(o[2]);
        }
        pool.shutdown();
        assertThat(stores).hasSize(1);
        assertThat(engines).hasSize(1);
        assertThat(loaders).hasSize(1);
      }
    }
  }

  @Test
  void sharedRepoAnswersAsASingleThreadedRun() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    String s = "seed " + seed;
    Path shared = repo("shared");
    Path reference = repo("reference");

    // the operations: pushes with distinct event times (newest wins, so any order gives one answer),
    // materializations of every range ending at END at the latest, and the full range once
    List<Map<String, List<Object>>> pushes = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      long user = 1 + random.nextInt(USERS);
      pushes.add(profileRow(user, END.plusSeconds(1 + i), "seg-" + i, 100.0 + i)); // distinct times: no ties
    }
    List<Instant[]> materializations = new ArrayList<>();
    materializations.add(new Instant[] {START, END});
    for (int i = 0; i < 4; i++) {
      Instant start = START.plus(random.nextInt(20), ChronoUnit.DAYS);
      Instant end = start.plus(1 + random.nextInt(70), ChronoUnit.DAYS); // at most START + 89 days < END
      materializations.add(new Instant[] {start, end});
    }

    List<String> expectedTraining;
    OnlineResponse expected;
    try (FeatureRepo ref = FeatureRepo.open(reference, CLOCK)) {
      expectedTraining = training(ref);
      for (Instant[] m : materializations) {
        ref.materialize(List.of(), m[0], m[1], QUIET, "test");
      }
      for (Map<String, List<Object>> p : pushes) {
        ref.push("user_profiles", p, Pusher.Target.ONLINE);
      }
      expected = read(ref);
    }

    try (FeatureRepo repo = FeatureRepo.open(shared, CLOCK)) {
      List<Runnable> ops = new ArrayList<>();
      pushes.forEach(p -> ops.add(() -> repo.push("user_profiles", p, Pusher.Target.ONLINE)));
      materializations.forEach(m -> ops.add(() -> repo.materialize(List.of(), m[0], m[1], QUIET, "test")));
      Map<String, Integer> counts = new ConcurrentHashMap<>();
      for (int i = 0; i < 150; i++) {
        ops.add(() -> {
          OnlineResponse r = read(repo);
          assertThat(r.rows()).isEqualTo(USERS);
          counts.merge("read", 1, Integer::sum);
        });
      }
      for (int i = 0; i < 6; i++) {
        ops.add(() -> assertThat(repo.plan(false).isEmpty()).as(s).isTrue());
        ops.add(() -> assertThat(training(repo)).as(s + ": a training set while others write").isEqualTo(expectedTraining));
      }
      for (int i = 0; i < 10; i++) {
        ops.add(() -> repo.servingVersions());
      }
      Collections.shuffle(ops, random);
      int threads = 8;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CyclicBarrier go = new CyclicBarrier(threads);
      AtomicLong next = new AtomicLong();
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        workers.add(pool.submit(() -> {
          go.await();
          for (long i; (i = next.getAndIncrement()) < ops.size(); ) {
            ops.get((int) i).run();
          }
          return null;
        }));
      }
      for (Future<?> w : workers) {
        w.get(5, TimeUnit.MINUTES); // an exception in any operation fails here, with its cause
      }
      pool.shutdown();
      assertThat(counts.get("read")).isEqualTo(150);
      OnlineResponse after = read(repo);
      assertThat(after.features().size()).isEqualTo(expected.features().size());
      for (int f = 0; f < after.features().size(); f++) {
        assertThat(after.features().get(f).values()).as(s + ": " + after.features().get(f).name())
            .isEqualTo(expected.features().get(f).values());
        assertThat(after.features().get(f).statuses()).as(s + ": " + after.features().get(f).name())
            .isEqualTo(expected.features().get(f).statuses());
      }
      assertThat(training(repo)).as(s).isEqualTo(expectedTraining);
    }
  }

  @Test
  void closeRefusesNewCallsAndWaitsForThoseInFlight() throws Exception {
    Path r = repo("close");
    FeatureRepo repo = FeatureRepo.open(r, CLOCK);
    repo.materialize(List.of(), START, END, QUIET, "test");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CyclicBarrier go = new CyclicBarrier(5);
    List<Future<Integer>> readers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      readers.add(pool.submit(() -> {
        go.await();
        int answered = 0;
        try {
          while (true) {
            assertThat(read(repo).rows()).isEqualTo(USERS); // a read either answers in full or is refused
            answered++;
          }
        } catch (QuiverException refused) {
          assertThat(refused.getMessage()).contains("is closed");
          return answered;
        }
      }));
    }
    go.await();
    Thread.sleep(300);
    repo.close();
    for (Future<Integer> f : readers) {
      assertThat(f.get(60, TimeUnit.SECONDS)).isPositive();
    }
    pool.shutdown();
    assertThatThrownBy(repo::online).hasMessageContaining("is closed");
    assertThatThrownBy(() -> repo.plan(false)).hasMessageContaining("is closed");
    repo.close(); // twice is fine
    try (FeatureRepo again = FeatureRepo.open(r, CLOCK)) {
      assertThat(read(again).rows()).as("the store was released").isEqualTo(USERS);
    }
  }

  private Path repo(String name) {
    Path r = tmp.resolve(name);
    Cli init = Cli.run("init", r.toString(), "--rows", "3000", "--start", "2026-01-01");
    assertThat(init.exitCode()).as(init.toString()).isZero();
    Cli apply = Cli.run("apply", "--repo", r.toString());
    assertThat(apply.exitCode()).as(apply.toString()).isZero();
    return r;
  }

  private static OnlineResponse read(FeatureRepo repo) {
    List<Object> users = new ArrayList<>();
    for (long u = 1; u <= USERS; u++) {
      users.add(u);
    }
    return repo.getOnlineFeatures(READ, Map.of("user_id", users), false);
  }

  private static List<String> training(FeatureRepo repo) {
    List<String> rows = new ArrayList<>();
    try (HistoricalRows it = repo.getHistoricalFeatures(HistoricalRequest.ofFeatures(new QueryInput.Sql(QUERY),
        refs("user_txn:last_amount", "user_txn:amount_sum_7d", "user_profile:risk_segment")))) {
      it.forEachRemaining(row -> rows.add(Arrays.deepToString(row)));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return rows;
  }

  private static Map<String, List<Object>> profileRow(long user, Instant at, String segment, double limit) {
    Map<String, List<Object>> row = new LinkedHashMap<>();
    row.put("user_id", List.of(user));
    row.put("updated_at", List.of(at));
    row.put("home_country", List.of("DE"));
    row.put("risk_segment", List.of(segment));
    row.put("credit_limit", List.of(limit));
    return row;
  }

  private static List<FeatureRef> refs(String... refs) {
    return Arrays.stream(refs).map(f -> FeatureRef.parse(f).orElseThrow()).toList();
  }
}
