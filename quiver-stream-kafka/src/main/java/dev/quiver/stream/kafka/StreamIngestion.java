package dev.quiver.stream.kafka;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.Names;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.Source;
import dev.quiver.core.model.StreamSource;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.online.TimeBounds;
import dev.quiver.core.spi.SourceColumn;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Consumes Kafka stream sources into the online store: one consumer (one thread, one consumer group)
 * per source, reading every partition of its topic. Each polled batch of a partition is decoded
 * (records that do not decode, or lack their keys or event time, are skipped, counted and logged
 * with partition and offset), appended to the source's batch twin when the source says {@code
 * append_to_batch} (files named by partition and offset range; offsets already in a file are never
 * written again), written online through the push path with its offsets ({@link
 * dev.quiver.core.online.Origin.Stream}), and only then committed. A crash anywhere in between
 * replays the batch, which changes nothing already written (see docs/streams.md for the guarantee
 * and its limits).
 *
 * <p>Metrics on the given registry: {@code quiver.stream.events}, {@code quiver.stream.refused}, {@code
 * quiver.stream.late}, {@code quiver.stream.failures} (counters, by source), {@code
 * quiver.push.rows.rejected} with {@code reason=future} (events dropped for an event time past the
 * time bound, the counter a server's pushes count theirs in), {@code quiver.stream.lag}
 * (gauge, by source and partition, removed when its consumer ends), {@code quiver.stream.round} (a
 * timer of each round's writes and commit) and {@code quiver.stream.round.records} (a summary of its
 * records), by source. Thread-safe; {@link #close} stops
 * every consumer and waits for it.
 */
public final class StreamIngestion implements AutoCloseable {
  private final List<SourceConsumer> consumers;
  private final List<Thread> threads = new ArrayList<>();

  private StreamIngestion(List<SourceConsumer> consumers) {
    this.consumers = consumers;
    for (SourceConsumer c : consumers) {
      Thread t = new Thread(c, "quiver-ingest-" + c.status().source());
      t.setDaemon(true);
      threads.add(t);
    }
    threads.forEach(Thread::start);
  }

  /**
   * Starts consuming {@code sources}, checking event times against the default time bound ({@link
   * TimeBounds#systemDefault()}: 1 h after the system clock); see the overload taking the bounds.
   *
   * @param defs the definitions the sources and their views come from
   * @param writer the online write (the push path over the registry version served)
   * @param offline reads the twins' columns and appends to them; may be null when no source appends
   * @throws InvalidRequestException when a source cannot be consumed: no views' keys, a twin without
   *     files, brokers that do not resolve, a consumer property Kafka refuses (nothing is started then)
   */
  public static StreamIngestion start(Definitions defs, List<StreamSource> sources, IngestOptions options,
      StreamWriter writer, OfflineEngine offline, Path repoRoot, MeterRegistry meters) {
    return start(defs, sources, options, writer, offline, repoRoot, meters, TimeBounds.systemDefault());
  }

  /**
   * Starts consuming {@code sources}. Events whose event time is after {@code bounds}' limit are
   * dropped before the batch twin append and the online write, logged and counted ({@code
   * quiver.stream.refused}, and {@code quiver.push.rows.rejected} with {@code reason=future}); pass
   * the bounds {@code writer}'s push path applies (a repo's {@code timeBounds()}), so both agree.
   *
   * @param defs the definitions the sources and their views come from
   * @param writer the online write (the push path over the registry version served)
   * @param offline reads the twins' columns and appends to them; may be null when no source appends
   * @param bounds the time bound of event times (DESIGN §3, time bounds)
   * @throws InvalidRequestException when a source cannot be consumed: no views' keys, a twin without
   *     files, brokers that do not resolve, a consumer property Kafka refuses (nothing is started then)
   */
  public static StreamIngestion start(Definitions defs, List<StreamSource> sources, IngestOptions options,
      StreamWriter writer, OfflineEngine offline, Path repoRoot, MeterRegistry meters, TimeBounds bounds) {
    return start(defs, sources, options, writer, offline, repoRoot, meters, bounds, (tp, last) -> { });
  }

  static StreamIngestion start(Definitions defs, List<StreamSource> sources, IngestOptions options, StreamWriter writer,
      OfflineEngine offline, Path repoRoot, MeterRegistry meters, TimeBounds bounds, SourceConsumer.BeforeCommit beforeCommit) {
    if (sources.isEmpty()) {
      throw new InvalidRequestException("no stream sources to ingest; define a source with type: kafka (docs/streams.md)");
    }
    List<SourceConsumer> consumers = new ArrayList<>();
    try {
      for (StreamSource s : sources) {
        Set<String> twinColumns = s.appendToBatch() ? twinColumns(s, offline, repoRoot) : Set.of();
        PartitionWriter w = new PartitionWriter(s, RecordDecoder.of(s, requiredKeys(defs, s), repoRoot), writer::write, offline,
            repoRoot, twinColumns, bounds);
        String group = options.groupId() != null ? options.groupId() : s.group(defs.project());
        consumers.add(new SourceConsumer(s, group, options, w, meters, beforeCommit));
      }
    } catch (RuntimeException e) {
      consumers.forEach(SourceConsumer::discard);
      throw e;
    }
    return new StreamIngestion(consumers);
  }

  /**
   * The stream sources to consume: those named, those the named views read, or (both empty) every
   * stream source.
   *
   * @throws InvalidRequestException naming a source or view that does not exist or is not over a stream
   */
  public static List<StreamSource> select(Definitions defs, List<String> views, List<String> sources) {
    Map<String, StreamSource> out = new LinkedHashMap<>();
    List<String> streams = defs.sources().stream().filter(s -> s instanceof StreamSource).map(Source::name).toList();
    for (String name : sources) {
      Source s = defs.source(name).orElseThrow(() -> new InvalidRequestException("no source '" + name + "'"
          + Names.didYouMean(name, streams) + "; stream sources: " + (streams.isEmpty() ? "none" : String.join(", ", streams))));
      if (!(s instanceof StreamSource st)) {
        throw new InvalidRequestException("source '" + name + "' reads files, not a stream; ingest one of: "
            + (streams.isEmpty() ? "none (define a source with type: kafka)" : String.join(", ", streams)));
      }
      out.put(name, st);
    }
    for (String name : views) {
      List<FeatureView> matching = defs.views().stream().filter(v -> v.name().equals(name) || v.qualifiedName().equals(name)).toList();
      if (matching.isEmpty()) {
        throw new InvalidRequestException("no feature view '" + name + "'"
            + Names.didYouMean(name, defs.views().stream().map(FeatureView::name).distinct().toList()));
      }
      for (FeatureView v : matching) {
        if (defs.source(v.source()).orElse(null) instanceof StreamSource st) {
          out.put(st.name(), st);
        } else {
          throw new InvalidRequestException("view " + v.qualifiedName() + " reads source '" + v.source()
              + "', which is not a stream; materialize it instead (quiver materialize)");
        }
      }
    }
    if (sources.isEmpty() && views.isEmpty()) {
      defs.sources().forEach(s -> {
        if (s instanceof StreamSource st) {
          out.put(st.name(), st);
        }
      });
    }
    return List.copyOf(out.values());
  }

  /** Each consumer's state, in source order. */
  public List<SourceStatus> status() {
    return consumers.stream().map(SourceConsumer::status).toList();
  }

  /** True while no consumer has failed. */
  public boolean healthy() {
    return status().stream().noneMatch(s -> s.state() == SourceStatus.State.FAILED);
  }

  /** Waits until every consumer has ended (after {@link #close}, or on failure), at most {@code timeout}. */
  public boolean await(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread t : threads) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      t.join(Duration.ofNanos(left));
    }
    return threads.stream().noneMatch(Thread::isAlive);
  }

  /** Stops every consumer after the batch it is writing (uncommitted work is replayed by the next run) and waits. */
  @Override
  public void close() {
    consumers.forEach(SourceConsumer::stop);
    try {
      await(Duration.ofSeconds(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The join keys of every online view over the source: a record without one is refused. */
  private static List<String> requiredKeys(Definitions defs, StreamSource s) {
    Set<String> keys = new LinkedHashSet<>();
    for (FeatureView v : defs.views()) {
      if (v.source().equals(s.name()) && v.online()) {
        for (String e : v.entities()) {
          defs.entity(e).ifPresent(entity -> entity.joinKeys().stream().map(JoinKey::name).forEach(keys::add));
        }
      }
    }
    return List.copyOf(keys);
  }

  private static Set<String> twinColumns(StreamSource s, OfflineEngine offline, Path repoRoot) {
    if (offline == null) {
      throw new InvalidRequestException("source '" + s.name() + "' appends to its batch, which needs the offline engine");
    }
    Set<String> out = new LinkedHashSet<>();
    for (SourceColumn c : offline.describe(new QueryInput.Sql("SELECT * FROM " + offline.quoteIdentifier(s.name())), List.of(s.batch()), repoRoot)) {
      out.add(c.name());
    }
    return out;
  }
}
