package dev.quiver.stream.kafka;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.StreamSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One stream source's consumer loop, on its own thread: poll, then per partition apply the batch
 * ({@link PartitionWriter}) and commit its offsets. Offsets are committed only after the twin append
 * and the online write succeeded; a write that fails (a store error) seeks the partition back and is
 * retried after a pause. Rebalances happen inside {@code poll}, between batches, so nothing is in
 * flight when partitions are revoked: what was written is committed, and a partition's next owner
 * resumes from there. Before subscribing it waits (state {@code STARTING}, retrying) until the brokers
 * answer and the topic exists. {@link #stop} may be called from any thread.
 */
final class SourceConsumer implements Runnable {
  private static final Logger LOG = Logger.getLogger(SourceConsumer.class.getName());
  private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);
  /** How long one metadata request for the topic may wait for the brokers before it is tried again. */
  private static final Duration METADATA_WAIT = Duration.ofSeconds(5);

  /** Called after a batch's writes and before its commit (tests stop a consumer there, as a crash would). */
  @FunctionalInterface
  interface BeforeCommit {
    void run(TopicPartition partition, long lastOffset);
  }

  private final StreamSource source;
  private final String group;
  private final IngestOptions options;
  private final PartitionWriter writer;
  private final BeforeCommit beforeCommit;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Set<TopicPartition> positioned = new HashSet<>();
  private final Map<Integer, Long> lags = new ConcurrentHashMap<>();
  private final Map<Integer, Long> committed = new ConcurrentHashMap<>();
  private final List<Gauge> gauges = new ArrayList<>();
  private final MeterRegistry meters;
  private final Counter events;
  private final Counter refused;
  private final Counter failures;
  private final Counter late;
  private final Counter future;
  private final AtomicLong eventCount = new AtomicLong();
  private final AtomicLong refusedCount = new AtomicLong();
  private final AtomicLong lateCount = new AtomicLong();
  private volatile SourceStatus.State state = SourceStatus.State.STARTING;
  private volatile Instant since = Instant.now();
  private volatile String error;
  private volatile boolean running = true;
  private volatile boolean caughtUp;

  SourceConsumer(StreamSource source, String group, IngestOptions options, PartitionWriter writer, MeterRegistry meters,
      BeforeCommit beforeCommit) {
    this.source = source;
    this.group = group;
    this.options = options;
    this.writer = writer;
    this.beforeCommit = beforeCommit;
    this.meters = meters;
    Properties p = new Properties();
    p.putAll(source.consumerProperties());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, source.brokers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"); // offsets move only after the writes
    p.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "quiver-" + source.name());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    try {
      this.consumer = new KafkaConsumer<>(p);
    } catch (KafkaException e) { // e.g. no resolvable bootstrap server, a consumer property Kafka refuses
      throw new InvalidRequestException("source '" + source.name() + "': cannot create a Kafka consumer for brokers "
          + source.brokers() + ": " + rootMessage(e) + "; check brokers and consumer in its definition");
    }
    this.error = "reaching brokers " + source.brokers() + " and topic '" + source.topic() + "'";
    this.events = Counter.builder("quiver.stream.events").description("events written online from a stream source")
        .tag("source", source.name()).register(meters);
    this.refused = Counter.builder("quiver.stream.refused")
        .description("records skipped: undecodable, missing keys or event time, or refused by the write path")
        .tag("source", source.name()).register(meters);
    this.failures = Counter.builder("quiver.stream.failures").description("batch writes that failed and were retried")
        .tag("source", source.name()).register(meters);
    this.late = Counter.builder("quiver.stream.late")
        .description("events the window-aggregate tiles dropped as older than any window can still read")
        .tag("source", source.name()).register(meters);
    // the server's counter of rows refused for their time (ServerMetrics): same name and tag, so one meter
    this.future = Counter.builder("quiver.push.rows.rejected")
        .description("Pushed or streamed rows refused and never stored, by reason (future: event time after now + max_future_skew)")
        .tag("reason", "future").register(meters);
  }

  @Override
  public void run() {
    try {
      if (!awaitTopic()) {
        state(SourceStatus.State.STOPPED, null);
        return;
      }
      consumer.subscribe(List.of(source.topic()), new Positioning());
      state(SourceStatus.State.RUNNING, null);
      while (running) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(options.pollTimeout());
        for (TopicPartition tp : records.partitions()) {
          if (!running) {
            break; // not applied, not committed: the next consumer of the group takes it
          }
          apply(tp, records.records(tp));
        }
        updateLag();
      }
      state(SourceStatus.State.STOPPED, null);
    } catch (WakeupException stopping) {
      state(SourceStatus.State.STOPPED, null);
    } catch (RuntimeException | Error e) {
      state(SourceStatus.State.FAILED, String.valueOf(e.getMessage()));
      LOG.log(Level.SEVERE, "stream consumer of source '" + source.name() + "' stopped", e);
      if (e instanceof Error err && !(e instanceof StackOverflowError)) {
        throw err;
      }
    } finally {
      gauges.forEach(meters::remove); // a restarted consumer registers its own
      consumer.close(); // commits nothing: auto commit is off
    }
  }

  /** Waits until the brokers answer and the topic exists; false when stopped first. */
  private boolean awaitTopic() {
    while (running) {
      try {
        List<PartitionInfo> partitions = consumer.partitionsFor(source.topic(), METADATA_WAIT);
        if (partitions != null && !partitions.isEmpty()) {
          return true;
        }
        error = "topic '" + source.topic() + "' does not exist on brokers " + source.brokers() + "; waiting for it";
      } catch (TimeoutException e) {
        error = "brokers " + source.brokers() + " did not answer within " + METADATA_WAIT.toSeconds() + " s; retrying";
      }
      LOG.warning(() -> "source '" + source.name() + "': " + error);
      pause();
    }
    return false;
  }

  private void state(SourceStatus.State s, String why) {
    error = why;
    if (state != s) {
      state = s;
      since = Instant.now();
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return String.valueOf(t.getMessage());
  }

  private void apply(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> batch) {
    long last = batch.getLast().offset();
    try {
      PartitionWriter.Outcome o = writer.apply(tp.partition(), batch);
      beforeCommit.run(tp, last);
      consumer.commitSync(Map.of(tp, new OffsetAndMetadata(last + 1)));
      committed.put(tp.partition(), last + 1);
      events.increment(o.applied());
      refused.increment(o.refused());
      late.increment(o.late());
      future.increment(o.future());
      eventCount.addAndGet(o.applied());
      refusedCount.addAndGet(o.refused());
      lateCount.addAndGet(o.late());
      if (state == SourceStatus.State.RETRYING) {
        state(SourceStatus.State.RUNNING, null);
      }
    } catch (WakeupException e) {
      throw e;
    } catch (RuntimeException e) {
      failures.increment();
      state(SourceStatus.State.RETRYING, e.getMessage());
      LOG.log(Level.WARNING, "source '" + source.name() + "' partition " + tp.partition() + " offsets "
          + batch.getFirst().offset() + ".." + last + " not written, retrying: " + e.getMessage(), e);
      consumer.seek(tp, batch.getFirst().offset());
      pause();
    }
  }

  private void pause() {
    try {
      Thread.sleep(RETRY_PAUSE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  private void updateLag() {
    Set<TopicPartition> assigned = consumer.assignment();
    caughtUp = !assigned.isEmpty() && assigned.stream().allMatch(tp -> consumer.currentLag(tp).orElse(-1) == 0);
    for (TopicPartition tp : assigned) {
      consumer.currentLag(tp).ifPresent(l -> {
        if (lags.put(tp.partition(), l) == null) {
          gauges.add(Gauge.builder("quiver.stream.lag", lags, m -> m.getOrDefault(tp.partition(), 0L))
              .description("records produced but not yet consumed")
              .tags("source", source.name(), "partition", String.valueOf(tp.partition())).register(meters));
        }
      });
    }
  }

  /** Releases a consumer that was never run (another source of the same start failed). */
  void discard() {
    consumer.close();
  }

  void stop() {
    running = false;
    consumer.wakeup();
  }

  SourceStatus status() {
    long lag = lags.values().stream().mapToLong(Long::longValue).sum();
    List<SourceStatus.Partition> partitions = new ArrayList<>();
    java.util.TreeSet<Integer> numbers = new java.util.TreeSet<>(lags.keySet());
    numbers.addAll(committed.keySet());
    for (int p : numbers) {
      partitions.add(new SourceStatus.Partition(p, committed.getOrDefault(p, -1L), lags.getOrDefault(p, -1L)));
    }
    return new SourceStatus(source.name(), group, state, eventCount.get(), refusedCount.get(), lateCount.get(), lag,
        caughtUp, error, since, partitions);
  }

  /** Moves partitions to the start asked for, the first time this consumer is assigned each. */
  private final class Positioning implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      List<TopicPartition> fresh = partitions.stream().filter(positioned::add).toList();
      switch (options.from()) {
        case EARLIEST -> consumer.seekToBeginning(fresh);
        case LATEST -> consumer.seekToEnd(fresh);
        case COMMITTED -> { }
      }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      partitions.forEach(tp -> {
        lags.remove(tp.partition());
        committed.remove(tp.partition());
      });
    }
  }
}
