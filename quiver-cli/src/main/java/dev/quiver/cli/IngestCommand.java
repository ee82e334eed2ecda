package dev.quiver.cli;

import dev.quiver.core.model.Definitions;
import dev.quiver.core.online.Pusher;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.stream.kafka.IngestOptions;
import dev.quiver.stream.kafka.SourceStatus;
import dev.quiver.stream.kafka.StreamIngestion;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quiver ingest}: consumes Kafka stream sources into the online store (and their batch twins)
 * until SIGINT/SIGTERM, or with {@code --until-caught-up} until every partition is consumed to its end.
 */
@Command(name = "ingest", description = "Consume Kafka stream sources into the online store (and append them to their batch twins).")
final class IngestCommand implements Callable<Integer> {
  @Option(names = "--views", paramLabel = "VIEW", split = ",", description = "Only the stream sources these views read.")
  List<String> views = new ArrayList<>();

  @Option(names = "--sources", paramLabel = "SOURCE", split = ",", description = "Only these stream sources; default: every one.")
  List<String> sources = new ArrayList<>();

  @Option(names = "--from", defaultValue = "committed",
      description = "Where partitions start: earliest, latest or committed (the group's offsets; default).")
  String from;

  @Option(names = "--group", description = "Consumer group for every source (default: the source's group_id, else quiver.<project>.<source>).")
  String group;

  @Option(names = "--writers", paramLabel = "N",
      description = "Threads per source writing a poll's partitions at once (default: the machine's cores).")
  Integer writers;

  @Option(names = "--until-caught-up", description = "Stop once every partition has been consumed to its end.")
  boolean untilCaughtUp;

  @Mixin RepoOption repo;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    IngestOptions options = IngestOptions.DEFAULT.from(IngestOptions.StartFrom.parse(from)).groupId(group);
    if (writers != null) {
      options = options.writers(writers);
    }
    var config = new dev.quiver.core.load.DefinitionLoader().loadConfig(repo.repo);
    if (RunningServer.embedded(config)) {
      var server = dev.quiver.server.ServerFile.find(config.root());
      if (server.isPresent()) {
        throw new dev.quiver.core.QuiverException("the server at " + server.get().http() + " (pid " + server.get().pid()
            + ") owns this repo's online store; consume the streams inside it (quiver serve --ingest, docs/streams.md),"
            + " or stop it and run quiver ingest again");
      }
    }
    try (FeatureRepo r = FeatureRepo.open(repo.repo)) {
      Definitions defs = r.appliedDefinitions();
      var selected = StreamIngestion.select(defs, views, sources);
      Pusher pusher = r.pusher();
      StreamIngestion ingestion = StreamIngestion.start(defs, selected, options,
          (source, columns, origin) -> pusher.push(source, columns, Pusher.Target.ONLINE, origin),
          r.offline(), r.config().root(), new SimpleMeterRegistry(), r.timeBounds());
      Thread hook = new Thread(ingestion::close, "quiver-ingest-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        return watch(ingestion, err);
      } finally {
        ingestion.close();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running: it closes the ingestion
        }
      }
    }
  }

  /** Prints progress every few seconds until the consumers end (or catch up, when asked); 1 when one failed. */
  private int watch(StreamIngestion ingestion, PrintWriter err) throws InterruptedException {
    long startNanos = System.nanoTime();
    long lastPrint = startNanos;
    long lastEvents = 0;
    while (true) {
      boolean ended = ingestion.await(Duration.ofMillis(200));
      List<SourceStatus> status = ingestion.status();
      long now = System.nanoTime();
      boolean caughtUp = untilCaughtUp && status.stream().allMatch(SourceStatus::caughtUp);
      if (ended || caughtUp || now - lastPrint >= 5_000_000_000L) {
        long events = status.stream().mapToLong(SourceStatus::events).sum();
        double rate = (events - lastEvents) / Math.max(1e-9, (now - lastPrint) / 1e9);
        for (SourceStatus s : status) {
          err.printf(Locale.ROOT, "ingest %s: %,d events, %,d skipped, lag %,d, %s%s%n", s.source(), s.events(), s.refused(),
              s.lag(), s.state().name().toLowerCase(Locale.ROOT), s.error() == null ? "" : " (" + s.error() + ")");
        }
        err.printf(Locale.ROOT, "ingest: %,.0f events/s%n", rate);
        err.flush();
        lastPrint = now;
        lastEvents = events;
      }
      if (ended || caughtUp) {
        boolean failed = status.stream().anyMatch(s -> s.state() == SourceStatus.State.FAILED);
        if (failed) {
          err.println("error: a stream consumer stopped (see above); fix the cause and run quiver ingest again:"
              + " it resumes from the committed offsets");
        }
        return failed ? 1 : 0;
      }
    }
  }
}
