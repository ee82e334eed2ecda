package dev.quiver.server;

import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The feature log's single writer thread: takes sampled requests from the ring ({@link FeatureLogRing}) in
 * batches, appends their rows (straight from each place's bytes, {@link FeatureLogRecord}; a request of a
 * new schema through its decoded objects) to one buffer of Arrow vectors per service ({@link FeatureLogBatches}: a value is one
 * store into a column, off the Java heap, in chunks of 4,096 rows doubling up to 32,768), and rolls a
 * buffer to a Parquet file when it holds {@code roll_rows} rows, when its first row is {@code
 * roll_every} old, when the schema or the date changes, and on close.
 *
 * <p>Why DuckDB writes the files: it is already the product's embedded engine, it scans the Arrow
 * vectors in place (an Arrow C stream, no copy into a table) and {@code COPY ... TO (FORMAT parquet)}
 * writes the same Parquet files (types, zstd compression, timestamps) that the DuckDB offline engine
 * reads back as a source; Arrow's dataset writer would add a second Parquet writer with its own type
 * mapping and JDK 25 flags. (Until issue 23's flog26 the rows went through DuckDB's appender into an
 * in-memory table: 105 appender calls per row of 50 features, most of the writer's CPU.)
 *
 * <p>Files: {@code <path>/<service>/date=YYYY-MM-DD/part-<epochMillis>-<seq>.parquet}, the date being
 * the UTC date of the rows' {@code served_at}. Each is written under a hidden temporary name in the
 * same folder and renamed into place, so a reader (or a crash) never sees half a file; a crash loses
 * what was buffered, never a written file. A failed write (an unwritable folder, a full disk) is
 * counted ({@code quiver_feature_log_write_errors_total}), reported through {@link FailureLog} (one
 * line per interval) and its rows are discarded; requests are never affected.
 *
 * <p>Staying out of the serving threads' way: a roll's Parquet {@code COPY} of Arrow vectors runs on a
 * roll thread of its own, with its own one-thread DuckDB database, so the writer keeps draining the
 * queue into fresh vectors meanwhile (queued requests hold heap that every young collection copies;
 * rows in vectors hold none). At most one roll runs and one waits; a third runs on the writer thread
 * itself, so sealed buffers never pile up. A roll is spread over time ({@link FeatureLogPacer}): DuckDB
 * reads the rows in pieces of 4,096 and writes row groups of 8,192, and after each 5 ms of CPU the roll
 * thread sleeps as long as that burst took (at most 50 ms), so a 100,000-row roll is bursts of at most about
 * 45 ms instead of one of 0.5 s ({@code quiver_feature_log_roll_burst_seconds}, {@code
 * quiver_feature_log_roll_cpu_seconds_total}). (Rows in DuckDB's appender, without Arrow, roll on the
 * writer thread: their table lives in its database.) With {@code writer_priority: low} (the default)
 * both threads run at the lowest nice value, with {@code idle} under {@code SCHED_IDLE}
 * ({@link ThreadPriority}): they get the CPU the serving threads leave, and when that is too little the
 * queue fills and requests are dropped and counted.
 */
final class FeatureLogWriter implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(FeatureLogWriter.class.getName());
  private static final int BATCH = 512;
  /** Rows of a buffer's first Arrow chunk: a quiet service's buffer stays small. */
  private static final int CHUNK_ROWS = 4096;
  /**
   * Rows of its largest chunks (each doubles the last): a file of 100,000 rows in 6 chunks instead of 25, so 4
   * times fewer chunk objects (about 40 KB of Java objects per chunk of 50 features) live until the roll and
   * are copied by every young collection meanwhile (docs/benchmarks.md, flog27).
   */
  private static final int MAX_CHUNK_ROWS = 32_768;
  /** How long the writer sleeps when the queue is empty: request threads never wake it (no signal per offer). */
  private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  private final FeatureLogSettings settings;
  private final FeatureLogRing queue;
  private final MeterRegistry meters;
  private final FailureLog failures;
  private final Runnable beforeBatch;
  private final Thread thread;
  private final Counter files;
  private final Counter writeErrors;
  private final ConcurrentHashMap<String, Counter> rows = new ConcurrentHashMap<>();
  private final Map<String, Buffer> buffers = new HashMap<>();
  private volatile boolean stopping;
  private Connection connection;
  /** The roll thread's DuckDB database (Arrow buffers); used under {@link #rollLock}. */
  private Connection rollConnection;
  /** Held while a roll of Arrow buffers writes its file (package-private: a test holds it to stall rolls). */
  final Object rollLock = new Object();
  /** Spreads each roll's CPU over time; used under {@link #rollLock}. */
  private final FeatureLogPacer pacer = FeatureLogPacer.standard();
  private final Counter rollCpu;
  /** The last roll's longest burst of CPU (a gauge). */
  private volatile long rollBurstNanos;
  private final ThreadPoolExecutor roller;
  private BufferAllocator allocator;
  /** Whether the buffers are Arrow vectors (null until the first buffer is opened), else DuckDB tables. */
  private Boolean arrow;
  private int tables;
  private long seq;
  private final FeatureLogRequestIds ids = new FeatureLogRequestIds(new SplittableRandom(new java.security.SecureRandom().nextLong()));

  /** One service's rows not yet in a file. */
  private static final class Buffer {
    final String service;
    final FeatureLogSchema schema;
    final LocalDate date;
    final FeatureLogRows rows;
    final long opened;
    Definitions lastDefs;
    FeatureService lastDefinition;
    /** The shape of the last request appended: a request of the same shape, definitions and day has this schema. */
    FeatureLog.Shape lastShape;

    Buffer(String service, FeatureLogSchema schema, LocalDate date, FeatureLogRows rows, long opened) {
      this.service = service;
      this.schema = schema;
      this.date = date;
      this.rows = rows;
      this.opened = opened;
    }
  }

  FeatureLogWriter(FeatureLogSettings settings, FeatureLogRing queue, MeterRegistry meters,
      FailureLog failures, Runnable beforeBatch) {
    this.settings = settings;
    this.queue = queue;
    this.meters = meters;
    this.failures = failures;
    this.beforeBatch = beforeBatch;
    this.files = Counter.builder("quiver.feature.log.files").description("Feature log Parquet files written")
        .register(meters);
    this.writeErrors = Counter.builder("quiver.feature.log.write.errors")
        .description("Feature log files that could not be written (their rows are lost; the log says why)").register(meters);
    this.rollCpu = Counter.builder("quiver.feature.log.roll.cpu").baseUnit("seconds")
        .description("CPU time of the feature log's Parquet writes (rolls of Arrow buffers)").register(meters);
    Gauge.builder("quiver.feature.log.roll.burst", this, w -> w.rollBurstNanos / 1e9).baseUnit("seconds")
        .description("The last roll's longest stretch of CPU without a pause").register(meters);
    Gauge.builder("quiver.feature.log.queued", queue, FeatureLogRing::size)
        .description("Sampled requests waiting for the feature log writer").register(meters);
    this.roller = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1),
        r -> Thread.ofPlatform().daemon().name("quiver-feature-log-roll").unstarted(() -> {
          ThreadPriority.lower(settings.priority());
          r.run();
        }), new ThreadPoolExecutor.CallerRunsPolicy()); // a third roll: the writer writes it itself
    this.thread = Thread.ofPlatform().daemon().name("quiver-feature-log").unstarted(this::run);
    thread.start();
  }

  private void run() {
    if (!ThreadPriority.lower(settings.priority())) {
      LOG.fine("the feature log writer runs at normal priority: this system has no per-thread nice value");
    }
    try {
      while (true) {
        boolean last = stopping;
        if (beforeBatch != null && !last) {
          beforeBatch.run();
        }
        if (drain() == 0 && !last) {
          LockSupport.parkNanos(waitNanos());
          if (Thread.interrupted()) {
            throw new InterruptedException();
          }
        }
        rollDue(System.nanoTime());
        if (last && queue.size() == 0) {
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      for (Buffer b : new ArrayList<>(buffers.values())) {
        roll(b);
      }
      roller.shutdown();
      try {
        if (!roller.awaitTermination(1, TimeUnit.MINUTES)) {
          LOG.warning("the feature log's last roll did not finish within a minute");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      closeConnection();
      if (allocator != null) {
        try {
          allocator.close();
        } catch (RuntimeException e) { // memory not released: a bug, reported, never thrown at the thread's end
          LOG.log(Level.WARNING, "the feature log writer's Arrow memory was not all released", e);
        }
      }
    }
  }

  /** How long to sleep on an empty queue: until the oldest buffer is due, at most {@link #IDLE_NANOS}. */
  private long waitNanos() {
    long wait = IDLE_NANOS;
    long now = System.nanoTime();
    for (Buffer b : buffers.values()) {
      wait = Math.min(wait, Math.max(0, b.opened + settings.rollEvery().toNanos() - now));
    }
    return wait;
  }

  /**
   * Appends up to {@link #BATCH} published requests, oldest first, each place released as soon as it
   * has been read; returns how many places were taken.
   */
  private int drain() {
    int n = 0;
    FeatureLogSlot slot;
    while (n < BATCH && (slot = queue.peek()) != null) {
      n++;
      String service = slot.service;
      FeatureLog.Shape shape = slot.shape;
      FeatureLog.Served s = null;
      try {
        if (!slot.complete) {
          failed(service, "a sampled request of feature service '" + service + "' could not be encoded for the feature log", null);
        } else if (!appendedAsIs(slot)) {
          s = FeatureLogRecord.decode(slot);
        }
      } catch (RuntimeException e) {
        failed(service, "cannot read a sampled request of feature service '" + service + "' for the feature log: " + e.getMessage(), e);
      } finally {
        queue.release(slot);
      }
      if (s != null) {
        append(s, shape);
      }
    }
    return n;
  }

  /**
   * Appends {@code slot} straight from its bytes when its service's open buffer is Arrow vectors of its
   * schema (the last request appended had the same shape, definitions and day); false when it is not,
   * having read nothing. A failure discards the buffer (as {@link #append(FeatureLog.Served, FeatureLog.Shape)} does).
   */
  private boolean appendedAsIs(FeatureLogSlot slot) {
    Buffer b = buffers.get(slot.service);
    if (b == null || b.lastShape != slot.shape || b.lastDefs != slot.defs || b.lastDefinition != slot.definition
        || b.date.toEpochDay() != Math.floorDiv(slot.servedSeconds, 86_400L) || !(b.rows instanceof FeatureLogBatches batches)) {
      return false;
    }
    try {
      if (!batches.append(slot, ids.next())) {
        return false;
      }
    } catch (RuntimeException e) {
      discard(b);
      throw e;
    }
    if (b.rows.rows() >= settings.rollRows()) {
      roll(b);
    }
    return true;
  }

  private void append(FeatureLog.Served s, FeatureLog.Shape shape) {
    Buffer b = buffers.get(s.service());
    FeatureLogSchema schema;
    LocalDate date = LocalDate.ofInstant(s.servedAt(), ZoneOffset.UTC);
    try {
      schema = b != null && b.schema.fits(s, b.lastDefs, b.lastDefinition) ? b.schema : FeatureLogSchema.of(s);
    } catch (RuntimeException e) {
      failed(s.service(), "cannot log a request of feature service '" + s.service() + "': " + e.getMessage(), e);
      return;
    }
    if (b != null && (!b.schema.equals(schema) || !b.date.equals(date))) {
      roll(b); // a new service version, a registry change of its features, or midnight: a new file
      b = null;
    }
    try {
      if (b == null) {
        b = open(s.service(), schema, date);
      }
      b.rows.append(s, ids.next());
      b.lastDefs = s.defs();
      b.lastDefinition = s.definition();
      b.lastShape = shape;
    } catch (SQLException | RuntimeException e) {
      failed(s.service(), "cannot buffer the rows of feature service '" + s.service() + "' for the feature log: " + e.getMessage(), e);
      if (b != null) {
        discard(b);
      }
      return;
    }
    if (b.rows.rows() >= settings.rollRows()) {
      roll(b);
    }
  }

  private Buffer open(String service, FeatureLogSchema schema, LocalDate date) throws SQLException {
    if (arrow == null) {
      arrow = FeatureLogBatches.available();
      if (!arrow) {
        LOG.info("the feature log writer appends rows through DuckDB's appender (more CPU per row): Arrow's C data interface"
            + " needs the JVM option --add-opens=java.base/java.nio=ALL-UNNAMED (the quiver command passes it)");
      }
    }
    if (arrow && allocator == null) {
      allocator = new RootAllocator();
    }
    FeatureLogRows rows = arrow ? new FeatureLogBatches(schema, service, allocator, CHUNK_ROWS, MAX_CHUNK_ROWS)
        : new FeatureLogAppenderRows(schema, connection(), "log_" + (++tables));
    Buffer b = new Buffer(service, schema, date, rows, System.nanoTime());
    buffers.put(service, b);
    return b;
  }

  private void rollDue(long now) {
    for (Iterator<Buffer> it = new ArrayList<>(buffers.values()).iterator(); it.hasNext(); ) {
      Buffer b = it.next();
      if (now - b.opened >= settings.rollEvery().toNanos()) {
        roll(b);
      }
    }
  }

  /**
   * Drops the buffer from the open ones and writes it to its Parquet file (temporary name, then
   * renamed): Arrow buffers on the roll thread, appender tables here.
   */
  private void roll(Buffer b) {
    buffers.remove(b.service);
    String name = "part-" + System.currentTimeMillis() + "-" + (++seq) + ".parquet";
    if (b.rows instanceof FeatureLogBatches) {
      roller.execute(() -> write(b, name));
    } else {
      write(b, name);
    }
  }

  private void write(Buffer b, String name) {
    Path tmp = null;
    long written = b.rows.rows();
    try {
      if (written > 0) {
        Path dir = settings.path().resolve(b.service).resolve("date=" + b.date);
        Files.createDirectories(dir);
        tmp = dir.resolve("." + name + ".tmp");
        if (b.rows instanceof FeatureLogBatches batches) {
          synchronized (rollLock) {
            batches.copy(rollConnection(), tmp.toString(), pacer);
            rollCpu.increment(pacer.cpuNanos() / 1e9);
            rollBurstNanos = pacer.longestBurstNanos();
          }
        } else {
          b.rows.copy(connection(), tmp.toString());
        }
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        tmp = null;
        files.increment();
        rows.computeIfAbsent(b.service, n -> Counter.builder("quiver.feature.log.rows")
            .description("Served entity rows written to the feature log").tag("service", n).register(meters))
            .increment(written);
      }
    } catch (IOException | SQLException | RuntimeException e) {
      failed(b.service, "cannot write " + written + " rows of feature service '" + b.service + "' to the feature log under "
          + settings.path() + " (they are lost): " + e.getMessage() + "; check that the folder is writable (feature_logging.path"
          + " in quiver.yaml)", e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // the temporary name is hidden from readers; the next start does not reuse it
        }
      }
      b.rows.close();
    }
  }

  private void discard(Buffer b) {
    buffers.remove(b.service);
    b.rows.close();
  }

  private void failed(String service, String message, Throwable e) {
    writeErrors.increment();
    failures.failed(LOG, Level.WARNING, "feature-log", message, e);
  }

  private Connection connection() throws SQLException {
    if (connection == null || connection.isClosed()) { // closed when a buffer's table could not be dropped
      connection = DriverManager.getConnection("jdbc:duckdb:");
      try (Statement st = connection.createStatement()) {
        st.execute("SET threads = 1"); // each COPY on this (low-priority) thread alone, never on every core at once
      }
    }
    return connection;
  }

  /** The roll thread's database; the caller holds {@link #rollLock}. */
  private Connection rollConnection() throws SQLException {
    if (rollConnection == null || rollConnection.isClosed()) {
      rollConnection = DriverManager.getConnection("jdbc:duckdb:");
      try (Statement st = rollConnection.createStatement()) {
        st.execute("SET threads = 1");
      }
    }
    return rollConnection;
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // in-memory: nothing is lost
      }
      connection = null;
    }
    synchronized (rollLock) {
      if (rollConnection != null) {
        try {
          rollConnection.close();
        } catch (SQLException ignored) {
          // in-memory: nothing is lost
        }
        rollConnection = null;
      }
    }
  }

  /** Writes what is queued and buffered, then stops the thread (waits up to a minute). */
  @Override
  public void close() {
    stopping = true;
    try {
      thread.join(TimeUnit.MINUTES.toMillis(1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      LOG.warning("the feature log writer did not finish within a minute; " + queue.size() + " queued requests are not logged");
    }
  }
}
