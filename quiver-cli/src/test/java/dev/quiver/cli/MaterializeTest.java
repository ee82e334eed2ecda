package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.FeatureStatus;
import dev.quiver.core.online.Materializer;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Materialization into the embedded RocksDB store, checked against the offline engine: for every
 * entity, the online answer at END equals the point-in-time answer at END (the consistency contract
 * for column features), and backfills never overwrite newer rows.
 */
class MaterializeTest {
  static final Instant START = Instant.parse("2000-01-01T00:00:00Z");
  static final Instant END = Instant.parse("2026-03-15T00:00:00Z");
  static final List<FeatureRef> FEATURES = List.of(
      FeatureRef.of("user_txn:last_amount"), FeatureRef.of("user_txn:last_country"), FeatureRef.of("user_txn:last_channel"),
      FeatureRef.of("user_profile:home_country"), FeatureRef.of("user_profile:credit_limit"));

  @TempDir Path tmp;
  Path repo;

  @BeforeEach
  void init() {
    repo = tmp.resolve("repo");
    assertThat(Cli.run("init", repo.toString(), "--rows", "20000", "--start", "2026-01-01").exitCode()).isZero();
    assertThat(Cli.run("apply", "--repo", repo.toString()).exitCode()).isZero();
  }

  @Test
  void anIncrementalRunBehindTheWatermarkSaysSo() {
    String r = repo.toString();
    Cli first = Cli.run("materialize", "--repo", r, "--views", "user_profile", "2000-01-01", "2026-03-15");
    assertThat(first.exitCode()).as(first.toString()).isZero();
    Cli behind = Cli.run("materialize-incremental", "--repo", r, "--views", "user_profile", "2026-01-01");
    assertThat(behind.exitCode()).as(behind.toString()).isZero();
    assertThat(behind.out()).contains("user_profile@v1: already materialized to 2026-03-15T00:00:00Z, after 2026-01-01T00:00:00Z;"
        + " nothing to do");
  }

  @Test
  void aViewNamedTwiceIsMaterializedOnce() {
    Cli twice = Cli.run("materialize", "--repo", repo.toString(), "--views", "user_profile,user_profile@v1", "2000-01-01", "2026-03-15");
    assertThat(twice.exitCode()).as(twice.toString()).isZero();
    assertThat(twice.out().lines().filter(l -> l.startsWith("user_profile@v1 ")).count()).as(twice.out()).isEqualTo(1);
  }

  @Test
  void timesAreReadAsTheServerReadsThem() {
    String r = repo.toString();
    Cli spaced = Cli.run("materialize", "--repo", r, "--views", "user_profile", "2000-01-01 00:00:00", "2026-03-15T01:00:00+01:00");
    assertThat(spaced.exitCode()).as(spaced.toString()).isZero();
    assertThat(spaced.out()).contains("2026-03-15T00:00:00Z");
    Cli far = Cli.run("materialize", "--repo", r, "--views", "user_profile", "2000-01-01", "+10000-01-01T00:00:00Z");
    assertThat(far.exitCode()).as(far.toString()).isEqualTo(1);
    assertThat(far.err()).isEqualTo("error: '+10000-01-01T00:00:00Z' is not a time; write now, 2026-03-01, 2026-03-01T12:00:00"
        + " or 2026-03-01T12:00:00Z (UTC), in the years 0001 to 9999\n");
  }

  @Test
  void onlineAnswersEqualOfflineAnswersForEveryEntity() {
    try (FeatureRepo r = FeatureRepo.open(repo, Clock.fixed(END, ZoneOffset.UTC))) {
      List<Materializer.ViewResult> results = r.materialize(List.of(), START, END, (v, read, written) -> {}, "test");
      assertThat(results).extracting(Materializer.ViewResult::view)
          .containsExactlyInAnyOrder("user_txn@v1", "user_profile@v1", "merchant_txn@v1", "merchant_profile@v1");
      assertThat(r.registry().watermark("user_txn@v1").orElseThrow().end()).isEqualTo(END);
      assertThat(mismatches(r, 400)).isZero();
    }
  }

