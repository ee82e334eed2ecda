package dev.quiver.stream.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.FeatureRef;
import dev.quiver.testkit.KafkaBroker;
import dev.quiver.testkit.StreamRepo;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.online.Pusher;
import dev.quiver.core.repo.FeatureRepo;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stream ingestion against a real Kafka broker (KRaft, in this JVM): JSON events over two partitions
 * into RocksDB through the push path and into the batch twin through DuckDB, bad records skipped and
 * counted, a consumer killed between its writes and its commit, and a replay from the earliest offset.
 */
class KafkaIngestionTest {
  static final Instant NOW = Instant.parse("2026-01-02T00:00:00Z");
  static final int USERS = 20;
  static final int EVENTS = 300;
  static final List<FeatureRef> LATEST = List.of(FeatureRef.of("user_last:amount"), FeatureRef.of("user_last:country"));
  static final List<FeatureRef> AGGREGATES = List.of(FeatureRef.of("user_agg:amount_sum_1d"), FeatureRef.of("user_agg:txn_count_1d"));

  static KafkaBroker broker;
  static final AtomicInteger TOPICS = new AtomicInteger();

  @TempDir Path tmp;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = new KafkaBroker();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    broker.close();
  }

  /** A topic of two partitions holding EVENTS good events (user u on partition u % 2) and 4 bad records. */
  static String topicWithEvents() throws Exception {
    return topicWithEvents(null);
  }

  /** As {@link #topicWithEvents()}, plus {@code extra} (a JSON event) on partition 1 right after the 150th event, when not null. */
  static String topicWithEvents(String extra) throws Exception {
    String topic = "txns-" + TOPICS.incrementAndGet();
    broker.createTopic(topic, 2);
    List<Map.Entry<Integer, String>> values = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      int user = 1 + i % USERS;
      Instant t = Instant.parse("2026-01-01T00:00:00Z").plusSeconds(60L * i);
      values.add(Map.entry(user % 2, "{\"user_id\": " + user + ", \"ts\": \"" + t + "\", \"amount\": " + (i % 17) * 1.25
          + ", \"country\": \"" + (i % 3 == 0 ? "FR" : "DE") + "\", \"ignored\": true}"));
      if (i == 100) {
        values.add(Map.entry(0, "not json"));
        values.add(Map.entry(1, "{\"user_id\": 3, \"amount\": 1.0}"));
        values.add(Map.entry(0, "{\"ts\": \"" + t + "\", \"amount\": 1.0}"));
        values.add(Map.entry(1, "{\"user_id\": 5, \"ts\": \"" + t + "\", \"amount\": \"abc\"}"));
      }
      if (i == 150 && extra != null) {
        values.add(Map.entry(1, extra));
      }
    }
    broker.produce(topic, values);
    return topic;
  }

  /** The views: the latest amount and country of a user, and their 1-day sum and count. */
  static final String VIEWS = StreamRepo.LATEST_VIEW + """
        - name: user_agg
          entities: [user]
          source: txns
          features:
            - {name: amount_sum_1d, aggregate: {fn: sum, column: amount, window: 1d}}
            - {name: txn_count_1d, aggregate: {fn: count, window: 1d}}
      """;

  /** A feature repo whose source txns is the topic, appended to data/txns/*.parquet (one empty file gives its columns). */
  Path repo(String name, String topic) throws Exception {
    return repo(name, topic, "WHERE false");
  }

  /** As {@link #repo(String, String)}, the history file part-0.parquet holding the row the SQL tail keeps (or none). */
  Path repo(String name, String topic, String history) throws Exception {
    return StreamRepo.at(tmp.resolve(name), broker.bootstrap(), topic)
        .withSourceLines("consumer: {max.poll.records: \"25\"}")
        .withViews(VIEWS)
        .withHistory(StreamRepo.TXNS_COLUMNS + " " + history)
        .apply(Clock.fixed(NOW, ZoneOffset.UTC), "streams");
  }

  static FeatureRepo open(Path repo) {
    return FeatureRepo.open(repo, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  static StreamIngestion ingest(FeatureRepo r, IngestOptions options, SimpleMeterRegistry meters,
      SourceConsumer.BeforeCommit hook) {
    Pusher pusher = r.pusher();
    var defs = r.appliedDefinitions();
    return StreamIngestion.start(defs, StreamIngestion.select(defs, List.of(), List.of()), options,
        (source, columns, origin) -> pusher.push(source, columns, Pusher.Target.ONLINE, origin),
        r.offline(), r.config().root(), meters, r.timeBounds(), hook);
  }

  /** Waits until the group has committed every partition of the topic up to its end. */
  static void awaitCommittedToEnd(String group, String topic) throws Exception {
    awaitCommittedToEnd(group, topic, 2);
  }

  static void awaitCommittedToEnd(String group, String topic, int partitions) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap()))) {
      Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
      for (int p = 0; p < partitions; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      var ends = admin.listOffsets(latest).all().get();
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (System.nanoTime() < deadline) {
        var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        boolean done = ends.entrySet().stream().allMatch(e -> committed.get(e.getKey()) != null
            && committed.get(e.getKey()).offset() >= e.getValue().offset());
        if (done) {
          return;
        }
        Thread.sleep(100);
      }
      throw new AssertionError("group " + group + " did not commit " + topic + " to its end in 90 s");
    }
  }

  /**
   * The consumer's count of events written once it reaches {@code expected}, or after 10 s: it counts a
   * round's events after the commit returns, so a moment after the group's offsets show the end.
   */
  static long eventsCounted(StreamIngestion ingestion, long expected) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (ingestion.status().getFirst().events() < expected && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    return ingestion.status().getFirst().events();
  }

  /** The online answer for every user, feature by feature. */
  static List<List<Object>> online(FeatureRepo r, List<FeatureRef> refs) {
    OnlineResponse resp = r.getOnlineFeatures(refs, Map.of("user_id", users()), false);
    return resp.features().stream().map(f -> List.copyOf(new ArrayList<>(f.values()))).toList();
  }

  /** The offline point-in-time answer at NOW (from the twin) for every user, feature by feature. */
  static List<List<Object>> offline(FeatureRepo r, List<FeatureRef> refs) {
    String query = "SELECT range AS user_id, TIMESTAMP '" + NOW + "' AS event_timestamp FROM range(1, " + (USERS + 1) + ")";
    List<List<Object>> out = new ArrayList<>();
    refs.forEach(f -> out.add(new ArrayList<>()));
    try (HistoricalRows rows = r.getHistoricalFeatures(HistoricalRequest.ofFeatures(new QueryInput.Sql(query), refs))) {
      while (rows.hasNext()) {
        Object[] row = rows.next();
        for (int f = 0; f < refs.size(); f++) {
          out.get(f).add(row[2 + f]);
        }
      }
    }
    return out;
  }

  static List<Object> users() {
    List<Object> users = new ArrayList<>();
    for (long u = 1; u <= USERS; u++) {
      users.add(u);
    }
    return users;
  }

  /** The twin's rows in a stable order, and its stream files' names. */
  static List<String> twin(Path repo) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT user_id, ts, amount, country FROM read_parquet('"
            + repo.resolve("data/txns/*.parquet") + "') ORDER BY ts, user_id")) {
      while (rs.next()) {
        out.add(rs.getLong(1) + "|" + rs.getObject(2) + "|" + rs.getDouble(3) + "|" + rs.getString(4));
      }
    }
    return out;
  }

  static List<String> twinFiles(Path repo) throws Exception {
    try (Stream<Path> files = Files.list(repo.resolve("data/txns"))) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("stream-")).sorted().toList();
    }
  }

  @Test
  void streamedEventsServeOnlineWhatTheTwinAnswersOfflineAndBadRecordsAreSkippedAndCounted() throws Exception {
    String topic = topicWithEvents();
    Path repo = repo("clean", topic);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (FeatureRepo r = open(repo)) {
      try (StreamIngestion ingestion = ingest(r, IngestOptions.DEFAULT, meters, (tp, last) -> { })) {
        awaitCommittedToEnd("quiver.streams.txns", topic);
        assertThat(eventsCounted(ingestion, EVENTS)).isEqualTo(EVENTS); // counted just after the commit the broker shows
        SourceStatus status = ingestion.status().getFirst();
        assertThat(status.refused()).isEqualTo(4);
        assertThat(status.state()).isEqualTo(SourceStatus.State.RUNNING);
        assertThat(status.partitions()).extracting(SourceStatus.Partition::partition).containsExactly(0, 1);
        assertThat(status.partitions().stream().mapToLong(SourceStatus.Partition::committed).sum())
            .as("next offsets committed: every record, bad ones included").isEqualTo(EVENTS + 4);
        assertThat(meters.find("quiver.stream.lag").tags("source", "txns", "partition", "1").gauge()).isNotNull();
      }
      assertThat(meters.get("quiver.stream.events").tag("source", "txns").counter().count()).isEqualTo(EVENTS);
      assertThat(meters.get("quiver.stream.refused").tag("source", "txns").counter().count()).isEqualTo(4);
      assertThat(meters.find("quiver.stream.lag").gauges()).as("a stopped consumer's lag gauges are removed").isEmpty();

      assertThat(online(r, LATEST)).isEqualTo(offline(r, LATEST));
      assertThat(online(r, AGGREGATES)).isEqualTo(offline(r, AGGREGATES));
      assertThat(online(r, AGGREGATES).get(1)).as("counts").contains(15L);
    }
    assertThat(twin(repo)).hasSize(EVENTS);
    assertThat(twinFiles(repo)).allMatch(n -> n.matches("stream-p0000[01]-o\\d{20}-\\d{20}\\.parquet"))
        .anyMatch(n -> n.startsWith("stream-p00000-")).anyMatch(n -> n.startsWith("stream-p00001-"));
  }

  /**
   * An event past the time bound (NOW + 1 h) amid a batch: dropped before the twin append, so it is
   * neither in the twin nor online, counted as refused and as a future rejection; the batch's other
   * events are written (issue 19: the twin used to take it while the online write refused it).
   */
  @Test
  void aFutureEventReachesNeitherTheTwinNorTheOnlineStoreAndIsCounted() throws Exception {
    String topic = topicWithEvents("{\"user_id\": 3, \"ts\": \"2026-01-02T01:00:01Z\", \"amount\": 9999.0, \"country\": \"XX\"}");
    Path repo = repo("future", topic);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (FeatureRepo r = open(repo)) {
      try (StreamIngestion ingestion = ingest(r, IngestOptions.DEFAULT, meters, (tp, last) -> { })) {
        awaitCommittedToEnd("quiver.streams.txns", topic);
        assertThat(eventsCounted(ingestion, EVENTS)).isEqualTo(EVENTS);
        assertThat(ingestion.status().getFirst().refused()).isEqualTo(4 + 1);
      }
      assertThat(meters.get("quiver.push.rows.rejected").tag("reason", "future").counter().count()).isEqualTo(1);
      assertThat(meters.get("quiver.stream.refused").tag("source", "txns").counter().count()).isEqualTo(5);
      assertThat(online(r, LATEST)).isEqualTo(offline(r, LATEST));
      assertThat(online(r, LATEST).get(1)).doesNotContain("XX");
      assertThat(online(r, AGGREGATES)).isEqualTo(offline(r, AGGREGATES));
    }
    assertThat(twin(repo)).as("every event but the future one").hasSize(EVENTS).noneMatch(row -> row.endsWith("|XX"));
  }

  /**
   * Validation rules on a stream (docs/validation.md): an event failing a {@code fail} rule is
   * refused like a value that does not fit its type — alone, counted, in neither the twin nor the
   * online store, the consumer going on; an event failing a {@code skip_row} rule is left out online
   * and kept in the twin, as the topic keeps it.
   */
  @Test
  void eventsFailingAValidationRuleAreRefusedOrSkippedAndTheConsumerGoesOn() throws Exception {
    String topic = topicWithEvents("{\"user_id\": 3, \"ts\": \"2026-01-01T02:31:00Z\", \"amount\": 9999.0, \"country\": \"XX\"}");
    String views = VIEWS.replace("- {name: country}", "- {name: country, validation: {allowed: {value: [FR, DE], on_fail: fail}}}");
    Path repo = StreamRepo.at(tmp.resolve("rules-fail"), broker.bootstrap(), topic)
        .withSourceLines("consumer: {max.poll.records: \"25\"}").withViews(views)
        .withHistory(StreamRepo.TXNS_COLUMNS + " WHERE false").apply(Clock.fixed(NOW, ZoneOffset.UTC), "rules");
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (FeatureRepo r = open(repo)) {
      try (StreamIngestion ingestion = ingest(r, IngestOptions.DEFAULT, meters, (tp, last) -> { })) {
        awaitCommittedToEnd("quiver.streams.txns", topic);
        assertThat(eventsCounted(ingestion, EVENTS)).isEqualTo(EVENTS);
        assertThat(ingestion.status().getFirst().refused()).isEqualTo(4 + 1);
        assertThat(ingestion.status().getFirst().state()).isEqualTo(SourceStatus.State.RUNNING);
      }
      assertThat(online(r, LATEST).get(1)).doesNotContain("XX");
      assertThat(online(r, LATEST)).isEqualTo(offline(r, LATEST));
      assertThat(r.registry().validationLog().read(java.time.Instant.EPOCH, "user_last", 100))
          .extracting(dev.quiver.core.quality.RuleResult::entry, dev.quiver.core.quality.RuleResult::outcome)
          .as("recorded once, by the event's own retry, not also by the batch it was in")
          .containsExactly(org.assertj.core.groups.Tuple.tuple("stream", dev.quiver.core.quality.RuleResult.Outcome.FAILED));
    }
    assertThat(twin(repo)).as("the refused event is not in the twin").hasSize(EVENTS).noneMatch(row -> row.endsWith("|XX"));

    String skipTopic = topicWithEvents("{\"user_id\": 3, \"ts\": \"2026-01-01T02:31:00Z\", \"amount\": 9999.0, \"country\": \"xx\"}");
    Path skipRepo = StreamRepo.at(tmp.resolve("rules-skip"), broker.bootstrap(), skipTopic)
        .withSourceLines("consumer: {max.poll.records: \"25\"}")
        .withViews(VIEWS.replace("- {name: country}", "- {name: country, validation: {pattern: {value: \"^[A-Z]{2}$\", on_fail: skip_row}}}"))
        .withHistory(StreamRepo.TXNS_COLUMNS + " WHERE false").apply(Clock.fixed(NOW, ZoneOffset.UTC), "rules");
    try (FeatureRepo r = open(skipRepo)) {
      try (StreamIngestion ingestion = ingest(r, IngestOptions.DEFAULT, new SimpleMeterRegistry(), (tp, last) -> { })) {
        awaitCommittedToEnd("quiver.streams.txns", skipTopic);
        assertThat(ingestion.status().getFirst().refused()).as("skipped, not refused").isEqualTo(4);
      }
      assertThat(online(r, LATEST).get(1)).doesNotContain("xx");
      assertThat(r.registry().validationLog().read(java.time.Instant.EPOCH, "user_last", 100))
          .extracting(dev.quiver.core.quality.RuleResult::rowsFailed, dev.quiver.core.quality.RuleResult::outcome)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, dev.quiver.core.quality.RuleResult.Outcome.SKIPPED));
    }
    assertThat(twin(skipRepo)).as("the twin keeps the skipped event, as the topic does").hasSize(EVENTS + 1);
  }

  @Test
  void aConsumerKilledBetweenItsWritesAndItsCommitRestartsToTheStateOfOneCleanPass() throws Exception {
    String topic = topicWithEvents();
    Path clean = repo("clean", topic);
    Path crashed = repo("crashed", topic);
    try (FeatureRepo r = open(clean);
        StreamIngestion ingestion = ingest(r, IngestOptions.DEFAULT.groupId("clean"), new SimpleMeterRegistry(), (tp, l) -> { })) {
      awaitCommittedToEnd("clean", topic);
    }
    AtomicInteger batches = new AtomicInteger();
    try (FeatureRepo r = open(crashed)) {
      StreamIngestion first = ingest(r, IngestOptions.DEFAULT.groupId("crashed"), new SimpleMeterRegistry(), (tp, last) -> {
        if (batches.incrementAndGet() == 3) {
          throw new Crash(); // the twin file and the online rows are written; the offsets are not committed
        }
      });
      assertThat(first.await(Duration.ofSeconds(60))).as("the consumer died").isTrue();
      assertThat(first.status().getFirst().state()).isEqualTo(SourceStatus.State.FAILED);
      try (StreamIngestion again = ingest(r, IngestOptions.DEFAULT.groupId("crashed"), new SimpleMeterRegistry(), (tp, l) -> { })) {
        awaitCommittedToEnd("crashed", topic);
      }
    }
    try (FeatureRepo a = open(clean); FeatureRepo b = open(crashed)) {
      assertThat(online(b, LATEST)).isEqualTo(online(a, LATEST));
      assertThat(online(b, LATEST)).isEqualTo(offline(b, LATEST));
    }
    assertThat(twin(crashed)).isEqualTo(twin(clean)).hasSize(EVENTS);
  }

  /** Window aggregates after a crash and a replay: exact only once tile rows record stream offsets (issue 19, W). */
  @Test
  void aggregatesAfterACrashAndAReplayEqualOneCleanPass() throws Exception {
    String topic = topicWithEvents();
    Path repo = repo("replayed", topic);
    AtomicInteger batches = new AtomicInteger();
    try (FeatureRepo r = open(repo)) {
      StreamIngestion first = ingest(r, IngestOptions.DEFAULT.groupId("g1"), new SimpleMeterRegistry(), (tp, last) -> {
        if (batches.incrementAndGet() == 3) {
          throw new Crash();
        }
      });
      first.await(Duration.ofSeconds(60));
      try (StreamIngestion again = ingest(r, IngestOptions.DEFAULT.groupId("g1"), new SimpleMeterRegistry(), (tp, l) -> { })) {
        awaitCommittedToEnd("g1", topic);
      }
      try (StreamIngestion replay = ingest(r, IngestOptions.DEFAULT.groupId("g2").from(IngestOptions.StartFrom.EARLIEST),
          new SimpleMeterRegistry(), (tp, l) -> { })) {
        awaitCommittedToEnd("g2", topic);
      }
      assertThat(online(r, AGGREGATES)).isEqualTo(offline(r, AGGREGATES));
    }
  }

  /**
   * A consumer killed after its twin append and before its online write, then {@code materialize} to a
   * time inside the killed batch (the rebuild reads the batch from the twin), then the restart (which
   * writes the same offsets online): every event counts once, before END and after it (issue 19: the
   * events up to END counted twice).
   */
  @Test
  void aMaterializationBetweenATwinAppendAndItsOnlineWriteLeavesTheRestartNothingToCountTwice() throws Exception {
    String topic = topicWithEvents();
    Path repo = repo("twin-ahead", topic);
    AtomicInteger writes = new AtomicInteger();
    List<String> killed = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (FeatureRepo r = open(repo)) {
      Pusher pusher = r.pusher();
      var defs = r.appliedDefinitions();
      StreamIngestion first = StreamIngestion.start(defs, StreamIngestion.select(defs, List.of(), List.of()),
          IngestOptions.DEFAULT.groupId("g").writers(1), (source, columns, origin) -> {
            if (writes.incrementAndGet() == 3) {
              killed.add(columns.get("event_ts").getFirst() + ".." + columns.get("event_ts").getLast());
              throw new Crash(); // the twin file is written; nothing online, nothing committed
            }
            return pusher.push(source, columns, Pusher.Target.ONLINE, origin);
          }, r.offline(), r.config().root(), new SimpleMeterRegistry(), r.timeBounds(), (tp, l) -> { });
      assertThat(first.await(Duration.ofSeconds(60))).as("the consumer died").isTrue();
      assertThat(killed).hasSize(1);
      String[] span = killed.getFirst().split("\\.\\.");
      Instant from = Instant.parse(span[0]);
      Instant to = Instant.parse(span[1]);
      Instant end = from.plus(Duration.between(from, to).dividedBy(2)); // inside the killed batch
      r.materialize(List.of(), Instant.parse("2026-01-01T00:00:00Z"), end, (v, read, written) -> { }, "test");
      try (StreamIngestion again = ingest(r, IngestOptions.DEFAULT.groupId("g"), new SimpleMeterRegistry(), (tp, l) -> { })) {
        awaitCommittedToEnd("g", topic);
      }
      assertThat(online(r, AGGREGATES)).isEqualTo(offline(r, AGGREGATES));
      assertThat(online(r, AGGREGATES).get(1)).as("counts: %d events of each user, once", EVENTS / USERS)
          .containsOnly((long) (EVENTS / USERS));
      assertThat(online(r, LATEST)).isEqualTo(offline(r, LATEST));
    }
    assertThat(twin(repo)).hasSize(EVENTS);
  }

  @Test
  void aReplayFromTheEarliestOffsetChangesNothing() throws Exception {
    String topic = topicWithEvents();
    Path repo = repo("replay", topic);
    try (FeatureRepo r = open(repo)) {
      try (StreamIngestion once = ingest(r, IngestOptions.DEFAULT, new SimpleMeterRegistry(), (tp, l) -> { })) {
        awaitCommittedToEnd("quiver.streams.txns", topic);
      }
      List<List<Object>> before = online(r, LATEST);
      List<String> files = twinFiles(repo);
      try (StreamIngestion replay = ingest(r, IngestOptions.DEFAULT.groupId("replay").from(IngestOptions.StartFrom.EARLIEST),
          new SimpleMeterRegistry(), (tp, l) -> { })) {
        awaitCommittedToEnd("replay", topic);
        assertThat(eventsCounted(replay, EVENTS)).isEqualTo(EVENTS);
      }
      assertThat(online(r, LATEST)).isEqualTo(before).isEqualTo(offline(r, LATEST));
      assertThat(twinFiles(repo)).isEqualTo(files);
    }
    assertThat(twin(repo)).hasSize(EVENTS);
  }

  /**
   * DESIGN §3 "Ties": a streamed row written offline lands in a file after those already there, so it
   * wins an exact tie with a history row offline, as it does online (it was ingested later).
   */
  @Test
  void streamedRowsLandInTwinFilesAfterTheHistoryFilesSoTheyWinExactTiesOffline() throws Exception {
    String topic = "ties-" + TOPICS.incrementAndGet();
    broker.createTopic(topic, 1);
    broker.produce(topic, List.of(Map.entry(0, "{\"user_id\": 1, \"ts\": \"2026-01-01T10:00:00Z\", \"amount\": 2.5,"
        + " \"country\": \"streamed\"}")));
    Path repo = repo("ties", topic, "WHERE false UNION ALL SELECT 1, TIMESTAMP '2026-01-01 10:00:00', 1.5, 'history'");
    try (FeatureRepo r = open(repo)) {
      try (StreamIngestion once = ingest(r, IngestOptions.DEFAULT, new SimpleMeterRegistry(), (tp, l) -> { })) {
        awaitCommittedToEnd("quiver.streams.txns", topic, 1);
      }
      List<FeatureRef> country = List.of(FeatureRef.of("user_last:country"));
      assertThat(offline(r, country).getFirst().getFirst()).isEqualTo("streamed");
    }
    try (Stream<Path> files = Files.list(repo.resolve("data/txns"))) {
      assertThat(files.map(f -> f.getFileName().toString()).sorted().toList())
          .containsExactly("part-0.parquet", "stream-p00000-o00000000000000000000-00000000000000000000.parquet");
    }
  }

  /**
   * The partitions of a poll are written at once, on the consumer's thread and its writers: a user's
   * events spread over both partitions meet in the same tile and latest rows, which compare-and-set
   * and newest-wins keep exact.
   */
  @Test
  void partitionsWrittenAtOnceBySeveralThreadsGiveTheStateOfOnePass() throws Exception {
    String topic = "spread-" + TOPICS.incrementAndGet();
    broker.createTopic(topic, 2);
    List<Map.Entry<Integer, String>> values = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      Instant t = Instant.parse("2026-01-01T00:00:00Z").plusSeconds(60L * i);
      values.add(Map.entry(i % 2, "{\"user_id\": " + (1 + i % USERS) + ", \"ts\": \"" + t + "\", \"amount\": " + (i % 17) * 1.25
          + ", \"country\": \"" + (i % 3 == 0 ? "FR" : "DE") + "\"}"));
    }
    broker.produce(topic, values);
    Path repo = repo("spread", topic);
    java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    try (FeatureRepo r = open(repo)) {
      Pusher pusher = r.pusher();
      var defs = r.appliedDefinitions();
      try (StreamIngestion ingestion = StreamIngestion.start(defs, StreamIngestion.select(defs, List.of(), List.of()),
          IngestOptions.DEFAULT.writers(2), (source, columns, origin) -> {
            threads.add(Thread.currentThread().getName());
            return pusher.push(source, columns, Pusher.Target.ONLINE, origin);
          }, r.offline(), r.config().root(), new SimpleMeterRegistry(), r.timeBounds(), (tp, l) -> { })) {
        awaitCommittedToEnd("quiver.streams.txns", topic);
        assertThat(eventsCounted(ingestion, EVENTS)).isEqualTo(EVENTS);
      }
      assertThat(threads).as("written by the consumer's thread and its writer").hasSize(2)
          .anyMatch(n -> n.startsWith("quiver-ingest-txns-writer-"));
      assertThat(online(r, LATEST)).isEqualTo(offline(r, LATEST));
      assertThat(online(r, AGGREGATES)).isEqualTo(offline(r, AGGREGATES));
      assertThat(online(r, AGGREGATES).get(1)).as("counts").containsOnly(15L);
    }
  }

  /** What a kill does to a consumer thread, at the worst moment. */
  static final class Crash extends Error {
    Crash() {
      super("killed between the writes and the commit", null, false, false);
    }
  }
}
