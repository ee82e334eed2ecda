package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.ConflictException;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.FeatureStatus;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.online.Pusher;
import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Window-aggregate tile rows between an in-place change of a view's aggregates and the next
 * materialization, through a repo on disk (DuckDB, RocksDB): the stored rows keep the layout they
 * were materialized with, reads decode them with exactly that layout (rows name it), pushes fold
 * into them in it, and the next materialization rebuilds them. At every step the online answer of
 * the features the rows hold equals the offline (point-in-time) answer over every row ingested.
 */
class TileRowsAfterChangeTest {
  static final Instant END = Instant.parse("2026-02-20T00:00:00Z");
  static final Instant PUSHED = END.plusSeconds(3_600);
  static final Instant READ = END.plusSeconds(2 * 3_600);
  static final int USERS = 40;
  /** A user with no rows in the source files: its tile row starts with a push. */
  static final long NEW_USER = USERS + 1;

  static final String VIEW = """
      entities:
        - {name: user, join_keys: [user_id], type: int64}
      sources:
        - {name: txns, path: data/txns/*.parquet, timestamp: event_ts, created: created_ts}
      feature_views:
        - name: user_agg
          entities: [user]
          source: txns
          features:
            - {name: last_amount, column: amount}
      """;
  static final String N_7D = "      - {name: n_7d, aggregate: {fn: count, window: 7d}}\n";
  static final String WEB_7D = "      - {name: web_7d, aggregate: {fn: count, window: 7d, where: \"channel = 'web'\"}}\n";
  static final String SUM_7D = "      - {name: sum_7d, aggregate: {fn: sum, column: amount, window: 7d}}\n";
  static final String SUM_30D = "      - {name: sum_30d, aggregate: {fn: sum, column: amount, window: 30d}}\n";
  static final String MAX_1D = "      - {name: max_1d, aggregate: {fn: max, column: amount, window: 1d}}\n";

  static final List<String> HELD = List.of("n_7d", "web_7d", "sum_7d");

  /** The read time the test moves. */
  static final class MovableClock extends Clock {
    volatile Instant now = END;

    @Override public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override public Instant instant() {
      return now;
    }
  }

  @TempDir Path tmp;
  Path repo;
  final MovableClock clock = new MovableClock();

