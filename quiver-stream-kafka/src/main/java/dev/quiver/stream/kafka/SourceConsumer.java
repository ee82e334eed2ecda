package dev.quiver.stream.kafka;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.StreamSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * One stream source's consumer loop, on its own thread: poll, then apply each partition's batch
 * ({@link PartitionWriter}) and commit the offsets of the partitions written, in one request. With
 * several {@link IngestOptions#writers}, a round gathers what the client has buffered (polls that do
 * not wait, while they return records) up to one poll's worth ({@code max.poll.records}) per
 * partition and one per writer in all — a partition that has its share is paused meanwhile, since a
 * poll returns one partition's records until they run out — and writes its partitions at once, on
 * this thread and a pool, each partition's events in order on one thread. Offsets are committed only
 * after the partition's twin append and online write succeeded; a partition whose write fails (a
 * store error) is sought back and retried after a pause, the others are committed. Keys of
 * different partitions may meet in the store: tile rows take both through compare-and-set, latest
 * rows keep the newest. Rebalances happen inside {@code poll}, between batches, so nothing is in
 * flight when partitions are revoked: what was written is committed, and a partition's next owner
 * resumes from there. Before subscribing it waits (state {@code STARTING}, retrying) until the
 * brokers answer and the topic exists. Polls return at most {@value #MAX_POLL_RECORDS} records
 * unless the source's {@code consumer:} properties set {@code max.poll.records} (bigger batches spread
 * each write's fixed costs over more events). {@link #stop} may be called from any thread.
 */
final class SourceConsumer implements Runnable {
  private static final Logger LOG = Logger.getLogger(SourceConsumer.class.getName());
  private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);
  /** How long one metadata request for the topic may wait for the brokers before it is tried again. */
  private static final Duration METADATA_WAIT = Duration.ofSeconds(5);
  /** {@code max.poll.records} unless the source sets it (Kafka's own default is 500). */
  static final int MAX_POLL_RECORDS = 5000;
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
  /** Writes partitions beside the consumer's thread; null with one writer. */
  private final ExecutorService pool;
  /** The records of the round being gathered, by partition, in offset order (revoked partitions are dropped). */
  private final Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> round = new LinkedHashMap<>();
  /** {@code max.poll.records}: a partition's share of a round. */
  private final int maxPoll;
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
  /** Each round's writes and commit, and its events: what freshness waits for behind the poll. */
  private final Timer roundTime;
  private final DistributionSummary roundEvents;
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
    p.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(MAX_POLL_RECORDS));
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    try {
      this.consumer = new KafkaConsumer<>(p);
    } catch (KafkaException e) { // e.g. no resolvable bootstrap server, a consumer property Kafka refuses
      throw new InvalidRequestException("source '" + source.name() + "': cannot create a Kafka consumer for brokers "
          + source.brokers() + ": " + rootMessage(e) + "; check brokers and consumer in its definition");
    }
    this.error = "reaching brokers " + source.brokers() + " and topic '" + source.topic() + "'";
    this.maxPoll = Integer.parseInt(p.get(ConsumerConfig.MAX_POLL_RECORDS_CONFIG).toString().strip());
    this.pool = options.writers() == 1 ? null : Executors.newFixedThreadPool(options.writers() - 1,
        Thread.ofPlatform().daemon().name("quiver-ingest-" + source.name() + "-writer-", 1).factory());
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
    this.roundTime = Timer.builder("quiver.stream.round")
        .description("time to write a round's partition batches online and commit their offsets")
        .tag("source", source.name()).register(meters);
    this.roundEvents = DistributionSummary.builder("quiver.stream.round.records")
        .description("records in a round (one poll and what the client had buffered)")
        .tag("source", source.name()).register(meters);
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
        gather();
        if (running && !round.isEmpty()) { // else not applied, not committed: the next consumer of the group takes it
          apply();
        }
        round.clear();
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
      if (pool != null) {
        pool.shutdownNow(); // idle: every write of a poll is awaited before the next poll
      }
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

  /** One partition's batch and what writing it did (exactly one of outcome and failure is set once run). */
  private final class Batch implements Runnable {
    final TopicPartition tp;
    final List<ConsumerRecord<byte[], byte[]>> records;
    PartitionWriter.Outcome outcome;
    RuntimeException failure;
    Error error;

    Batch(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> records) {
      this.tp = tp;
      this.records = records;
    }

    @Override
    public void run() {
      try {
        outcome = writer.apply(tp.partition(), records);
      } catch (RuntimeException e) {
        failure = e;
      } catch (Error e) {
        error = e;
      }
    }
  }

  /**
   * Polls into {@link #round}: once, waiting up to the poll timeout, then (with several writers) what
   * the client has buffered, pausing each partition that has its share, until every partition has
   * it, the round holds a share per writer, or nothing more is buffered.
   */
  private void gather() {
    int total = add(consumer.poll(options.pollTimeout()));
    if (pool == null || total == 0) {
      return;
    }
    List<TopicPartition> paused = new ArrayList<>();
    try {
      int added = total;
      while (running && added > 0 && total < options.writers() * maxPoll) {
        round.forEach((tp, records) -> {
          if (records.size() >= maxPoll && !paused.contains(tp)) {
            consumer.pause(List.of(tp)); // its buffered records stay for the next round
            paused.add(tp);
          }
        });
        if (paused.size() >= consumer.assignment().size()) {
          break;
        }
        added = add(consumer.poll(Duration.ZERO));
        total += added;
      }
    } finally {
      Set<TopicPartition> assigned = consumer.assignment(); // a rebalance inside poll may have taken some
      consumer.resume(paused.stream().filter(assigned::contains).toList());
    }
  }

  private int add(ConsumerRecords<byte[], byte[]> records) {
    for (TopicPartition tp : records.partitions()) {
      round.computeIfAbsent(tp, k -> new ArrayList<>()).addAll(records.records(tp));
    }
    return records.count();
  }

  /**
   * Writes each partition's batch of the round (at once, on up to {@code writers} threads), then
   * commits the partitions written in one request; a partition that failed is sought back to its
   * batch's start and retried after a pause.
   */
  private void apply() {
    long start = System.nanoTime();
    List<Batch> batches = new ArrayList<>();
    round.forEach((tp, records) -> batches.add(new Batch(tp, records)));
    roundEvents.record(batches.stream().mapToInt(b -> b.records.size()).sum());
    write(batches);
    Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
    boolean failed = false;
    for (Batch b : batches) {
      if (b.error != null) {
        throw b.error;
      }
      if (b.failure != null) {
        failed = true;
        failures.increment();
        state(SourceStatus.State.RETRYING, b.failure.getMessage());
        LOG.log(Level.WARNING, "source '" + source.name() + "' partition " + b.tp.partition() + " offsets "
            + b.records.getFirst().offset() + ".." + b.records.getLast().offset() + " not written, retrying: "
            + b.failure.getMessage(), b.failure);
        consumer.seek(b.tp, b.records.getFirst().offset());
        continue;
      }
      long last = b.records.getLast().offset();
      beforeCommit.run(b.tp, last);
      offsets.put(b.tp, new OffsetAndMetadata(last + 1));
    }
    if (!offsets.isEmpty()) {
      commit(offsets, batches);
    }
    roundTime.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
    if (failed) {
      pause();
    }
  }

  /** Runs the batches: the first on this thread, the others on the pool (all on this thread with one writer). */
  private void write(List<Batch> batches) {
    if (pool == null || batches.size() == 1) {
      batches.forEach(Batch::run);
      return;
    }
    List<Future<?>> others = new ArrayList<>();
    for (Batch b : batches.subList(1, batches.size())) {
      others.add(pool.submit(b));
    }
    batches.getFirst().run();
    for (Future<?> f : others) {
      try {
        f.get(); // waits even when stopping: a write in flight finishes before its partition can be committed or revoked
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running = false;
        awaitQuietly(f);
      } catch (ExecutionException e) {
        throw new IllegalStateException("a batch write escaped its own handler", e.getCause());
      }
    }
  }

  private static void awaitQuietly(Future<?> f) {
    while (true) {
      try {
        f.get();
        return;
      } catch (InterruptedException again) {
        // keep waiting: the write must end before the consumer closes
      } catch (ExecutionException e) {
        return;
      }
    }
  }

  /** Commits the offsets of the partitions written and counts their events. */
  private void commit(Map<TopicPartition, OffsetAndMetadata> offsets, List<Batch> batches) {
    try {
      consumer.commitSync(offsets);
    } catch (WakeupException e) {
      throw e;
    } catch (RuntimeException e) {
      failures.increment();
      state(SourceStatus.State.RETRYING, e.getMessage());
      LOG.log(Level.WARNING, "source '" + source.name() + "': committing " + offsets + " failed, re-reading those"
          + " batches (written already, so they change nothing): " + e.getMessage(), e);
      Set<TopicPartition> assigned = consumer.assignment(); // a rebalance may have taken some away
      for (Batch b : batches) {
        if (offsets.containsKey(b.tp) && assigned.contains(b.tp)) {
          consumer.seek(b.tp, b.records.getFirst().offset());
        }
      }
      pause();
      return;
    }
    for (Batch b : batches) {
      OffsetAndMetadata o = offsets.get(b.tp);
      if (o == null) {
        continue;
      }
      committed.put(b.tp.partition(), o.offset());
      events.increment(b.outcome.applied());
      refused.increment(b.outcome.refused());
      late.increment(b.outcome.late());
      future.increment(b.outcome.future());
      eventCount.addAndGet(b.outcome.applied());
      refusedCount.addAndGet(b.outcome.refused());
      lateCount.addAndGet(b.outcome.late());
    }
    if (state == SourceStatus.State.RETRYING && offsets.size() == batches.size()) {
      state(SourceStatus.State.RUNNING, null);
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
    if (pool != null) {
      pool.shutdownNow();
    }
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
        round.remove(tp); // gathered, not written: its next owner reads it from the committed offset
      });
    }
  }
}
