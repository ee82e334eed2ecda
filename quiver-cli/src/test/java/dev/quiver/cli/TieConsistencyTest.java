package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.online.KeyEncoding;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.online.RowEncoding;
import dev.quiver.core.online.RowPosition;
import dev.quiver.core.online.Pusher;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.testkit.LocalRedis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DESIGN §3 "Ties" and "Keys" end to end, on RocksDB and Redis: randomized rows dense in exact ties
 * (same key, event and created time, different values) spread over several files written in an
 * order unlike their sorted path order. Online after materialization equals the offline training
 * set (latest rows, first, last, last_k, counts); a push written offline too that ties a file row
 * wins on both sides, also after the old files are materialized again; a push online only that ties
 * a file row keeps winning online after rematerialization. A view keyed by bytes groups rows by
 * content (three rows of one key count 3). The seed is in every message.
 */
class TieConsistencyTest {
  static final Instant DAY = Instant.parse("2026-01-10T00:00:00Z");
  static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  static final Instant END = Instant.parse("2026-01-11T00:00:00Z");
  static final int USERS = 6;
  static final List<byte[]> DEVICES = List.of(new byte[] {1, 2}, new byte[] {1, 2, 3}, new byte[] {0}, new byte[] {});

  static final String DEFINITIONS = """
      entities:
        - {name: user, join_keys: [user_id], type: int64}
        - {name: device, join_keys: [device_id], type: bytes}
      sources:
        - {name: txns, path: data/txns/*.parquet, timestamp: event_ts, created: created_ts}
      feature_views:
        - name: user_ties
          entities: [user]
          source: txns
          features:
            - {name: last_n, column: n}
            - {name: first_n, aggregate: {fn: first, column: n, window: lifetime}}
            - {name: last_n_agg, aggregate: {fn: last, column: n, window: lifetime}}
            - {name: last3_n, aggregate: {fn: last_k, column: n, k: 3, window: lifetime}}
            - {name: first_n_1d, aggregate: {fn: first, column: n, window: 1d}}
            - {name: rows, aggregate: {fn: count, window: lifetime}}
        - name: device_ties
          entities: [device]
          source: txns
          features:
            - {name: device_last_n, column: n}
            - {name: device_last3, aggregate: {fn: last_k, column: n, k: 3, window: lifetime}}
            - {name: device_rows, aggregate: {fn: count, window: lifetime}}
      """;

  static final List<FeatureRef> USER_FEATURES = Stream.of("last_n", "first_n", "last_n_agg", "last3_n", "first_n_1d", "rows")
      .map(n -> FeatureRef.of("user_ties:" + n)).toList();
  static final List<FeatureRef> DEVICE_FEATURES = Stream.of("device_last_n", "device_last3", "device_rows")
      .map(n -> FeatureRef.of("device_ties:" + n)).toList();

  record Row(long user, byte[] device, Instant event, Instant created, long n) {}