  @BeforeEach
  void repo() throws Exception {
    repo = tmp.resolve("repo");
    Files.createDirectories(repo.resolve("features"));
    Files.createDirectories(repo.resolve("data/txns"));
    Files.writeString(repo.resolve("quiver.yaml"), """
        project: tiles
        registry: {type: file, path: .quiver/registry}
        offline: {engine: duckdb}
        online: {type: rocksdb, path: .quiver/online}
        definitions: [features]
        """);
    // users 1..USERS, a payment every 5 hours over 50 days before END, channels in turn, amounts varied
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT u AS user_id, TIMESTAMP '2026-01-01' + to_hours(i * 5 + u) AS event_ts,"
          + " TIMESTAMP '2026-01-01' + to_hours(i * 5 + u) AS created_ts, ((i * 37 + u * 11) % 500) / 4.0 AS amount,"
          + " ['web', 'app', 'pos'][1 + (i + u) % 3] AS channel"
          + " FROM range(1, " + (USERS + 1) + ") r(u), range(0, 240) s(i)"
          + " WHERE TIMESTAMP '2026-01-01' + to_hours(i * 5 + u) < TIMESTAMP '" + END + "')"
          + " TO '" + repo.resolve("data/txns/part-0.parquet") + "' (FORMAT parquet)");
    }
  }

  private FeatureRepo open() {
    return FeatureRepo.open(repo, clock);
  }

  private void define(String... features) throws Exception {
    Files.writeString(repo.resolve("features/defs.yaml"), VIEW + String.join("", features));
  }

  private static void apply(FeatureRepo r, boolean force) {
    assertThat(r.apply(r.plan(false), "test", "change", force)).as("a registry version is recorded").isPresent();
  }

  private void materialize(FeatureRepo r, Instant end) {
    r.materialize(List.of(), Instant.parse("2000-01-01T00:00:00Z"), end, (v, read, written) -> {}, "test");
  }

  /** Two payments per user an hour after END (one on the web), and the first payments of NEW_USER; online and offline. */
  private static Map<String, List<Object>> pushed(long... users) {
    Map<String, List<Object>> c = new LinkedHashMap<>();
    for (String name : List.of("user_id", "event_ts", "created_ts", "amount", "channel")) {
      c.put(name, new ArrayList<>());
    }
    for (long u : users) {
      for (int i = 0; i < 2; i++) {
        Instant t = PUSHED.plusSeconds(i * 60L);
        c.get("user_id").add(u);
        c.get("event_ts").add(t.toString());
        c.get("created_ts").add(t.toString());
        c.get("amount").add(1000.0 + u + i);
        c.get("channel").add(i == 0 ? "web" : "pos");
      }
    }
    return c;
  }

  private static List<Object> users() {
    List<Object> ids = new ArrayList<>();
    for (long u = 1; u <= NEW_USER; u++) {
      ids.add(u);
    }
    return ids;
  }

  /** Compares online (at the clock's now) with offline at the same time for every user; returns the online answer. */
  private OnlineResponse assertOnlineEqualsOffline(FeatureRepo r, List<String> features) {
    List<FeatureRef> refs = features.stream().map(f -> FeatureRef.of("user_agg:" + f)).toList();
    OnlineResponse online = r.getOnlineFeatures(refs, Map.of("user_id", users()), false);
    String query = "SELECT range AS user_id, TIMESTAMP '" + clock.now + "' AS event_timestamp FROM range(1, " + (NEW_USER + 1) + ")";
    List<String> mismatches = new ArrayList<>();
    int present = 0;
    try (HistoricalRows offline = r.getHistoricalFeatures(HistoricalRequest.ofFeatures(new QueryInput.Sql(query), refs))) {
      for (int i = 0; offline.hasNext(); i++) {
        Object[] row = offline.next();
        for (int f = 0; f < refs.size(); f++) {
          FeatureColumn c = online.features().get(f);
          if (!Objects.equals(row[2 + f], c.values().get(i))) {
            mismatches.add("user " + row[0] + " " + c.name() + ": offline " + row[2 + f] + ", online " + c.values().get(i)
                + " (" + c.statuses().get(i) + ")");
          }
          present += c.statuses().get(i) == FeatureStatus.PRESENT ? 1 : 0;
        }
      }
    }
    assertThat(mismatches).as("online answers that differ from offline").isEmpty();
    assertThat(present).as("the comparison covers real values").isGreaterThan(USERS * features.size() / 2);
    return online;
  }

  private static long notFound(OnlineResponse r, int feature) {
    return r.features().get(feature).statuses().stream().filter(s -> s == FeatureStatus.NOT_FOUND).count();
  }

  @Test
  void aggregatesAddedInPlaceTakePushesBeforeTheRefillAndAreFilledByIt() throws Exception {
    define(N_7D, WEB_7D, SUM_7D);
    try (FeatureRepo r = open()) {
      apply(r, false);
      materialize(r, END);
    }
    // sum_30d joins sum_7d's family (whose tiles must now reach 30 days back), max_1d makes a new one
    define(N_7D, WEB_7D, SUM_7D, SUM_30D, MAX_1D);
    try (FeatureRepo r = open()) {
      apply(r, false);
      clock.now = READ;
      // before the fix the push failed: "the online tiles of user_agg@v1 were written for input types -,-,float64, but
      // the source's columns now have types -,-,float64,float64" (with sum_30d alone: "an aggregation state is corrupt")
      r.push("txns", pushed(3, 4, NEW_USER), Pusher.Target.ONLINE_AND_OFFLINE);
      assertOnlineEqualsOffline(r, HELD);
      OnlineResponse added = r.getOnlineFeatures(List.of(FeatureRef.of("user_agg:sum_30d"), FeatureRef.of("user_agg:max_1d")),
          Map.of("user_id", users()), false);
      assertThat(notFound(added, 0)).as("not filled until the next materialization").isEqualTo(NEW_USER);
      assertThat(notFound(added, 1)).isEqualTo(NEW_USER);

      materialize(r, READ);
      assertThat(r.servingVersions().pending()).isEmpty();
      assertOnlineEqualsOffline(r, List.of("n_7d", "web_7d", "sum_7d", "sum_30d", "max_1d"));
      // a push after the refill folds into the rebuilt rows
      r.push("txns", pushed(5), Pusher.Target.ONLINE_AND_OFFLINE);
      clock.now = READ.plusSeconds(60);
      assertOnlineEqualsOffline(r, List.of("n_7d", "web_7d", "sum_7d", "sum_30d", "max_1d"));
    }
  }

  @Test
  void aggregatesReorderedInPlaceAreReadAndPushedInTheLayoutTheirRowsHave() throws Exception {
    define(N_7D, WEB_7D, SUM_7D);
    try (FeatureRepo r = open()) {
      apply(r, false);
      materialize(r, END);
    }
    // the two counts swap places (the same input types, the same tiles' reach, other families in each
    // place) in a change that adds a column feature: an order alone is no change to apply
    define(WEB_7D, N_7D, SUM_7D, "      - {name: last_channel, column: channel}\n");
    try (FeatureRepo r = open()) {
      apply(r, false);
      clock.now = END;
      // before the fix: every user's n_7d read its web_7d and the other way round
      assertOnlineEqualsOffline(r, HELD);
      clock.now = READ;
      r.push("txns", pushed(3, 4, NEW_USER), Pusher.Target.ONLINE_AND_OFFLINE);
      assertOnlineEqualsOffline(r, HELD);
      materialize(r, READ);
      assertThat(r.servingVersions().pending()).isEmpty();
      assertOnlineEqualsOffline(r, HELD);
    }
  }

  @Test
  void aRowInALayoutNeitherReadsNorTheNextPushKnowIsRefusedUntilTheViewIsMaterialized() throws Exception {
    define(N_7D, WEB_7D, SUM_7D);
    try (FeatureRepo r = open()) {
      apply(r, false);
      materialize(r, END);
    }
    define(N_7D, WEB_7D, SUM_7D, SUM_30D);
    clock.now = READ;
    try (FeatureRepo r = open()) {
      apply(r, false);
      r.push("txns", pushed(NEW_USER), Pusher.Target.ONLINE_AND_OFFLINE); // a new row, in the view's layout now
    }
    // changed again before a materialization: NEW_USER's row has neither the layout now nor the materialized one
    define(N_7D, WEB_7D, SUM_7D, SUM_30D, MAX_1D);
    try (FeatureRepo r = open()) {
      apply(r, false);
      Path files = repo.resolve("data/txns");
      long before;
      try (var list = Files.list(files)) {
        before = list.count();
      }
      assertThatThrownBy(() -> r.push("txns", pushed(NEW_USER), Pusher.Target.ONLINE_AND_OFFLINE))
          .isInstanceOf(ConflictException.class)
          .hasMessageContaining("user_agg@v1 for user_id=" + NEW_USER)
          .hasMessageContaining("materialize user_agg@v1")
          .hasMessageContaining("nothing was written");
      try (var list = Files.list(files)) {
        assertThat(list.count()).as("no file appended offline").isEqualTo(before);
      }
      materialize(r, READ);
      r.push("txns", pushed(NEW_USER), Pusher.Target.ONLINE_AND_OFFLINE);
      clock.now = READ.plusSeconds(60);
      assertOnlineEqualsOffline(r, List.of("n_7d", "web_7d", "sum_7d", "sum_30d", "max_1d"));
    }
  }

  @Test
  void aRowTheRefillCouldNotRebuildIsReplacedByTheNextPush() throws Exception {
    define(N_7D, WEB_7D, SUM_7D);
    try (FeatureRepo r = open()) {
      apply(r, false);
      materialize(r, END);
      clock.now = READ;
      r.push("txns", pushed(NEW_USER), Pusher.Target.ONLINE); // online only: the source never sees NEW_USER
    }
    define(N_7D, WEB_7D, SUM_7D, MAX_1D);
    try (FeatureRepo r = open()) {
      apply(r, false);
      materialize(r, READ); // rebuilds every user the source has rows of: not NEW_USER
      OnlineResponse left = r.getOnlineFeatures(List.of(FeatureRef.of("user_agg:n_7d")), Map.of("user_id", List.of(NEW_USER)), false);
      assertThat(left.features().getFirst().statuses()).as("a row in an earlier layout is not read").containsExactly(FeatureStatus.NOT_FOUND);
      r.push("txns", pushed(NEW_USER), Pusher.Target.ONLINE);
      OnlineResponse read = r.getOnlineFeatures(List.of(FeatureRef.of("user_agg:n_7d"), FeatureRef.of("user_agg:max_1d")),
          Map.of("user_id", List.of(NEW_USER)), false);
      assertThat(read.features()).extracting(c -> c.values().getFirst())
          .as("the rows of this push only, as a rebuild from the source (no rows) and then this push give")
          .containsExactly(2L, 1000.0 + NEW_USER + 1);
    }
  }
}
