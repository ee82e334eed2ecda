package dev.quiver.core.online;

import dev.quiver.core.QuiverException;
import dev.quiver.core.SourceDataException;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.aggregate.EntityTiles;
import dev.quiver.core.aggregate.TileLayout;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.StreamSource;
import dev.quiver.core.offline.LatestRowsPlan;
import dev.quiver.core.offline.LatestRowsWriter;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.TileRowsWriter;
import dev.quiver.core.quality.ResultRecorder;
import dev.quiver.core.quality.RuleResult;
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
    return each(select(views), v -> materialize(v, start, end, null, listener,
        Refill.of(snapshot, registry, v, registry.watermark(v.qualifiedName()))));
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
      Refill refill = Refill.of(snapshot, registry, v, mark);
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
   * @param after for an incremental run, the view's watermark: only rows after it are read, and when
   *     there are none the tiles are left as they are; null for a full run of {@code [start, end]}
   */
  private ViewResult materialize(FeatureView view, Instant start, Instant end, Instant after, Listener listener, Refill refill) {
    long started = System.nanoTime();
    String name = view.qualifiedName();
    long[] totals = new long[2];
    // timestamps have microsecond precision: the first instant after the watermark is one microsecond later
    LatestRowsPlan plan = LatestRowsScan.plan(snapshot.definitions(), view, after == null ? start : after.plusNanos(1_000), end);
    LatestRowsScan scan = new LatestRowsScan(engine, repoRoot, registry, clock);
    ViewRules rules = view.rules().isEmpty() ? null : ViewRules.of(view);
    if (rules != null && rules.canFail()) {
      scan.precheck(rules, plan); // a fail rule stops the view before anything is written
    }
    String table = OnlineTables.of(snapshot.definitions().project(), view);
    store.createTable(table);
    long[] newest = {Long.MIN_VALUE}; // written by the reader thread, read after transfer joined it
    ViewRules.Run[] run = {null};
    if (rules == null && opener != null && engine instanceof LatestRowsWriter workers && workers.writesTo(opener)) {
      new WorkerWrites(repoRoot, opener).written(workers, plan, table, refill.columns(), listener, totals, newest);
    } else { // rows of a view with rules stream through this process, where the kernel checks them
      BatchTransfer.<OnlineStore.Entry>transfer(name, sink -> scan.latestRows(plan, sink, newest, rules, run),
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
      TileRebuild rebuild = new TileRebuild(engine, repoRoot, LatestRowsScan.plan(snapshot.definitions(), view, end, end), view, end,
          refill.tilesFromBeginning(), since, CLOCK_SKEW.toNanos() / 1_000,
          snapshot.definitions().source(view.source()).orElse(null) instanceof StreamSource st ? st.streamId() : null);
      if (opener != null && engine instanceof TileRowsWriter workers && workers.writesTo(opener)) {
        skipped = new WorkerWrites(repoRoot, opener).tilesWritten(workers, rebuild.job(), name, tiles, listener, totals);
      } else {
        BatchTransfer.transfer(name, rebuild::scan, batch -> rebuild.write(store, tiles, batch), listener, totals);
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
}
