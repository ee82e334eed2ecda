package dev.quiver.bench.stream;

import dev.quiver.core.repo.FeatureRepo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The stream benchmarks' events and feature repo. An event is one JSON object, {@code {"user_id": 17,
 * "ts": "2026-12-06T13:41:00.123456Z", "amount": 12.34, "qty": 3, "score": 0.52, "seq": 1234}} (about
 * 100 bytes), keyed by its user (so one user's events stay in one partition, in order); {@code seq}
 * numbers the events, so a reader can tell which event of a user it sees.
 *
 * <p>The repo ({@link #createRepo}): source {@code events} (Kafka, JSON, event time {@code ts},
 * no twin appends; its batch twin is one empty Parquet file) and view {@code user_stream} over it
 * with the column features {@code amount, qty, score, seq}, and with {@code aggregates} also {@code
 * txn_count_1h, txn_count_1d, amount_sum_1h, amount_sum_1d, amount_avg_1h, amount_avg_1d,
 * amount_last_1d}.
 */
final class StreamWorkload {
  private StreamWorkload() {}

  static final String PROJECT = "streambench";
  static final String SOURCE = "events";
  static final String VIEW = "user_stream";
  static final List<String> COLUMNS = List.of("amount", "qty", "score", "seq");
  static final List<String> AGGREGATES = List.of("txn_count_1h", "txn_count_1d", "amount_sum_1h", "amount_sum_1d",
      "amount_avg_1h", "amount_avg_1d", "amount_last_1d");

  /** The view's feature names: the columns, then (with aggregates) the aggregates. */
  static List<String> features(boolean aggregates) {
    return aggregates ? Stream.concat(COLUMNS.stream(), AGGREGATES.stream()).toList() : COLUMNS;
  }

  /** One event's JSON. */
  static byte[] json(long user, Instant ts, long seq, double amount, long qty, double score) {
    return ("{\"user_id\":" + user + ",\"ts\":\"" + ts + "\",\"amount\":" + amount + ",\"qty\":" + qty + ",\"score\":"
        + score + ",\"seq\":" + seq + "}").getBytes(StandardCharsets.UTF_8);
  }

  /** The record key of a user's events (Kafka's default partitioner hashes it). */
  static byte[] key(long user) {
    return Long.toString(user).getBytes(StandardCharsets.US_ASCII);
  }

  static void createTopic(String bootstrap, String topic, int partitions) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    }
  }

  /** A producer with the client's defaults (acks=all, linger 5 ms, no compression) and byte keys and values. */
  static KafkaProducer<byte[], byte[]> producer(String bootstrap, Map<String, String> overrides) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.putAll(overrides);
    return new KafkaProducer<>(p);
  }

  /**
   * Writes a fresh feature repo at {@code root} (deleting what was there) and applies it.
   *
   * @param online the {@code online:} value of quiver.yaml
   * @param maxPollRecords the consumer's {@code max.poll.records}
   */
  static Path createRepo(Path root, String online, String bootstrap, String topic, boolean aggregates, int maxPollRecords)
      throws IOException, SQLException {
    deleteTree(root);
    Files.createDirectories(root.resolve("features"));
    Files.createDirectories(root.resolve("data/events"));
    Files.writeString(root.resolve("quiver.yaml"), """
        # written by dev.quiver.bench.stream (IngestBenchmark, FreshnessBenchmark)
        project: %s
        registry: {type: file, path: .quiver/registry}
        offline: {engine: duckdb}
        online: %s
        definitions: [features]
        """.formatted(PROJECT, online));
    StringBuilder features = new StringBuilder("""
              - {name: amount}
              - {name: qty}
              - {name: score}
              - {name: seq}
        """);
    if (aggregates) {
      features.append("""
              - {name: txn_count_1h, aggregate: {fn: count, window: 1h}}
              - {name: txn_count_1d, aggregate: {fn: count, window: 1d}}
              - {name: amount_sum_1h, aggregate: {fn: sum, column: amount, window: 1h}}
              - {name: amount_sum_1d, aggregate: {fn: sum, column: amount, window: 1d}}
              - {name: amount_avg_1h, aggregate: {fn: avg, column: amount, window: 1h}}
              - {name: amount_avg_1d, aggregate: {fn: avg, column: amount, window: 1d}}
              - {name: amount_last_1d, aggregate: {fn: last, column: amount, window: 1d}}
        """);
    }
    Files.writeString(root.resolve("features/stream.yaml"), """
        entities:
          - {name: user, join_keys: [user_id], type: int64}
        sources:
          - name: %s
            type: kafka
            brokers: %s
            topic: %s
            format: json
            timestamp: ts
            consumer: {max.poll.records: "%d"}
            append_to_batch: false
            batch: {path: data/events/*.parquet}
        feature_views:
          - name: %s
            entities: [user]
            source: %s
            ttl: 30d
            features:
        %s""".formatted(SOURCE, bootstrap, topic, maxPollRecords, VIEW, SOURCE, features));
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT 0::BIGINT AS user_id, TIMESTAMP '2026-01-01' AS ts, 0.0::DOUBLE AS amount, 0::BIGINT AS qty,"
          + " 0.0::DOUBLE AS score, 0::BIGINT AS seq WHERE false) TO '" + root.resolve("data/events/empty.parquet")
          + "' (FORMAT parquet)");
    }
    try (FeatureRepo r = FeatureRepo.open(root)) {
      r.apply(r.plan(false), "benchmark", "stream workload", true);
    }
    return root;
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
