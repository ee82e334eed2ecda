package dev.quiver.core.online;

import dev.quiver.core.QuiverException;
import dev.quiver.core.SourceDataException;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.aggregate.EntityTiles;
import dev.quiver.core.aggregate.TileLayout;
import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.Source;
import dev.quiver.core.model.StreamSource;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.LatestRowsPlan;
import dev.quiver.core.offline.LatestRowsWriter;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.TileRowsWriter;
import dev.quiver.core.offline.PointInTimePlan.KeyBinding;
import dev.quiver.core.offline.PointInTimePlan.LatestValue;
import dev.quiver.core.quality.ResultRecorder;
import dev.quiver.core.quality.RuleResult;
import dev.quiver.core.quality.ValidationException;
import dev.quiver.core.quality.ViewRules;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.registry.Watermark;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Computes the latest feature rows from the offline store into the online store (DESIGN §3,
 * materialization). Per online view version: the offline engine streams the latest row per entity
 * with {@code start <= event_ts <= end}; a reader thread encodes them into batches while the calling
 * thread writes each batch with {@link OnlineStore#multiPutIfNewer}, so memory holds a few batches
 * whatever the data size. Writes are newest-wins and therefore idempotent: a run that crashed midway
 * is simply run again and reaches the state an uninterrupted run would have. The view's watermark
 * moves to {@code end} only after all its rows are written.
 *
 * <p>Column features are materialized as each entity's latest row. Window aggregates are
 * materialized as each entity's tile row ({@link TileRows}, {@link EntityTiles}), rebuilt from
 * the source rows a window at {@code end} or later can reach (for a lifetime window, from the
 * beginning), whatever {@code start} is, and merged with the stored row ({@link TileRebuild}): the
 * part before the row's horizon — {@code end}, or the stored row's boundary when later — comes from
 * the offline store, what the stored row holds from the horizon on (pushes, stream events newer than
 * {@code end}) and what it took (stream offsets, push keys) stays, written with compare-and-set. So
 * a backfill of an old range never removes anything newer. Entities without source rows keep their
 * stored tile row. A tile row that a push or a stream batch wrote online after the run's scan started
 * is not rebuilt (the scan may lack what that write appended offline): it is left as the writers made
 * it, counted ({@link ViewResult#keysSkippedConcurrent()}) and logged, and the next run rebuilds it
 * ({@link TileRebuild}). An engine that can ({@link dev.quiver.core.offline.TileRowsWriter}), given an
 * {@link OnlineStoreOpener}, runs the same rebuild on its own workers ({@link TileRowsJob}): every row of
 * a key in one part, the same merge and compare-and-set. Derived features are computed when read. The newest event time read is recorded
 * per view ({@link Freshness}).
 *
 * <p>A view whose source's data cannot be read (a {@link SourceDataException}: a missing or damaged
 * file, a refused value) fails alone: the other views are materialized, then a {@link
 * MaterializationException} names each failed view with its source and file.
 *
 * <p><b>Refills.</b> When a view version gained (or changed in place) column or aggregate features
 * after the definitions its watermark was written under, the next run fills them: column rows are
 * written over the stored ones with equal times too ({@link OnlineStore#multiPutIfNotOlder}), and an
 * incremental run reads again from where a first run starts ({@code end - ttl}, or the beginning);
 * when the tile families changed ({@link TileLayout#fingerprint()}), every entity's tile row is
 * rebuilt from all its source rows, in the view's layout. The watermark then records the new
 * registry version, and serving reads the new features ({@link ServingVersions}). A tile row of a key
 * the source has no rows for up to END (only pushed online) is not rewritten and keeps the earlier
 * layout: reads leave it out and the next push for its key replaces it ({@link Pusher}). Not
 * thread-safe; one run at a time per instance.
 */
public final class Materializer {
  /** Rows per write batch (system property {@code quiver.materialize.batch}, default 10,000). */
  public static final int BATCH = Integer.getInteger("quiver.materialize.batch", 10_000);
  /**
   * The clock skew allowed between this process and another that writes online (system property
   * {@code quiver.materialize.clock-skew-seconds}, default 5): a tile row another process wrote
   * online less than this before a run's scan started is left alone by the run, as one written during it.
   */
  public static final Duration CLOCK_SKEW = Duration.ofSeconds(Long.getLong("quiver.materialize.clock-skew-seconds", 5));
  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(Materializer.class.getName());
  private static final Instant BEGINNING = Instant.parse("0001-01-01T00:00:00Z");

  private final RegistrySnapshot snapshot;
  private final OfflineEngine engine;
  private final OnlineStore store;
  private final RegistryStore registry;
  private final Path repoRoot;
  private final Clock clock;
  private final String author;
  private final OnlineStoreOpener opener;

  public Materializer(RegistrySnapshot snapshot, OfflineEngine engine, OnlineStore store, RegistryStore registry,
      Path repoRoot, Clock clock, String author) {
    this(snapshot, engine, store, registry, repoRoot, clock, author, null);
  }

  /**
   * A materializer that lets an engine which can ({@link LatestRowsWriter}) write latest rows from its
   * own workers, each opening the store with {@code opener}; with a null opener, or an engine
   * without that capability, rows stream through this process.
   */
  public Materializer(RegistrySnapshot snapshot, OfflineEngine engine, OnlineStore store, RegistryStore registry,
      Path repoRoot, Clock clock, String author, OnlineStoreOpener opener) {
    this.opener = opener;
    this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
    this.engine = engine;
    this.store = store;
    this.registry = registry;
    this.repoRoot = repoRoot;
    this.clock = clock;
    this.author = author;
  }

  /** Progress of a run: called from the writing thread after each batch and when a view is done. */
  public interface Listener {
    void batchWritten(String view, long rowsRead, long rowsWritten);

    default void viewDone(ViewResult result) {}
  }

  /**
   * What one view's materialization did.
   *
   * @param start where it started: START, or for an incremental run the view's watermark (rows after
   *     it were read); after {@code end} when the watermark already was
   * @param rowsRead the source rows with non-null keys and event time in the range read, {@code start
   *     <= event_ts <= end} (after the watermark, for an incremental run): the same count for every
   *     view over one source and range, whatever its features (tiles of window aggregates are rebuilt
   *     from older rows too, which are not counted)
   * @param rowsWritten latest rows that replaced older ones (or were new), plus tile rows rebuilt
   * @param keysSkippedConcurrent tile rows not rebuilt because a push or stream batch wrote them
   *     online while the run read the source (its rows may be missing from what the run read): they
   *     were left exactly as the writers made them, and the next run of the view rebuilds them
   */
  public record ViewResult(String view, Instant start, Instant end, long rowsRead, long rowsWritten, Duration took,
      long keysSkippedConcurrent) {
    /** A result that skipped no tile row. */
    public ViewResult(String view, Instant start, Instant end, long rowsRead, long rowsWritten, Duration took) {
      this(view, start, end, rowsRead, rowsWritten, took, 0);
    }

    /**
     * True when the run found nothing to do: no source rows in its range and nothing written. An
     * incremental run with nothing new after the watermark is such a run, and writes nothing at all.
     */
    public boolean nothingNew() {
      return rowsRead == 0 && rowsWritten == 0;
    }
  }

  /**
   * Materializes rows with {@code start <= event_ts <= end}.
   *
   * @param views view names (all their versions) or {@code name@vN}; empty for every online view
   * @throws MaterializationException when some views' source data could not be read; the others were
   *     materialized
   */
  public List<ViewResult> materialize(List<String> views, Instant start, Instant end, Listener listener) {
    if (start.isAfter(end)) {
      throw new QuiverException("materialize: START " + start + " is after END " + end);
    }
    return each(select(views), v -> materialize(v, start, end, null, listener, refill(v, registry.watermark(v.qualifiedName()))));
  }

  /**
   * Materializes each view from its watermark (or, the first time, from {@code end - ttl}, or from the
   * beginning when the view has no TTL) to {@code end}: the source rows after the watermark, up to
   * {@code end}. A view with nothing new — its watermark already at or after {@code end}, or no source
   * row after the watermark — is left as it is: no latest row or tile is rewritten, and its result
   * says so ({@link ViewResult#nothingNew()}); the watermark still moves to {@code end} in the second case.
   * Tile rows an earlier run left to concurrent online writers ({@link ViewResult#keysSkippedConcurrent()})
   * are rebuilt by the next run even when it finds no new source row.
   *
   * @throws MaterializationException when some views' source data could not be read; the others were
   *     materialized
   */
  public List<ViewResult> materializeIncremental(List<String> views, Instant end, Listener listener) {
    return each(select(views), v -> {
      Optional<Watermark> mark = registry.watermark(v.qualifiedName());
      Refill refill = refill(v, mark);
      Instant first = v.ttl() == null ? BEGINNING : end.minus(v.ttl());
      if (mark.isEmpty() || refill.columns()) {
        // a first run, or rows written before the view gained column features: read from where a first run starts
        return materialize(v, first, end, null, listener, refill);
      }
      Instant watermark = mark.get().end();
      if (refill.tilesFromBeginning()) { // the tile families changed: rebuild them whatever is new
        return materialize(v, watermark.isAfter(end) ? end : watermark, end, null, listener, refill);
      }
      if (!watermark.isBefore(end)) {
        // already materialized past END: nothing to read (the result's start is the watermark, after END)
        return new ViewResult(v.qualifiedName(), watermark, end, 0, 0, Duration.ZERO);
      }
      return materialize(v, watermark, end, watermark, listener, refill);
    });
  }

  /**
   * Runs {@code run} for each view. A view whose source's data cannot be read fails alone: the others
   * are still materialized, then a {@link MaterializationException} lists the failed ones. Any other
   * failure (the online store, the registry) stops the run at once.
   */
  private static List<ViewResult> each(List<FeatureView> views, java.util.function.Function<FeatureView, ViewResult> run) {
    List<ViewResult> done = new ArrayList<>();
    List<MaterializationException.ViewFailure> failed = new ArrayList<>();
    for (FeatureView v : views) {
      try {
        done.add(run.apply(v));
      } catch (SourceDataException e) {
        failed.add(new MaterializationException.ViewFailure(v.qualifiedName(), e));
      }
    }
    if (!failed.isEmpty()) {
      throw new MaterializationException(done, failed);
    }
    return done;
  }

  /**
   * The online view versions ({@code name@vN}) a run over {@code views} covers, checked as a run
   * checks them: before any work, so a caller can refuse or announce the run.
   *
   * @throws dev.quiver.core.NotFoundException for an unknown view
   * @throws dev.quiver.core.InvalidRequestException for an offline-only view
   */
  public List<String> targets(List<String> views) {
    return select(views).stream().map(FeatureView::qualifiedName).toList();
  }

  /** The online view versions to materialize. */
  List<FeatureView> select(List<String> names) {
    Definitions defs = snapshot.definitions();
    List<FeatureView> online = defs.views().stream().filter(FeatureView::online).toList();
    if (names.isEmpty()) {
      return online;
    }
    List<FeatureView> out = new ArrayList<>();
    for (String n : names) {
      List<FeatureView> matched = online.stream().filter(v -> v.name().equals(n) || v.qualifiedName().equals(n)).toList();
      if (matched.isEmpty()) {
        boolean offlineOnly = defs.views().stream().anyMatch(v -> v.name().equals(n) || v.qualifiedName().equals(n));
        if (offlineOnly) {
          throw new dev.quiver.core.InvalidRequestException("view '" + n + "' is offline only (online: false); nothing to materialize");
        }
        throw new dev.quiver.core.NotFoundException(dev.quiver.core.NotFoundException.Kind.FEATURE_VIEW, "no feature view '" + n + "' in the registry"
            + dev.quiver.core.Names.didYouMean(n, defs.views().stream().map(FeatureView::name).distinct().toList()));
      }
      matched.stream().filter(v -> !out.contains(v)).forEach(out::add); // a view named twice is materialized once
    }
    return out;
  }

  /**
   * What a view version's stored rows lack because the view changed since the definitions they were
   * written under (its watermark's registry version; see {@link ServingVersions}).
   *
   * @param columns column features were added or changed: rows are written again over equal ones
   *     ({@link OnlineStore#multiPutIfNotOlder}), and an incremental run starts where a first run does
   * @param tilesFromBeginning the tile families changed: every entity's tile row is rebuilt from all
   *     its source rows, so only keys without source rows keep a row in the earlier layout
   */
  private record Refill(boolean columns, boolean tilesFromBeginning) {
    static final Refill NONE = new Refill(false, false);
  }

  private Refill refill(FeatureView view, Optional<Watermark> mark) {
    if (mark.isEmpty() || mark.get().registryVersion() == snapshot.info().version()) {
      return Refill.NONE;
    }
    FeatureView then = registry.read(mark.get().registryVersion()).definitions()
        .view(view.name(), view.version()).orElse(null);
    if (then == null || then.equals(view)) {
      return Refill.NONE;
    }
    java.util.Set<String> unfilled = ServingVersions.unfilled(then, view);
    boolean columns = view.features().stream().anyMatch(f -> f instanceof ColumnFeature && unfilled.contains(f.name()));
    boolean sameRows = then.source().equals(view.source()) && then.entities().equals(view.entities());
    boolean tiles = TileLayout.hasTiles(view) && (!sameRows || !TileLayout.sameFamilies(then, view));
    return new Refill(columns, tiles);
  }

  /**
   * @param after for an incremental run, the view's watermark: only rows after it are read, and when
   *     there are none the tiles are left as they are; null for a full run of {@code [start, end]}
   */
  private ViewResult materialize(FeatureView view, Instant start, Instant end, Instant after, Listener listener, Refill refill) {
    long started = System.nanoTime();
    String name = view.qualifiedName();
    long[] totals = new long[2];
    // timestamps have microsecond precision: the first instant after the watermark is one microsecond later
    LatestRowsPlan plan = plan(snapshot.definitions(), view, after == null ? start : after.plusNanos(1_000), end);
    ViewRules rules = view.rules().isEmpty() ? null : ViewRules.of(view);
    if (rules != null && rules.canFail()) {
      precheck(rules, plan); // a fail rule stops the view before anything is written
    }
    String table = OnlineTables.of(snapshot.definitions().project(), view);
    store.createTable(table);
    long[] newest = {Long.MIN_VALUE}; // written by the reader thread, read after transfer joined it
    ViewRules.Run[] run = {null};
    if (rules == null && opener != null && engine instanceof LatestRowsWriter workers && workers.writesTo(opener)) {
      written(workers, plan, table, refill.columns(), listener, totals, newest);
    } else { // rows of a view with rules stream through this process, where the kernel checks them
      Materializer.<OnlineStore.Entry>transfer(name, sink -> latestRows(plan, sink, newest, rules, run),
          batch -> refill.columns() ? store.multiPutIfNotOlder(table, batch) : store.multiPutIfNewer(table, batch),
          listener, totals);
    }
    if (run[0] != null) {
      List<RuleResult> results = run[0].finish(newest[0] == Long.MIN_VALUE ? null : Timestamps.ofMicros(newest[0]),
          clock.instant(), totals[0]);
      ResultRecorder.record(registry, results, true);
    }
    if (newest[0] != Long.MIN_VALUE) {
      Freshness.record(store, snapshot.definitions().project(), java.util.Map.of(name, Timestamps.ofMicros(newest[0])));
    }
    String project = snapshot.definitions().project();
    boolean nothingNew = after != null && totals[0] == 0;
    long skipped = 0;
    if (TileLayout.hasTiles(view) && (!nothingNew || TilesPending.isMarked(store, project, name))) {
      String tiles = TileRows.table(project, view);
      store.createTable(tiles);
      long since = TileRows.wallMicros(); // before the scan lists the source's files
      TileRebuild rebuild = new TileRebuild(engine, repoRoot, plan(snapshot.definitions(), view, end, end), view, end,
          refill.tilesFromBeginning(), since, CLOCK_SKEW.toNanos() / 1_000,
          snapshot.definitions().source(view.source()).orElse(null) instanceof StreamSource st ? st.streamId() : null);
      if (opener != null && engine instanceof TileRowsWriter workers && workers.writesTo(opener)) {
        skipped = tilesWritten(workers, rebuild.job(), name, tiles, listener, totals);
      } else {
        transfer(name, rebuild::scan, batch -> rebuild.write(store, tiles, batch), listener, totals);
        skipped = rebuild.skipped();
      }
      if (skipped > 0) {
        TilesPending.mark(store, project, name, end, since);
        long n = skipped;
        LOG.warning(() -> "materialize " + name + ": " + n + " tile row(s) were written online (a push or a stream) while"
            + " this run read the source, so it left them as the writers made them; run materialize again"
            + " (or the next materialize-incremental) and it rebuilds them");
      } else {
        TilesPending.clear(store, project, name, end, since);
      }
    }
    registry.advanceWatermark(new Watermark(name, end, snapshot.info().version(), author, clock.instant()));
    ViewResult result = new ViewResult(name, start, end, totals[0], totals[1], Duration.ofNanos(System.nanoTime() - started),
        skipped);
    listener.viewDone(result);
    return result;
  }

  /** Where a reader thread hands its batches: the items and how many source rows they came from. */
  interface Sink<T> {
    void accept(List<T> batch, long rowsRead) throws InterruptedException;
  }

  /** Reads the source and hands its batches to a {@link Sink}, on the reader thread. */
  interface Producer<T> {
    void produce(Sink<T> sink) throws Exception;
  }

  private record Batch<T>(List<T> entries, long rowsRead) {}

  /**
   * Runs {@code producer} on a reader thread and writes its batches on this one, so memory holds a
   * few batches whatever the data size; adds (rows read, rows written) to {@code totals}. When the
   * writing fails (or this thread is interrupted) the reader is stopped: it hands nothing more over
   * and ends, also when it was waiting for room in the queue.
   */
  static <T> void transfer(String view, Producer<T> producer, java.util.function.ToIntFunction<List<T>> write,
      Listener listener, long[] totals) {
    BlockingQueue<Batch<T>> queue = new ArrayBlockingQueue<>(4);
    Batch<T> end = new Batch<>(List.of(), 0);
    Throwable[] readerFailure = new Throwable[1];
    AtomicBoolean abandoned = new AtomicBoolean(); // set before the reader is interrupted: nobody takes batches any more
    Thread reader = Thread.ofPlatform().name("quiver-materialize-" + view).start(() -> {
      try {
        producer.produce((batch, rowsRead) -> {
          if (abandoned.get()) {
            throw new InterruptedException("the writer stopped");
          }
          queue.put(new Batch<>(batch, rowsRead));
        });
      } catch (Throwable t) {
        readerFailure[0] = t;
      } finally {
        try {
          if (!abandoned.get()) {
            queue.put(end);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    try {
      while (true) {
        Batch<T> batch = queue.take();
        if (batch == end) {
          break;
        }
        totals[1] += batch.entries().isEmpty() ? 0 : write.applyAsInt(batch.entries());
        totals[0] += batch.rowsRead();
        listener.batchWritten(view, totals[0], totals[1]);
      }
      reader.join();
    } catch (InterruptedException e) {
      abandon(reader, queue, abandoned);
      Thread.currentThread().interrupt();
      throw new QuiverException("materialization of " + view + " was interrupted; its watermark did not move");
    } catch (RuntimeException e) {
      abandon(reader, queue, abandoned);
      throw new QuiverException("materialization of " + view + " failed while writing to the online store: "
          + e.getMessage() + "; its watermark did not move, run it again", e);
    } catch (Error e) { // a store's or listener's Error: the reader must not wait forever to hand over a batch
      abandon(reader, queue, abandoned);
      throw e;
    }
    if (readerFailure[0] instanceof SourceDataException e) {
      throw new SourceDataException(e.source(), e.file(), e.getMessage() + "; the watermark did not move", e);
    }
    if (readerFailure[0] != null) {
      throw new QuiverException("materialization of " + view + " failed while reading its source: "
          + readerFailure[0].getMessage() + "; its watermark did not move, run it again", readerFailure[0]);
    }
  }

  /** Stops a reader whose batches nobody takes any more: it ends at its next hand-over, or at once if waiting for one. */
  private static void abandon(Thread reader, BlockingQueue<?> queue, AtomicBoolean abandoned) {
    abandoned.set(true);
    reader.interrupt();
    queue.clear();
  }

  /**
   * Latest rows written by the engine's workers ({@link LatestRowsWriter}); adds (rows read, rows
   * written) to {@code totals}, and {@code newest[0]} becomes the newest event time read (micros).
   */
  private void written(LatestRowsWriter workers, LatestRowsPlan plan, String table, boolean replaceEqual, Listener listener,
      long[] totals, long[] newest) {
    long read = totals[0];
    long wrote = totals[1];
    LatestRowsWriter.Written done;
    try {
      done = workers.writeLatestRows(plan, repoRoot, opener, table, replaceEqual,
          (r, w) -> listener.batchWritten(plan.view(), read + r, wrote + w));
    } catch (SourceDataException e) {
      throw new SourceDataException(e.source(), e.file(), e.getMessage() + "; the watermark did not move", e);
    } catch (QuiverException e) {
      throw new QuiverException("materialization of " + plan.view() + " failed on the offline engine's workers: "
          + e.getMessage() + "; its watermark did not move, run it again", e);
    }
    totals[0] += done.rowsRead();
    totals[1] += done.rowsWritten();
    if (done.newest() != null) {
      newest[0] = Timestamps.toMicros(done.newest());
    }
    listener.batchWritten(plan.view(), totals[0], totals[1]);
  }

  /**
   * Tile rows rebuilt and written by the engine's workers ({@link TileRowsWriter}); adds the rows
   * written to {@code totals} and returns the rows left to concurrent online writers.
   */
  private long tilesWritten(TileRowsWriter workers, TileRowsJob job, String view, String table, Listener listener,
      long[] totals) {
    long read = totals[0];
    long wrote = totals[1];
    TileRowsJob.Counts done;
    try {
      done = workers.writeTileRows(job, repoRoot, opener, table, (r, w) -> listener.batchWritten(view, read, wrote + w));
    } catch (SourceDataException e) {
      throw new SourceDataException(e.source(), e.file(), e.getMessage() + "; the watermark did not move", e);
    } catch (QuiverException e) {
      throw new QuiverException("materialization of " + view + " failed on the offline engine's workers rebuilding its tile"
          + " rows: " + e.getMessage() + "; its watermark did not move, run it again", e);
    }
    totals[1] += done.keysWritten();
    listener.batchWritten(view, totals[0], totals[1]);
    return done.keysSkipped();
  }

  /**
   * The check pass of a view with {@code fail} rules: reads the latest rows once and judges them,
   * writing nothing; when a fail rule fails, records the results and throws.
   */
  private void precheck(ViewRules rules, LatestRowsPlan plan) {
    LatestRowEncoder encoder = new LatestRowEncoder(plan);
    ViewRules.Run run = rules.start("materialize", slots(plan), true);
    long newest = Long.MIN_VALUE;
    long read = 0;
    try (HistoricalRows rows = engine.latestRows(plan, repoRoot)) {
      while (rows.hasNext()) {
        Object[] r = rows.next();
        newest = Math.max(newest, encoder.eventMicros(r));
        read += encoder.sourceRows(r);
        run.admit(r);
      }
    }
    List<RuleResult> results = run.finish(newest == Long.MIN_VALUE ? null : Timestamps.ofMicros(newest), clock.instant(), read);
    if (ViewRules.failed(results)) {
      ResultRecorder.record(registry, results, true);
      throw new ValidationException(plan.source().name(), plan.view(), results);
    }
  }

  /** Where a column feature's value is in a row of {@link OfflineEngine#latestRows}. */
  private static java.util.function.ToIntFunction<ColumnFeature> slots(LatestRowsPlan plan) {
    int first = plan.keys().size() + 2; // keys, event time, created time, then the features
    List<String> names = plan.features().stream().map(LatestValue::outputName).toList();
    return c -> first + names.indexOf(c.name());
  }

  /**
   * The latest row per entity, encoded; {@code newest[0]} becomes the newest event time read (micros).
   * With {@code rules}, each row is checked first and a row a {@code skip_row} rule drops is not
   * written; {@code run[0]} becomes the run's tallies.
   */
  private void latestRows(LatestRowsPlan plan, Sink<OnlineStore.Entry> sink, long[] newest, ViewRules rules,
      ViewRules.Run[] run) throws InterruptedException {
    LatestRowEncoder encoder = new LatestRowEncoder(plan);
    ViewRules.Run checks = rules == null ? null : rules.start("materialize", slots(plan), true);
    run[0] = checks;
    try (HistoricalRows rows = engine.latestRows(plan, repoRoot)) {
      List<OnlineStore.Entry> batch = new ArrayList<>(BATCH);
      long read = 0;
      while (rows.hasNext()) {
        Object[] r = rows.next();
        newest[0] = Math.max(newest[0], encoder.eventMicros(r));
        read += encoder.sourceRows(r); // LatestRowsPlan.SOURCE_ROWS: the key's rows in range
        if (checks != null && !checks.admit(r)) {
          continue; // dropped by a skip_row rule: the entity keeps what it had online
        }
        batch.add(encoder.encode(r));
        if (batch.size() == BATCH) {
          sink.accept(batch, read);
          batch = new ArrayList<>(BATCH);
          read = 0;
        }
      }
      if (!batch.isEmpty() || read > 0) { // rows all dropped still count as read
        sink.accept(batch, read);
      }
    }
  }

  /** The offline read for one view: its keys and column features. */
  static LatestRowsPlan plan(Definitions defs, FeatureView view, Instant start, Instant end) {
    Source s = defs.source(view.source()).orElseThrow(() ->
        new QuiverException("view " + view.qualifiedName() + " reads source '" + view.source() + "', which the registry does not define"));
    FileSource source = switch (s) {
      case FileSource f -> f;
      case StreamSource st -> st.batch();
    };
    List<KeyBinding> keys = new ArrayList<>();
    for (String e : view.entities()) {
      Entity entity = defs.entity(e).orElseThrow(() -> new QuiverException("view " + view.qualifiedName() + " uses undefined entity " + e));
      for (JoinKey k : entity.joinKeys()) {
        keys.add(new KeyBinding(k.name(), source.rawColumn(k.name()), k.type()));
      }
    }
    List<LatestValue> features = new ArrayList<>();
    for (Feature f : view.features()) {
      if (f instanceof ColumnFeature c) {
        features.add(new LatestValue(new dev.quiver.core.model.FeatureRef(view.name(), view.version(), c.name()),
            source.rawColumn(c.column()), c.name(), c.type()));
      }
    }
    return new LatestRowsPlan(view.qualifiedName(), source, keys, features, start, end);
  }
}