  @TempDir Path tmp;

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (String store : List.of("rocksdb", "redis")) {
      for (long seed = 1; seed <= 3; seed++) {
        out.add(Arguments.of(store, seed));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} seed {1}")
  @MethodSource("cases")
  void onlineEqualsOfflineOnTiesAcrossFilesAndPushes(String store, long seed) throws Exception {
    if (store.equals("redis")) {
      try (LocalRedis redis = LocalRedis.start()) {
        run("online: {type: redis, url: \"" + redis.url() + "\", connect_timeout: 10s, command_timeout: 10s}", seed);
      }
    } else {
      run("online: {type: rocksdb, path: .quiver/online}", seed);
    }
  }

  private void run(String online, long seed) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    Path repo = repo(online);
    // files created in this order, read in sorted path order (b-1, b-10, b-2, c, z)
    List<String> files = new ArrayList<>(List.of("z", "b-10", "b-2", "c", "b-1"));
    Collections.shuffle(files, new java.util.Random(seed));
    long n = 0;
    for (String file : files) {
      List<Row> rows = new ArrayList<>();
      int count = random.nextInt(5, 30);
      for (int i = 0; i < count; i++) {
        Instant event = DAY.plusSeconds(60L * random.nextInt(3));
        Instant created = random.nextInt(3) == 0 ? null : event.plusSeconds(random.nextInt(2));
        rows.add(new Row(random.nextInt(1, USERS + 1), DEVICES.get(random.nextInt(DEVICES.size())), event, created, n++));
      }
      write(repo.resolve("data/txns/" + file + ".parquet"), rows);
    }
    Instant t = END.plusSeconds(3600);
    try (FeatureRepo r = FeatureRepo.open(repo, Clock.fixed(t, ZoneOffset.UTC))) {
      r.apply(r.plan(false), "test", "ties", false);
      r.materialize(List.of(), START, END, (v, read, written) -> {}, "test");
      compare(r, repo, t, seed, "after materialization");

      // a push written offline too, tying user 1's latest file row: it wins online and offline
      Map<String, List<Object>> tie = tieWith(r, repo, 1L, 1_000 + seed);
      r.push("txns", tie, Pusher.Target.ONLINE_AND_OFFLINE);
      assertThat(online(r, t, 1L).get(0)).as("seed %d: the pushed row wins the tie online", seed).isEqualTo(1_000 + seed);
      compare(r, repo, t, seed, "after a tying push to online and offline");
      byte[] pushed = storedRow(r, 1L);
      RowPosition position = RowEncoding.decode(pushed).position();
      assertThat(position).as("seed %d: the pushed row's position is its appended file's", seed)
          .isInstanceOfSatisfying(RowPosition.InFile.class, p -> {
            // after every file already there: push-..., or z~push-... when a file named z sorts after push-
            assertThat(p.path()).startsWith("data/txns/").contains("push-");
            assertThat(p.row()).isZero();
          });
      r.materialize(List.of(), START, END, (v, read, written) -> {}, "test");
      compare(r, repo, t, seed, "after materializing the old files again");
      assertThat(storedRow(r, 1L)).as("seed %d: materialization finds the very same row (same order key)", seed)
          .isEqualTo(pushed);

      // a push online only, tying user 2's latest row: online keeps it whatever materialization does
      r.push("txns", tieWith(r, repo, 2L, 2_000 + seed), Pusher.Target.ONLINE);
      r.materialize(List.of(), START, END, (v, read, written) -> {}, "test");
      assertThat(online(r, t, 2L).get(0)).as("seed %d: an online push stays newer than the files' rows", seed)
          .isEqualTo(2_000 + seed);
    }
  }

  /** User {@code user}'s stored latest row of user_ties. */
  private static byte[] storedRow(FeatureRepo r, long user) {
    return r.online().multiGet("ties.user_ties@v1", List.of(KeyEncoding.encode(List.of(ScalarType.INT64), List.of(user))))
        .getFirst();
  }

