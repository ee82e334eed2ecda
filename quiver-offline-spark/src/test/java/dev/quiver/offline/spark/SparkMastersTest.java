package dev.quiver.offline.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An unreachable cluster master is refused within a bounded time, naming the master and the fix,
 * before Spark would retry it in the background; a reachable one passes the check.
 */
class SparkMastersTest {
  @Test
  void aClosedPortIsRefusedAtOnceNamingTheMasterAndTheFix() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String master = "spark://127.0.0.1:" + port;
    long started = System.nanoTime();
    assertThatThrownBy(() -> new SparkEngineProvider().open(Map.of("master", master, "connect_timeout", "3s")))
        .isInstanceOf(QuiverException.class)
        .hasMessageStartingWith("cannot reach the Spark master " + master + " within 3s")
        .hasMessageContaining("127.0.0.1:" + port + " connection refused")
        .hasMessageContaining("start the master, or fix offline.master in quiver.yaml")
        .hasNoCause();
    assertThat((System.nanoTime() - started) / 1e9).isLessThan(3.5);
  }

  @Test
  void aMasterThatDoesNotAnswerIsRefusedWithinTheTimeout() throws Exception {
    // a listening socket that never accepts, its queue filled: further connections get no answer
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      java.util.List<java.net.Socket> filling = new java.util.ArrayList<>();
      try {
        for (int i = 0; i < 8; i++) {
          java.net.Socket c = new java.net.Socket();
          filling.add(c);
          try {
            c.connect(new InetSocketAddress("127.0.0.1", s.getLocalPort()), 200);
          } catch (java.io.IOException full) {
            break;
          }
        }
        String master = "spark://127.0.0.1:" + s.getLocalPort();
        long started = System.nanoTime();
        assertThatThrownBy(() -> SparkMasters.requireReachable(master, java.time.Duration.ofMillis(1500)))
            .isInstanceOf(QuiverException.class).hasMessageContaining(master).hasMessageContaining("within 1500ms");
        assertThat((System.nanoTime() - started) / 1e9).as("bounded by the timeout").isBetween(1.4, 3.0);
      } finally {
        for (java.net.Socket c : filling) {
          c.close();
        }
      }
    }
  }

  @Test
  void oneAnsweringStandbyIsEnoughAndLocalIsNotChecked() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    try (ServerSocket open = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      SparkMasters.requireReachable("spark://127.0.0.1:" + closed + ",127.0.0.1:" + open.getLocalPort(),
          java.time.Duration.ofSeconds(2));
    }
    assertThat(SparkMasters.addresses("local[2]")).isEmpty();
    assertThat(SparkMasters.addresses("k8s://https://api.example:6443")).containsExactly(
        InetSocketAddress.createUnresolved("api.example", 6443));
    assertThatThrownBy(() -> new SparkEngineProvider().open(Map.of("master", "local[2]", "connect_timeout", "soon")))
        .isInstanceOf(QuiverException.class).hasMessageContaining("offline.connect_timeout 'soon' is not a duration");
  }
}