  @Test
  void aBackfillOfOlderRowsNeverOverwritesNewerOnes() {
    Instant middle = Instant.parse("2026-02-10T00:00:00Z");
    try (FeatureRepo r = FeatureRepo.open(repo, Clock.fixed(END, ZoneOffset.UTC))) {
      r.materialize(List.of(), middle, END, (v, read, written) -> {}, "test");
      List<Materializer.ViewResult> backfill = r.materialize(List.of(), START, middle, (v, read, written) -> {}, "test");
      long written = backfill.stream().filter(v -> v.view().equals("user_txn@v1")).findFirst().orElseThrow().rowsWritten();
      long read = backfill.stream().filter(v -> v.view().equals("user_txn@v1")).findFirst().orElseThrow().rowsRead();
      assertThat(written).as("only users with no newer row get the backfilled one").isLessThan(read);
      assertThat(r.registry().watermark("user_txn@v1").orElseThrow().end()).as("the watermark never moves back").isEqualTo(END);
      assertThat(mismatches(r, 400)).isZero();
    }
  }

  @Test
  void incrementalRunsContinueFromTheWatermark() {
    try (FeatureRepo r = FeatureRepo.open(repo, Clock.fixed(END, ZoneOffset.UTC))) {
      Instant first = Instant.parse("2026-02-01T00:00:00Z");
      List<Materializer.ViewResult> a = r.materializeIncremental(List.of("user_txn"), first, (v, read, written) -> {}, "t");
      assertThat(a.getFirst().start()).isEqualTo(first.minus(java.time.Duration.ofDays(90)));
      List<Materializer.ViewResult> b = r.materializeIncremental(List.of("user_txn"), END, (v, read, written) -> {}, "t");
      assertThat(b.getFirst().start()).isEqualTo(first);
      assertThat(r.registry().watermark("user_txn@v1").orElseThrow().end()).isEqualTo(END);
    }
  }

  @Test
  void theCliMaterializesAndLooksUp() {
    Cli m = Cli.run("materialize", "2026-01-01", "2026-03-15", "--repo", repo.toString());
    assertThat(m.exitCode()).as(m.toString()).isZero();
    assertThat(m.out()).contains("user_txn@v1", "ROWS/S");
    Cli o = Cli.run("online", "--repo", repo.toString(), "--features", "user_profile:home_country,user_txn:last_amount",
        "--entity", "user_id=1,2,999999999", "--output", "json");
    assertThat(o.exitCode()).as(o.toString()).isZero();
    assertThat(o.out()).contains("\"feature_names\"", "home_country", "NOT_FOUND", "OUTSIDE_MAX_AGE");
    Cli bad = Cli.run("online", "--repo", repo.toString(), "--features", "user_profile:home_country", "--entity", "user_id=abc");
    assertThat(bad.exitCode()).isEqualTo(1);
    assertThat(bad.err()).contains("entity column 'user_id' holds int64 keys, but got 'abc' (a string)");
  }

  /** Compares online (now = END) with offline at t = END for the first {@code users} user ids. */
  static int mismatches(FeatureRepo r, int users) {
    List<Object> ids = new ArrayList<>();
    for (long u = 1; u <= users; u++) {
      ids.add(u);
    }
    OnlineResponse online = r.getOnlineFeatures(FEATURES, Map.of("user_id", ids), false);
    String query = "SELECT range AS user_id, TIMESTAMP '2026-03-15 00:00:00' AS event_timestamp FROM range(1, " + (users + 1) + ")";
    int mismatches = 0;
    int present = 0;
    try (HistoricalRows offline = r.getHistoricalFeatures(HistoricalRequest.ofFeatures(new QueryInput.Sql(query), FEATURES))) {
      for (int i = 0; offline.hasNext(); i++) {
        Object[] row = offline.next();
        for (int f = 0; f < FEATURES.size(); f++) {
          FeatureColumn c = online.features().get(f);
          Object want = row[2 + f];
          Object got = c.values().get(i);
          if (!Objects.equals(want, got)) {
            mismatches++;
            System.err.printf("user %s %s: offline %s, online %s (%s)%n", row[0], c.name(), want, got, c.statuses().get(i));
          }
          if (c.statuses().get(i) == FeatureStatus.PRESENT) {
            present++;
          }
        }
      }
    }
    assertThat(present).as("the comparison must cover real values").isGreaterThan(users);
    return mismatches;
  }

  static List<Object> list(Object... values) {
    return Arrays.asList(values);
  }
}
