package dev.quiver.bench.serve;

import java.io.PrintStream;
import java.util.List;

/**
 * Where the CPU went in one phase of a pinned run, from its construction to {@link #print}: each pinned CPU's busy share
 * (was the server's CPU full, so that what it served is its capacity?) and the server JVM, redis-server and the load
 * generator (this JVM) in cores, and SHARED when the server JVM and redis-server got under 90% of their CPUs (other
 * processes ran there: a loaded machine). Prints nothing when nothing is pinned.
 */
final class PhaseCpu {
  private final ServerProcess server;
  private final List<Long> redisPids;
  private final String clientCpus;
  private final String serverCpus;
  private final PrintStream out;
  private final CpuBusy busy0 = CpuBusy.now();
  private final long t0 = System.nanoTime();
  private final double server0;
  private final double redis0;
  private final double self0;

  PhaseCpu(ServerProcess server, List<Long> redisPids, String clientCpus, String serverCpus, PrintStream out) {
    this.server = server;
    this.redisPids = redisPids;
    this.clientCpus = clientCpus;
    this.serverCpus = serverCpus;
    this.out = out;
    this.server0 = server.cpuSeconds();
    this.redis0 = redisSeconds();
    this.self0 = selfSeconds(server0, redis0);
  }

  private double redisSeconds() {
    return redisPids.stream().mapToDouble(ServeBenchmark::cpuSeconds).sum();
  }

  /** This JVM alone: its process tree less the server JVM and redis-server, which are its children. */
  private static double selfSeconds(double server, double redis) {
    return ServeBenchmark.cpuSeconds(ProcessHandle.current().pid()) - server - redis;
  }

  void print() {
    if (serverCpus == null) {
      return;
    }
    double sec = (System.nanoTime() - t0) / 1e9;
    double srv = server.cpuSeconds();
    double redis = redisSeconds();
    CpuBusy now = CpuBusy.now();
    double served = (srv - server0 + redis - redis0) / sec;
    int cpus = serverCpus.split(",").length;
    out.printf("  CPUs: %s (load generator %.2f cores); %s (server JVM %.2f cores, redis-server %.2f cores)%s%n",
        clientCpus == null ? "generator unpinned" : now.line(busy0, clientCpus), (selfSeconds(srv, redis) - self0) / sec,
        now.line(busy0, serverCpus), (srv - server0) / sec, (redis - redis0) / sec, served < 0.9 * cpus
            ? String.format("; SHARED: other processes took %.0f%% of the server's CPUs, so what it served is not its"
                + " capacity", 100 * (1 - served / cpus)) : "");
  }
}
