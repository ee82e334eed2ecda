package dev.quiver.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.online.Materializer;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.Pusher;
import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Online writes racing with a materialization (DESIGN §3, many writers), for one online store: a
 * push {@code online_and_offline} that appends its file after a run's offline scan listed the
 * source's files, then writes its tile rows before the run swaps them, is in neither the scan nor the
 * part of the stored row a rebuild keeps. The run must leave such rows as the writers made them and
 * count them ({@link Materializer.ViewResult#keysSkippedConcurrent()}), and the next run of the view
 * must rebuild them, even an incremental run that finds no new source row.
 *
 * <p>The deterministic cases force the interleaving with an {@link OnlineStore} that runs the push
 * when the run first reads a tile row (after its scan started); the randomized case runs a pusher
 * thread against repeated materializations of the same keys. A subclass gives the store's {@code
 * online:} block of {@code quiver.yaml}; each case has its own project, so cases may share one store.
 */
public abstract class ConcurrentWritesContract {
  static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  static final Instant END = Instant.parse("2026-01-10T00:00:00Z");
  static final int USERS = 8;
  static final List<FeatureRef> REFS = List.of(FeatureRef.of("user_agg:n_1d"), FeatureRef.of("user_agg:sum_7d"),
      FeatureRef.of("user_agg:avg_1d"), FeatureRef.of("user_agg:max_life"), FeatureRef.of("user_agg:n_life"));
  static final Materializer.Listener QUIET = (v, read, written) -> {};

  /** The {@code online:} block of {@code quiver.yaml}, e.g. {@code {type: rocksdb, path: .quiver/online}}. */
  protected abstract String onlineYaml();

  @TempDir protected Path tmp;

  /** A repo of one view with window aggregates over a CSV source holding a few events per user before END. */
  private Path repo(String name) throws Exception {
    Path repo = tmp.resolve(name);
    Files.createDirectories(repo.resolve("features"));
    Files.createDirectories(repo.resolve("data/txns"));
    String project = name + "_" + Long.toHexString(System.nanoTime());
    Files.writeString(repo.resolve("quiver.yaml"), "project: " + project + "\nregistry: {type: file, path: .quiver/registry}\n"
        + "offline: {engine: duckdb}\nonline: " + onlineYaml() + "\ndefinitions: [features]\n");
    Files.writeString(repo.resolve("features/defs.yaml"), """
        entities:
          - {name: user, join_keys: [user_id], type: int64}
        sources:
          - {name: txns, path: data/txns/*.csv, timestamp: event_ts}
        feature_views:
          - name: user_agg
            entities: [user]
            source: txns
            features:
              - {name: n_1d, aggregate: {fn: count, window: 1d}}
              - {name: sum_7d, aggregate: {fn: sum, column: amount, window: 7d}}
              - {name: avg_1d, aggregate: {fn: avg, column: amount, window: 1d}}
              - {name: max_life, aggregate: {fn: max, column: amount, window: lifetime}}
              - {name: n_life, aggregate: {fn: count, window: lifetime}}
        """);
    StringBuilder csv = new StringBuilder("user_id,event_ts,amount\n");
    for (int u = 1; u <= USERS; u++) {
      for (int i = 0; i < 6; i++) {
        csv.append(u).append(',').append(START.plus(Duration.ofHours(9L * i + u)).toString().replace("T", " ").replace("Z", ""))
            .append(',').append(u * 10 + i + 0.5).append('\n');
      }
    }
    Files.writeString(repo.resolve("data/txns/part-0.csv"), csv);
    return repo;
  }

  private static FeatureRepo open(Path repo, Instant now) {
    FeatureRepo r = FeatureRepo.open(repo, Clock.fixed(now, ZoneOffset.UTC));
    r.apply(r.plan(false), "test", "first", false);
    return r;
  }

  /** One row per event: (user, event time, amount). */
  static Map<String, List<Object>> rows(Object[]... events) {
    Map<String, List<Object>> c = new LinkedHashMap<>();
    c.put("user_id", new ArrayList<>());
    c.put("event_ts", new ArrayList<>());
    c.put("amount", new ArrayList<>());
    for (Object[] e : events) {
      c.get("user_id").add(e[0]);
      c.get("event_ts").add(e[1].toString());
      c.get("amount").add(e[2]);
    }
    return c;
  }

  /** The online answer for every user (at the repo clock's now), feature by feature. */
  static List<List<Object>> online(FeatureRepo r) {
    List<Object> users = new ArrayList<>();
    for (long u = 1; u <= USERS; u++) {
      users.add(u);
    }
    return r.getOnlineFeatures(REFS, Map.of("user_id", users), false).features().stream()
        .map(f -> (List<Object>) new ArrayList<Object>(f.values())).toList(); // values may be null
  }

  /** The offline point-in-time answer at {@code t} for every user, feature by feature. */
  static List<List<Object>> offline(FeatureRepo r, Instant t) {
    String query = "SELECT range AS user_id, TIMESTAMP '" + t + "' AS event_timestamp FROM range(1, " + (USERS + 1) + ")";
    List<List<Object>> out = new ArrayList<>();
    REFS.forEach(f -> out.add(new ArrayList<>()));
    try (HistoricalRows rows = r.getHistoricalFeatures(HistoricalRequest.ofFeatures(new QueryInput.Sql(query), REFS))) {
      while (rows.hasNext()) {
        Object[] row = rows.next();
        for (int f = 0; f < REFS.size(); f++) {
          out.get(f).add(row[2 + f]);
        }
      }
    }
    return out;
  }

  /** A materializer of {@code r}'s latest registry version writing through {@code store}. */
  private static Materializer materializer(FeatureRepo r, OnlineStore store, Instant now) {
    return new Materializer(r.registry().latest().orElseThrow(), r.offline(), store, r.registry(), r.config().root(),
        Clock.fixed(now, ZoneOffset.UTC), "test");
  }

  /** A run of {@code user_agg} from START to END during which, once its scan started, user 1 pushes an event before END. */
  private static Materializer.ViewResult racingRun(FeatureRepo r) {
    AtomicBoolean pushed = new AtomicBoolean();
    OnlineStore racing = new HookedStore(r.online(), table -> {
      if (table.endsWith(".tiles") && pushed.compareAndSet(false, true)) {
        r.push("txns", rows(new Object[] {1L, Instant.parse("2026-01-09T12:00:00Z"), 1000.0}), Pusher.Target.ONLINE_AND_OFFLINE);
      }
    });
    Materializer.ViewResult result = materializer(r, racing, END).materialize(List.of("user_agg"), START, END, QUIET).getFirst();
    assertThat(pushed).as("the push ran between the run's scan and its swap").isTrue();
    return result;
  }

  @Test
  public void aPushBetweenAMaterializationsScanAndItsSwapIsNotLost() throws Exception {
    try (FeatureRepo r = open(repo("race"), END)) {
      r.materialize(List.of(), START, END, QUIET, "test");
      Materializer.ViewResult result = racingRun(r);

      assertThat(result.keysSkippedConcurrent()).as("user 1's tile row, written online during the run").isEqualTo(1);
      assertThat(result.rowsWritten()).as("the latest rows and the other users' tile rows").isPositive();
      assertThat(online(r)).as("the pushed event counts online, once").isEqualTo(offline(r, END));
      assertThat(online(r).get(0).get(0)).as("n_1d of user 1: the push, its only event of Jan 9").isEqualTo(1L);
    }
  }

  /**
   * The other order: a push appends its file before a run's scan lists the source's files (so the
   * run reads its row offline) and writes its tile row online only after the run swapped that row.
   * The row must count the push once.
   */
  @Test
  public void aPushTheRunReadOfflineAndWroteOnlineAfterTheSwapCountsOnce() throws Exception {
    try (FeatureRepo r = open(repo("late"), END)) {
      r.materialize(List.of(), START, END, QUIET, "test");
      AtomicBoolean ran = new AtomicBoolean();
      // the push read its tile rows before its append; the run goes between that and the push's swap
      OnlineStore late = new dev.quiver.core.online.ForwardingOnlineStore(r.online()) {
        @Override
        public boolean[] multiCompareAndSet(String table, List<Swap> swaps) {
          if (table.endsWith(".tiles") && ran.compareAndSet(false, true)) {
            materializer(r, r.online(), END).materialize(List.of("user_agg"), START, END, QUIET);
          }
          return super.multiCompareAndSet(table, swaps);
        }

        @Override
        public void close() {
          // the repo closes its store
        }
      };
      Pusher pusher = new Pusher(r.registry().latest().orElseThrow().definitions(), late, r.offline(), r.config().root());
      pusher.push("txns", rows(new Object[] {1L, Instant.parse("2026-01-09T12:00:00Z"), 1000.0}),
          Pusher.Target.ONLINE_AND_OFFLINE);
      assertThat(ran).as("the run ran between the push's append and its online write").isTrue();
      assertThat(online(r)).as("the pushed event counts online, once").isEqualTo(offline(r, END));
    }
  }

  @Test
  public void theNextIncrementalRunRebuildsTheRowsARunLeftEvenWithNothingNew() throws Exception {
    Instant later = END.plus(Duration.ofHours(1));
    try (FeatureRepo r = open(repo("pending"), later)) {
      r.materialize(List.of(), START, END, QUIET, "test");
      // a backfill file the next run must bring in; user 1's row is then left to the racing push
      r.push("txns", rows(new Object[] {1L, Instant.parse("2026-01-08T06:00:00Z"), 7.0}), Pusher.Target.OFFLINE);
      Materializer.ViewResult raced = racingRun(r);
      assertThat(raced.keysSkippedConcurrent()).isEqualTo(1);
      assertThat(online(r)).as("user 1 lacks the offline-only row until a run rebuilds it").isNotEqualTo(offline(r, later));

      List<Materializer.ViewResult> next = r.materializeIncremental(List.of("user_agg"), later, QUIET, "test");
      assertThat(next.getFirst().rowsRead()).as("no source row after the watermark").isZero();
      assertThat(next.getFirst().keysSkippedConcurrent()).isZero();
      assertThat(next.getFirst().rowsWritten()).as("the tiles were rebuilt all the same").isPositive();
      assertThat(online(r)).isEqualTo(offline(r, later));

      List<Materializer.ViewResult> after = r.materializeIncremental(List.of("user_agg"), later.plusSeconds(60), QUIET, "test");
      assertThat(after.getFirst().nothingNew()).as("the mark was cleared: nothing new, nothing rebuilt").isTrue();
    }
  }

  @Test
  public void aPusherRacingRepeatedMaterializationsLosesNothing() throws Exception {
    Instant later = END.plus(Duration.ofHours(1));
    SplittableRandom random = new SplittableRandom(19);
    try (FeatureRepo r = open(repo("random"), later)) {
      r.materialize(List.of(), START, END, QUIET, "test");
      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      long seed = random.nextLong();
      Thread pusher = Thread.ofPlatform().name("racing-pusher").start(() -> {
        SplittableRandom rnd = new SplittableRandom(seed);
        try {
          for (int i = 0; !stop.get(); i++) {
            long user = 1 + rnd.nextInt(USERS);
            Instant t = END.minusSeconds(1 + rnd.nextLong(3 * 86_400)).plusNanos(i % 1000 * 1000L);
            r.push("txns", rows(new Object[] {user, t, (double) rnd.nextInt(100)}), Pusher.Target.ONLINE_AND_OFFLINE);
            Thread.sleep(rnd.nextInt(4));
          }
        } catch (Throwable t) {
          failure.set(t);
        }
      });
      long skipped = 0;
      try {
        for (int run = 0; run < 12; run++) {
          Instant end = run % 3 == 2 ? END.minusSeconds(random.nextLong(2 * 86_400)) : END; // some backfills
          skipped += r.materialize(List.of("user_agg"), START, end, QUIET, "test").getFirst().keysSkippedConcurrent();
        }
      } finally {
        stop.set(true);
        pusher.join();
      }
      assertThat(failure.get()).isNull();
      System.out.printf("concurrent writes (%s): %d tile rows left to concurrent pushes over 12 runs%n", onlineYaml(), skipped);
      assertThat(online(r)).as("every push counted online once, before any further run").isEqualTo(offline(r, later));
      r.materializeIncremental(List.of("user_agg"), later, QUIET, "test");
      assertThat(online(r)).as("after a final run").isEqualTo(offline(r, later));
    }
  }

  /** An online store that runs a hook before each {@code multiGet}, then passes every call on. */
  static final class HookedStore extends dev.quiver.core.online.ForwardingOnlineStore {
    private final Consumer<String> beforeGet;

    HookedStore(OnlineStore store, Consumer<String> beforeGet) {
      super(store);
      this.beforeGet = beforeGet;
    }

    @Override
    public List<byte[]> multiGet(String table, List<byte[]> keys) {
      beforeGet.accept(table);
      return super.multiGet(table, keys);
    }

    @Override
    public VersionedRows readForSwap(String table, List<byte[]> keys) {
      beforeGet.accept(table); // tile writers read what they swap this way
      return super.readForSwap(table, keys);
    }

    @Override
    public void close() {
      // the repo closes its store
    }
  }
}
