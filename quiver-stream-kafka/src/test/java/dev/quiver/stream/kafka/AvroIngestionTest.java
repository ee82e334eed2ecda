package dev.quiver.stream.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.testkit.KafkaBroker;
import dev.quiver.testkit.StreamRepo;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Avro end to end: a producer registers its schema over the registry's REST API and writes the same
 * events as {@link KafkaIngestionTest}'s JSON topic, Avro-encoded in the Confluent wire format, to a
 * real Kafka broker (KRaft, in this JVM); stream ingestion consumes both topics into two repos, and
 * the Avro repo serves exactly what the JSON repo serves, and what its twin answers offline. The
 * registry is {@link SchemaRegistryStandIn}, a stand-in on the JDK's HTTP server (no real registry
 * can be started here; see its Javadoc).
 */
class AvroIngestionTest {
  static final Schema TXN = new Schema.Parser().parse("""
      {"type": "record", "name": "Txn", "namespace": "payments", "fields": [
        {"name": "user_id", "type": ["null", "long"], "default": null},
        {"name": "ts", "type": ["null", {"type": "long", "logicalType": "timestamp-millis"}], "default": null},
        {"name": "amount", "type": "double"},
        {"name": "country", "type": "string"},
        {"name": "ignored", "type": "boolean"}
      ]}""");

  static SchemaRegistryStandIn registry;
  @TempDir Path tmp;

  @BeforeAll
  static void start() throws Exception {
    KafkaIngestionTest.broker = new KafkaBroker();
    registry = new SchemaRegistryStandIn();
  }

  @AfterAll
  static void stop() throws Exception {
    registry.close();
    KafkaIngestionTest.broker.close();
  }

  /** KafkaIngestionTest's events (user u on partition u % 2) as Avro, and 4 bad records after the 100th. */
  static String avroTopic() throws Exception {
    int id = registry.register("txns-avro-value", TXN);
    String topic = "txns-avro-" + KafkaIngestionTest.TOPICS.incrementAndGet();
    KafkaIngestionTest.broker.createTopic(topic, 2);
    List<Map.Entry<Integer, byte[]>> values = new ArrayList<>();
    for (int i = 0; i < KafkaIngestionTest.EVENTS; i++) {
      int user = 1 + i % KafkaIngestionTest.USERS;
      Instant t = Instant.parse("2026-01-01T00:00:00Z").plusSeconds(60L * i);
      values.add(Map.entry(user % 2, SchemaRegistryStandIn.wire(id, txn((long) user, t, (i % 17) * 1.25,
          i % 3 == 0 ? "FR" : "DE"))));
      if (i == 100) {
        values.add(Map.entry(0, "not avro".getBytes()));
        values.add(Map.entry(1, SchemaRegistryStandIn.wire(id, txn(3L, null, 1.0, "DE")))); // no event time
        values.add(Map.entry(0, SchemaRegistryStandIn.wire(id, txn(null, t, 1.0, "DE")))); // no key
        values.add(Map.entry(1, SchemaRegistryStandIn.wire(id + 1000, txn(5L, t, 1.0, "DE")))); // unknown schema id
      }
    }
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaIngestionTest.broker.bootstrap());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (var v : values) {
        producer.send(new ProducerRecord<>(topic, v.getKey(), null, v.getValue()));
      }
      producer.flush();
    }
    return topic;
  }

  static GenericRecord txn(Long user, Instant ts, double amount, String country) {
    GenericRecord r = new GenericData.Record(TXN);
    r.put("user_id", user);
    r.put("ts", ts == null ? null : ts.toEpochMilli());
    r.put("amount", amount);
    r.put("country", country);
    r.put("ignored", true);
    return r;
  }

  /** KafkaIngestionTest's repo, its source in {@code format} (a YAML fragment) over {@code topic}. */
  Path repo(String name, String topic, String format) throws Exception {
    return StreamRepo.at(tmp.resolve(name), KafkaIngestionTest.broker.bootstrap(), topic)
        .withSourceLines(format + "\nconsumer: {max.poll.records: \"25\"}")
        .withViews(KafkaIngestionTest.VIEWS)
        .apply(Clock.fixed(KafkaIngestionTest.NOW, ZoneOffset.UTC), "streams");
  }

  /** Consumes the repo's topic to its end; the source's status then. */
  static SourceStatus consume(FeatureRepo r, String topic, SimpleMeterRegistry meters) throws Exception {
    try (StreamIngestion ingestion = KafkaIngestionTest.ingest(r, IngestOptions.DEFAULT, meters, (tp, last) -> { })) {
      KafkaIngestionTest.awaitCommittedToEnd("quiver.streams.txns", topic);
      KafkaIngestionTest.eventsCounted(ingestion, KafkaIngestionTest.EVENTS); // counted just after the commit the broker shows
      return ingestion.status().getFirst();
    }
  }

  @Test
  void avroEventsFromARegistryServeTheSameOnlineValuesAsTheSameEventsInJson() throws Exception {
    String jsonTopic = KafkaIngestionTest.topicWithEvents();
    String avroTopic = avroTopic();
    Path json = repo("json", jsonTopic, "format: json");
    Path avro = repo("avro", avroTopic, "format: avro\nschema_registry: " + registry.url());
    SimpleMeterRegistry meters = new SimpleMeterRegistry();

    List<List<Object>> jsonLatest;
    List<List<Object>> jsonAggregates;
    try (FeatureRepo r = KafkaIngestionTest.open(json)) {
      consume(r, jsonTopic, new SimpleMeterRegistry());
      jsonLatest = KafkaIngestionTest.online(r, KafkaIngestionTest.LATEST);
      jsonAggregates = KafkaIngestionTest.online(r, KafkaIngestionTest.AGGREGATES);
    }
    try (FeatureRepo r = KafkaIngestionTest.open(avro)) {
      SourceStatus status = consume(r, avroTopic, meters);

      assertThat(status.events()).isEqualTo(KafkaIngestionTest.EVENTS);
      assertThat(status.refused()).as("not wire format, no event time, no key, unknown schema id").isEqualTo(4);
      assertThat(KafkaIngestionTest.online(r, KafkaIngestionTest.LATEST)).isEqualTo(jsonLatest)
          .isEqualTo(KafkaIngestionTest.offline(r, KafkaIngestionTest.LATEST));
      assertThat(KafkaIngestionTest.online(r, KafkaIngestionTest.AGGREGATES)).isEqualTo(jsonAggregates)
          .isEqualTo(KafkaIngestionTest.offline(r, KafkaIngestionTest.AGGREGATES));
      assertThat(jsonLatest.get(1)).contains("FR", "DE");
    }
    assertThat(meters.get("quiver.stream.refused").tag("source", "txns").counter().count()).isEqualTo(4);
    assertThat(KafkaIngestionTest.twin(avro)).isEqualTo(KafkaIngestionTest.twin(json)).hasSize(KafkaIngestionTest.EVENTS);
    assertThat(registry.requests).filteredOn(q -> q.startsWith("GET /schemas/ids/")).as("one fetch per id")
        .hasSizeLessThanOrEqualTo(3);
  }
}
