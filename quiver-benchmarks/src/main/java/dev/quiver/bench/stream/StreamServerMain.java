package dev.quiver.bench.stream;

import dev.quiver.core.online.Pusher;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.server.QuiverServer;
import dev.quiver.server.ServerOptions;
import dev.quiver.stream.kafka.IngestOptions;
import dev.quiver.stream.kafka.StreamIngestion;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
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
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      try (StreamIngestion ingestion = StreamIngestion.start(defs, StreamIngestion.select(defs, List.of(), List.of()),
          IngestOptions.DEFAULT, (source, columns, origin) -> pusher.push(source, columns, Pusher.Target.ONLINE, origin),
          repo.offline(), root, meters)) {
        Thread.ofPlatform().daemon().name("round-stats").start(() -> printRounds(meters));
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

  /**
   * Every 5 s, on standard error: the consumer's rounds in that time (count, mean records, mean and
   * longest time to write and commit one), from the meters {@code SourceConsumer} registers.
   */
  private static void printRounds(SimpleMeterRegistry meters) {
    long count = 0;
    double seconds = 0;
    double records = 0;
    while (true) {
      try {
        Thread.sleep(5000);
      } catch (InterruptedException e) {
        return;
      }
      Timer t = meters.find("quiver.stream.round").timer();
      DistributionSummary r = meters.find("quiver.stream.round.records").summary();
      if (t == null || r == null) {
        continue;
      }
      long n = t.count() - count;
      double took = t.totalTime(TimeUnit.SECONDS) - seconds;
      double got = r.totalAmount() - records;
      System.err.printf("rounds %s: %d in 5 s, mean %.0f records, mean %.1f ms to write and commit, longest %.1f ms"
          + " (recent)%n", Instant.now(), n, n == 0 ? 0 : got / n, n == 0 ? 0 : took * 1000 / n, t.max(TimeUnit.MILLISECONDS));
      count = t.count();
      seconds = t.totalTime(TimeUnit.SECONDS);
      records = r.totalAmount();
    }
  }
}
