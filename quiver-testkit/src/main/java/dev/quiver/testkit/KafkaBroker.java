package dev.quiver.testkit;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node KRaft Kafka in this JVM on free ports, for one test class (start it in
 * {@code @BeforeAll}, close it in {@code @AfterAll}: it starts in about 3 s). The Kafka test kit is an
 * optional dependency of the test kit: a module whose tests use this class declares {@code
 * org.apache.kafka:kafka-test-common-runtime} (test scope) itself. Thread-safe.
 */
public final class KafkaBroker implements AutoCloseable {
  private final KafkaClusterTestKit cluster;

  /** Starts the broker; returns once it accepts clients. */
  public KafkaBroker() throws Exception {
    cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1)
        .setNumControllerNodes(1).build())
        .setConfigProp("offsets.topic.replication.factor", "1") // else consumers never receive
        .setConfigProp("transaction.state.log.replication.factor", "1")
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
  }

  /** The bootstrap servers ({@code host:port}) clients connect to. */
  public String bootstrap() {
    return cluster.bootstrapServers();
  }

  /** Creates a topic of {@code partitions} partitions, replication 1, and waits for it. */
  public void createTopic(String topic, int partitions) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    }
  }

  /** Sends each value to its partition, in order, and waits until all are acknowledged. */
  public void produce(String topic, List<Map.Entry<Integer, String>> values) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      for (var v : values) {
        producer.send(new ProducerRecord<>(topic, v.getKey(), null, v.getValue()));
      }
      producer.flush();
    }
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
