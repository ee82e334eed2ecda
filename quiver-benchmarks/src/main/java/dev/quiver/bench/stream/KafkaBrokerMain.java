package dev.quiver.bench.stream;

import java.io.PrintStream;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A single-node KRaft Kafka (broker and controller combined, {@code KafkaClusterTestKit}, log
 * directories under the temporary folder, deleted at the end) on free loopback ports: prints {@code
 * bootstrap HOST:PORT} and {@code pid N} on standard output, and stops when standard input closes.
 * The stream benchmarks start it in a JVM of its own, so that the CPU time they report for the
 * consumer does not include the broker's.
 */
public final class KafkaBrokerMain {
  private KafkaBrokerMain() {}

  public static void main(String[] args) throws Exception {
    PrintStream ready = System.out;
    System.setOut(System.err); // the kit prints as it formats; standard output carries only the ready lines
    KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder().setCombined(true)
        .setNumBrokerNodes(1).setNumControllerNodes(1).build())
        .setConfigProp("offsets.topic.replication.factor", "1") // else consumers never receive
        .setConfigProp("transaction.state.log.replication.factor", "1")
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        .build();
    try {
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
      ready.println("bootstrap " + cluster.bootstrapServers());
      ready.println("pid " + ProcessHandle.current().pid());
      ready.flush();
      while (System.in.read() >= 0) {
        // until standard input closes
      }
    } finally {
      cluster.close();
    }
  }
}
