package dev.quiver.bench.serve;

import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.server.QuiverServer;
import dev.quiver.server.ServerOptions;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The feature server in a JVM of its own, for {@link ServeBenchmark}: serves the feature repo
 * {@code args[0]} on a free loopback HTTP port (gRPC off unless {@code --grpc on}), prints {@code port N},
 * {@code pid N} and, with gRPC, {@code grpc N} on standard output, and stops (gracefully) when standard
 * input closes. Authentication comes from the repo's quiver.yaml ({@code server: {auth: ...}}).
 *
 * <pre>
 * ServerMain REPO [--threads N] [--io-threads N] [--queue-timeout MS] [--queue-budget MS] [--latency-target MS (0: off)] [--grpc on] [--tls CERT.pem,KEY.pem]
 *     [--max-connections N] [--request-timeout MS]      (defaults: the server's own)
 * </pre>
 */
public final class ServerMain {
  private ServerMain() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: ServerMain REPO [--threads N] [--io-threads N] [--queue-timeout MS]");
      System.exit(2);
    }
    ServerOptions options = ServerOptions.loopback().withPorts(0, -1);
    int workers = options.workerThreads();
    int io = options.ioThreads();
    for (int i = 1; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--threads" -> workers = Integer.parseInt(args[i + 1]);
        case "--io-threads" -> io = Integer.parseInt(args[i + 1]);
        case "--queue-timeout" -> options = options.withAdmission(options.admission()
            .withQueueTimeout(java.time.Duration.ofMillis(Long.parseLong(args[i + 1]))));
        case "--queue-budget" -> options = options.withAdmission(options.admission()
            .withQueueBudget(java.time.Duration.ofNanos((long) (Double.parseDouble(args[i + 1]) * 1e6))));
        case "--latency-target" -> options = options.withAdmission(options.admission()
            .withLatencyTarget(java.time.Duration.ofNanos((long) (Double.parseDouble(args[i + 1]) * 1e6))));
        case "--request-timeout" -> options = options.withAdmission(options.admission()
            .withRequestTimeout(java.time.Duration.ofMillis(Long.parseLong(args[i + 1]))));
        case "--max-connections" -> options = options.withAdmission(options.admission()
            .withMaxConnections(Integer.parseInt(args[i + 1])));
        case "--grpc" -> options = options.withPorts(0, args[i + 1].equals("on") ? 0 : -1);
        case "--tls" -> {
          String[] files = args[i + 1].split(",");
          options = options.withTls(new ServerOptions.Tls(Path.of(files[0]), Path.of(files[1]), null));
        }
        default -> {
          System.err.println("unknown option " + args[i] + " (--threads, --io-threads, --queue-timeout MS,"
              + " --queue-budget MS, --latency-target MS (0: off), --request-timeout MS, --max-connections N, --grpc on, --tls CERT,KEY)");
          System.exit(2);
        }
      }
    }
    options = options.withThreads(io, workers);
    try (FeatureRepo repo = FeatureRepo.open(Path.of(args[0]));
        QuiverServer server = QuiverServer.start(repo, options)) {
      System.out.println("port " + server.httpPort());
      System.out.println("pid " + ProcessHandle.current().pid());
      if (server.grpcPort() >= 0) {
        System.out.println("grpc " + server.grpcPort());
      }
      System.out.println("threads io " + (io == 0 ? "1 per core" : io) + ", workers " + workers + ", queue timeout "
          + options.admission().queueTimeout().toMillis() + " ms, queue budget "
          + options.admission().queueBudget().toNanos() / 1e6 + " ms, latency target "
          + options.admission().latencyTarget().toNanos() / 1e6 + " ms" + (options.tls() == null ? "" : ", TLS"));
      System.out.flush();
      while (System.in.read() >= 0) {
        // until standard input closes
      }
    }
  }
}
