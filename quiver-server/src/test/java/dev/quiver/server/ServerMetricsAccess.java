package dev.quiver.server;

/** Test access to {@link ServerMetrics} from the front ends' packages. */
public final class ServerMetricsAccess {
  private ServerMetricsAccess() {}

  /** A fresh set of meters, all at zero. */
  public static ServerMetrics fresh() {
    return new ServerMetrics();
  }
}
