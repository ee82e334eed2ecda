package dev.quiver.offline.spark;

import dev.quiver.core.QuiverException;
import dev.quiver.core.load.Secrets;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks that a cluster master answers before Spark starts: Spark's standalone client retries an
 * unreachable master in the background for a minute and more while jobs wait, and a Kubernetes
 * client fails late with a long stack trace. A TCP connection to each address of {@code
 * spark://host:port[,host2:port2]} (one must answer: standby masters may be down) or of the API
 * server of {@code k8s://https://host:port} is tried within the timeout ({@code
 * offline.connect_timeout}); {@code local} masters are not checked.
 */
final class SparkMasters {
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private SparkMasters() {}

  /** The host and port pairs a master URL names; empty for masters not checked (local, yarn). */
  static List<InetSocketAddress> addresses(String master) {
    List<InetSocketAddress> out = new ArrayList<>();
    if (master.startsWith("spark://")) {
      for (String hostPort : master.substring("spark://".length()).split(",")) {
        out.add(address(hostPort.strip(), 7077, master));
      }
    } else if (master.startsWith("k8s://")) {
      String api = master.substring("k8s://".length());
      URI uri = URI.create(api.contains("://") ? api : "https://" + api);
      if (uri.getHost() == null) {
        throw invalid(master);
      }
      out.add(InetSocketAddress.createUnresolved(uri.getHost(), uri.getPort() > 0 ? uri.getPort()
          : "http".equals(uri.getScheme()) ? 80 : 443));
    }
    return out;
  }

  private static InetSocketAddress address(String hostPort, int defaultPort, String master) {
    int colon = hostPort.lastIndexOf(':');
    String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
    if (host.isEmpty()) {
      throw invalid(master);
    }
    int port = defaultPort;
    if (colon >= 0) {
      try {
        port = Integer.parseInt(hostPort.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw invalid(master);
      }
    }
    return InetSocketAddress.createUnresolved(host, port);
  }

  private static QuiverException invalid(String master) {
    return new QuiverException("quiver.yaml: offline.master " + Secrets.redact(master) + " is not a Spark master URL; write"
        + " local[*], spark://HOST:7077 or k8s://https://HOST:PORT");
  }

  /**
   * Throws when none of the master's addresses accepts a connection within {@code timeout}.
   *
   * @throws QuiverException naming the master, what failed and the fix
   */
  static void requireReachable(String master, Duration timeout) {
    List<InetSocketAddress> addresses = addresses(master);
    if (addresses.isEmpty()) {
      return;
    }
    List<String> failures = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    for (InetSocketAddress a : addresses) {
      int left = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (deadline - System.nanoTime()) / 1_000_000));
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(a.getHostString(), a.getPort()), left);
        return;
      } catch (IOException e) {
        failures.add(a.getHostString() + ":" + a.getPort() + " " + (e.getMessage() == null ? e.getClass().getSimpleName()
            : e.getMessage().toLowerCase(java.util.Locale.ROOT)));
      }
    }
    throw new QuiverException("cannot reach the Spark master " + Secrets.redact(master) + " within "
        + dev.quiver.core.model.Durations.format(timeout) + " (" + Secrets.redact(String.join("; ", failures)) + "): start the"
        + " master, or fix offline.master in quiver.yaml (a cluster master must be reachable from this machine; a slow"
        + " network may need a longer offline.connect_timeout)");
  }
}
