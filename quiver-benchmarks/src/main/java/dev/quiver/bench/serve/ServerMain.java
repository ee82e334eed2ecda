package dev.quiver.bench.serve;

import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.server.QuiverServer;
import dev.quiver.server.ServerOptions;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The feature server in a JVM of its own, for {@link ServeBenchmark}: serves the feature repo
 * {@code args[0]} on a free loopback HTTP port (gRPC off), prints {@code port N} and {@code pid N} on
 * standard output, and stops (gracefully) when standard input closes.
 *
 * <pre>
 * ServerMain REPO [--threads N] [--io-threads N]      (defaults: the server's own)
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
        default -> {
          System.err.println("unknown option " + args[i] + " (--threads, --io-threads, --queue-timeout MS)");
          System.exit(2);
        }
      }
    }
    options = options.withThreads(io, workers);
    try (FeatureRepo repo = FeatureRepo.open(Path.of(args[0]));
        QuiverServer server = QuiverServer.start(repo, options)) {
      System.out.println("port " + server.httpPort());
      System.out.println("pid " + ProcessHandle.current().pid());
      System.out.println("threads io " + (io == 0 ? "1 per core" : io) + ", workers " + workers + ", queue timeout "
          + options.admission().queueTimeout().toMillis() + " ms");
      System.out.flush();
      while (System.in.read() >= 0) {
        // until standard input closes
      }
    }
  }
}
