package dev.quiver.bench.stream;

import dev.quiver.core.online.Pusher;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.server.QuiverServer;
import dev.quiver.server.ServerOptions;
import dev.quiver.stream.kafka.IngestOptions;
import dev.quiver.stream.kafka.StreamIngestion;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The feature server with stream ingestion in the same JVM, for {@link FreshnessBenchmark}: serves the
 * repo {@code args[0]} on a free loopback HTTP port (gRPC off) through {@link QuiverServer} (what
 * {@code quiver serve} runs), and consumes every stream source of the repo with {@link StreamIngestion}
 * (what {@code quiver ingest} runs: the repo's pusher, from the group's committed offsets), both over
 * the one online store the repo opened. Prints {@code port N} and {@code pid N}; stops both when
 * standard input closes.
 *
 * <pre>
 * StreamServerMain REPO
 * </pre>
 */
public final class StreamServerMain {
  private StreamServerMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: StreamServerMain REPO");
      System.exit(2);
    }
    Path root = Path.of(args[0]);
    PrintStream ready = System.out;
    System.setOut(System.err); // standard output carries only the ready lines
    try (FeatureRepo repo = FeatureRepo.open(root);
        QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1))) {
      var defs = repo.appliedDefinitions();
      Pusher pusher = repo.pusher();
      try (StreamIngestion ingestion = StreamIngestion.start(defs, StreamIngestion.select(defs, List.of(), List.of()),
          IngestOptions.DEFAULT, (source, columns, origin) -> pusher.push(source, columns, Pusher.Target.ONLINE, origin),
          repo.offline(), root, new SimpleMeterRegistry())) {
        ready.println("port " + server.httpPort());
        ready.println("pid " + ProcessHandle.current().pid());
        ready.flush();
        while (System.in.read() >= 0) {
          // until standard input closes
        }
        System.err.println("stream server: " + ingestion.status());
      }
    }
  }
}