  /** Bytes keys group by content: three rows of one key, each read with a fresh array, count 3 on both sides. */
  @Test
  void aBytesKeyGroupsByContentOnlineAndOffline() throws Exception {
    Path repo = repo("online: {type: rocksdb, path: .quiver/online}");
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      rows.add(new Row(1, new byte[] {7, 7}, DAY.plusSeconds(i), null, i));
    }
    rows.add(new Row(1, new byte[] {7}, DAY, null, 9));
    write(repo.resolve("data/txns/a.parquet"), rows);
    Instant t = END.plusSeconds(3600);
    try (FeatureRepo r = FeatureRepo.open(repo, Clock.fixed(t, ZoneOffset.UTC))) {
      r.apply(r.plan(false), "test", "bytes", false);
      r.materialize(List.of(), START, END, (v, read, written) -> {}, "test");
      OnlineResponse got = r.getOnlineFeatures(DEVICE_FEATURES, Map.of("device_id",
          List.of(new byte[] {7, 7}, new byte[] {7}, "Bwc=")), false);
      assertThat(got.features().get(2).values()).containsExactly(3L, 1L, 3L); // "Bwc=" is base64 of 07 07
      assertThat(got.features().get(0).values()).containsExactly(2L, 9L, 2L);
      assertThat(offline(r, repo, DEVICE_FEATURES, "device_id", List.of(new byte[] {7, 7}, new byte[] {7}), t))
          .containsExactly(List.of(2L, List.of(2L, 1L, 0L), 3L), List.of(9L, List.of(9L), 1L));
      // a push to the same key with another array: it counts into the same tiles
      Map<String, List<Object>> push = new LinkedHashMap<>();
      push.put("user_id", List.of(1L));
      push.put("device_id", List.of((Object) new byte[] {7, 7}));
      push.put("event_ts", List.of(DAY.plusSeconds(10).toString()));
      push.put("created_ts", Arrays.asList((Object) null));
      push.put("n", List.of(5L));
      r.push("txns", push, Pusher.Target.ONLINE);
      OnlineResponse after = r.getOnlineFeatures(DEVICE_FEATURES, Map.of("device_id", List.of(new byte[] {7, 7})), false);
      assertThat(after.features().get(2).values()).containsExactly(4L);
      assertThat(after.features().get(0).values()).containsExactly(5L);
    }
  }

  private Path repo(String online) throws Exception {
    Path repo = tmp.resolve("repo-" + System.nanoTime());
    Files.createDirectories(repo.resolve("features"));
    Files.createDirectories(repo.resolve("data/txns"));
    Files.writeString(repo.resolve("quiver.yaml"), """
        project: ties
        registry: {type: file, path: .quiver/registry}
        offline: {engine: duckdb}
        %s
        definitions: [features]
        """.formatted(online));
    Files.writeString(repo.resolve("features/defs.yaml"), DEFINITIONS);
    return repo;
  }

  /** One pushed row with the times of {@code user}'s latest row (as offline answers it), with value {@code n}. */
  private static Map<String, List<Object>> tieWith(FeatureRepo r, Path repo, long user, long n) throws Exception {
    Map<String, List<Object>> push = new LinkedHashMap<>();
    OnlineResponse got = r.getOnlineFeatures(List.of(FeatureRef.of("user_ties:last_n")), Map.of("user_id", List.of(user)), false);
    Instant event = got.features().get(0).eventTimes().get(0);
    // the created time of the latest row: the greatest among the user's rows at that event time, read from the files
    Instant created = latestCreated(repo, user, event);
    push.put("user_id", List.of(user));
    push.put("device_id", List.of((Object) new byte[] {42}));
    push.put("event_ts", List.of(event.toString()));
    push.put("created_ts", Arrays.asList((Object) (created == null ? null : created.toString())));
    push.put("n", List.of(n));
    return push;
  }

  private static Instant latestCreated(Path repo, long user, Instant event) throws Exception {
    Path dir = repo.resolve("data/txns");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      try (var rs = s.executeQuery("SELECT max(created_ts) FROM read_parquet('" + dir + "/*.parquet') WHERE user_id = " + user
          + " AND event_ts = make_timestamp(" + micros(event) + "::BIGINT)")) {
        rs.next();
        LocalDateTime v = rs.getObject(1, LocalDateTime.class);
        return v == null ? null : v.toInstant(ZoneOffset.UTC);
      }
    }
  }

  private static List<Object> online(FeatureRepo r, Instant t, long user) {
    OnlineResponse got = r.getOnlineFeatures(USER_FEATURES, Map.of("user_id", List.of(user)), false);
    List<Object> out = new ArrayList<>();
    got.features().forEach(f -> out.add(f.values().get(0)));
    return out;
  }

  /** Every user and device: online values equal the training set's at t. */
  private void compare(FeatureRepo r, Path repo, Instant t, long seed, String when) throws Exception {
    List<Object> users = new ArrayList<>();
    for (long u = 1; u <= USERS + 1; u++) {
      users.add(u);
    }
    List<Object> devices = new ArrayList<>(DEVICES);
    devices.add(new byte[] {42});
    check(r, repo, USER_FEATURES, "user_id", users, t, seed, when);
    check(r, repo, DEVICE_FEATURES, "device_id", devices, t, seed, when);
  }

  private void check(FeatureRepo r, Path repo, List<FeatureRef> features, String key, List<Object> keys, Instant t, long seed,
      String when) throws Exception {
    // fresh arrays for the online read: keys compare by content
    List<Object> asked = keys.stream().map(k -> k instanceof byte[] b ? (Object) b.clone() : k).toList();
    OnlineResponse got = r.getOnlineFeatures(features, Map.of(key, asked), false);
    List<List<Object>> offline = offline(r, repo, features, key, keys, t);
    int valuesCompared = 0;
    for (int i = 0; i < keys.size(); i++) {
      for (int f = 0; f < features.size(); f++) {
        Object want = offline.get(i).get(f);
        Object have = got.features().get(f).values().get(i);
        assertThat(have).as("seed %d %s: %s %s %s online vs offline", seed, when, key, show(keys.get(i)), features.get(f))
            .isEqualTo(want);
        valuesCompared += want == null ? 0 : 1;
      }
    }
    assertThat(valuesCompared).as("non-null values compared").isGreaterThan(keys.size());
  }

  /** The training set's values at t, per key in order. */
  private List<List<Object>> offline(FeatureRepo r, Path repo, List<FeatureRef> features, String key, List<Object> keys,
      Instant t) throws Exception {
    Path query = repo.resolve("query-" + System.nanoTime() + ".parquet");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE q (" + key + " " + (keys.get(0) instanceof byte[] ? "BLOB" : "BIGINT") + ", event_timestamp TIMESTAMP)");
      try (PreparedStatement p = c.prepareStatement("INSERT INTO q VALUES (?, make_timestamp(" + micros(t) + "::BIGINT))")) {
        for (Object k : keys) {
          p.setObject(1, k);
          p.execute();
        }
      }
      s.execute("COPY q TO '" + query + "' (FORMAT parquet)");
    }
    List<List<Object>> out = new ArrayList<>();
    try (HistoricalRows rows = r.getHistoricalFeatures(
        HistoricalRequest.ofFeatures(new QueryInput.Files(query.toString(), FileFormat.PARQUET), features))) {
      int width = rows.columns().size() - features.size();
      rows.forEachRemaining(row -> out.add(Arrays.asList(row).subList(width, row.length).stream()
          .map(v -> v instanceof Integer i ? (Object) i.longValue() : v).toList()));
    }
    return out;
  }

  private static String show(Object key) {
    return key instanceof byte[] b ? "0x" + HexFormat.of().formatHex(b) : Objects.toString(key);
  }

  private static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
  }

  private static void write(Path file, List<Row> rows) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (user_id BIGINT, device_id BLOB, event_ts TIMESTAMP, created_ts TIMESTAMP, n BIGINT)");
      try (PreparedStatement p = c.prepareStatement("INSERT INTO t VALUES (?, ?, make_timestamp(?::BIGINT),"
          + " CASE WHEN ? IS NULL THEN NULL ELSE make_timestamp(?::BIGINT) END, ?)")) {
        for (Row row : rows) {
          p.setLong(1, row.user());
          p.setBytes(2, row.device());
          p.setLong(3, micros(row.event()));
          Long created = row.created() == null ? null : micros(row.created());
          p.setObject(4, created);
          p.setObject(5, created);
          p.setLong(6, row.n());
          p.execute();
        }
      }
      s.execute("COPY t TO '" + file + "' (FORMAT parquet)");
    }
  }

}
