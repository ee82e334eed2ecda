package dev.quiver.core.online;

import dev.quiver.core.ConflictException;
import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.aggregate.TileLayout;
import dev.quiver.core.aggregate.TileRowHeader;
import dev.quiver.core.Names;
import dev.quiver.core.NotFoundException;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.Source;
import dev.quiver.core.model.StreamSource;
import dev.quiver.core.online.PushedKeys.EncodedKeys;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.quality.ResultRecorder;
import dev.quiver.core.registry.RegistryStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes pushed rows (Feast's {@code /push}: a source name and columns of rows) to the online store,
 * the offline store, or both, with the same rules as materialization.
 *
 * <p><b>Online:</b> every online view version over the source gets one row per pushed row, newest
 * wins by (event time, created time, position), so rows older than what is stored change nothing.
 * Of rows with equal times the one ingested later wins (DESIGN §3, "Ties"): a pushed row's position
 * ({@link RowPosition}) is its row in the file appended offline, else a push sequence (or stream
 * offset) after every file row, so materializing old files again never replaces it. <b>Offline:</b> the rows are appended to the source as a new file (the
 * source's path must be a glob), so training sets and later materializations see them too. With
 * both, the offline write goes first: a failure after it leaves the online store behind, never ahead
 * of, the offline data, and repeating the push is safe.
 *
 * <p><b>Window aggregates:</b> each pushed row is also folded into its entity's tile row ({@link
 * TileRows}, with compare-and-set, so concurrent writers in any process lose nothing), late rows
 * into their old tile, so the online windows include it at once; a row older than every tile a
 * window can still read is dropped and counted ({@link Result#late()}). Unlike latest rows, tiles
 * count what they are given, so a replay is recognised by its {@link Origin}: a push with an
 * idempotency key is taken once per tile row (the row remembers the key for {@code
 * quiver.tiles.push-key-hours}, default 24 h), events of a stream partition are taken once per
 * offset; a push without a key is at least once (repeated, it counts its rows again, on both sides
 * with {@code online_and_offline}). With a key, the offline file is also written once (named from
 * the key). A later {@code materialize START END} rebuilds each tile row's part before END (or
 * before the row's boundary, when later) from the offline store and keeps what is newer: rows pushed
 * {@code to: online} only with event times the rebuild covers are replaced by what the offline store
 * holds (they vanish from the windows); {@code online_and_offline} pushes stay. The tiles need the
 * source's column types, read once per process from the offline store.
 *
 * <p><b>Tile rows after a change.</b> When window aggregates are added to (or changed or reordered
 * in) a view version in place, its tile rows keep the earlier layout until the next materialization
 * rebuilds them; each row names its layout ({@link TileRowHeader}). A push folds its rows into a
 * stored row in the row's own layout: the view's, or the one the view was last materialized with
 * ({@link ServingVersions#tilesWrittenFor}), which reads serve meanwhile — so the aggregates that
 * row serves include the push at once, and the rebuild (which reads the offline store) replaces it.
 * A stored row in any other layout is refused with a {@link ConflictException} (materialize the
 * view, then push again) before anything is written, except when the view was materialized since its
 * tile families last changed ({@link ServingVersions#tilesRebuilt}): that run rebuilt every key the
 * source had rows for, so such a row holds only what was pushed online and is replaced, as the
 * rebuild would have done.
 *
 * <p>The newest event time pushed online is recorded for each view written ({@link Freshness}).
 *
 * <p>The whole request is checked (source, columns, lengths, every value against its type, keys by
 * {@link StrictValues}) before anything is written. Column names are the names definitions use (after a source's field mapping).
 * Thread-safe when the stores are.
 */
public final class Pusher {

  /** Where pushed rows go. */
  public enum Target {
    ONLINE, OFFLINE, ONLINE_AND_OFFLINE;

    /** Parses Feast's spelling: {@code online}, {@code offline}, {@code online_and_offline}. */
    public static Target parse(String text) {
      if (text == null) {
        return ONLINE;
      }
      try {
        return valueOf(text.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new InvalidRequestException("'to' must be online, offline or online_and_offline, got '" + text + "'");
      }
    }

    public boolean online() {
      return this != OFFLINE;
    }

    public boolean offline() {
      return this != ONLINE;
    }
  }

  /**
   * What a push did.
   *
   * @param views the online view versions written ({@code name@vN})
   * @param written online latest rows that replaced older ones (or were new), summed over views; the
   *     views' window-aggregate tiles take every pushed row and are not counted here
   * @param offlineFile the file appended to the source (or, for a repeated idempotency key, the one
   *     its first push wrote), or null
   * @param applied pushed rows folded into the views' tile rows, summed over views with window aggregates
   * @param duplicates pushed rows a tile row had taken already (a repeated idempotency key, a replayed
   *     stream offset) and skipped, summed over views
   * @param late pushed rows dropped from a tile row as older than every window can still read, summed over views
   * @param rejectedFuture stream events dropped because their event time is after now + the skew
   *     ({@link TimeBounds}); always 0 for a push, which is refused whole instead
   */
  public record Result(String source, int rows, List<String> views, long written, Path offlineFile, long applied,
      long duplicates, long late, int rejectedFuture) {
    /** A result without tile counts (no view with window aggregates) and no rejected rows. */
    public Result(String source, int rows, List<String> views, long written, Path offlineFile) {
      this(source, rows, views, written, offlineFile, 0, 0, 0, 0);
    }

    /** This result with {@code rejected} stream events counted as refused for their future event times. */
    public Result withRejectedFuture(int rejected) {
      return new Result(source, rows, views, written, offlineFile, applied, duplicates, late, rejected);
    }
  }

  private final Definitions defs;
  private final OnlineStore online;
  private final OfflineEngine offline;
  private final Path repoRoot;
  private final ServingVersions serving;
  private final TimeBounds bounds;
  /** Where validation results go; set once, before the pusher is shared ({@link #recordingTo}). */
  private java.util.function.Consumer<List<dev.quiver.core.quality.RuleResult>> validationSink =
      results -> ResultRecorder.record(null, results, false);

  /**
   * A pusher that knows nothing of how the views were last materialized ({@link
   * ServingVersions#NEWEST}): a tile row written for other aggregates than a view has now is refused
   * ({@link ConflictException}). {@code offline} may be null when only online pushes are made to views
   * without window aggregates (tiles need the source's column types).
   */
  public Pusher(Definitions defs, OnlineStore online, OfflineEngine offline, Path repoRoot) {
    this(defs, online, offline, repoRoot, ServingVersions.NEWEST);
  }

  /**
   * A pusher over {@code defs} and {@code serving}, the serving rule of the same registry version
   * ({@link ServingVersions#of}): it tells which definition a view's tile rows were last
   * materialized under, so rows not rebuilt since the view's aggregates changed take pushes in
   * their own layout (see the class comment).
   */
  public Pusher(Definitions defs, OnlineStore online, OfflineEngine offline, Path repoRoot, ServingVersions serving) {
    this(defs, online, offline, repoRoot, serving, TimeBounds.systemDefault());
  }

  /**
   * A pusher as {@link #Pusher(Definitions, OnlineStore, OfflineEngine, Path, ServingVersions)} that
   * refuses event times after {@code bounds}' limit (default: 1 h after the system clock); the
   * bounds' clock also stamps the idempotency keys recorded in tile rows.
   */
  public Pusher(Definitions defs, OnlineStore online, OfflineEngine offline, Path repoRoot, ServingVersions serving,
      TimeBounds bounds) {
    this.defs = defs;
    this.online = online;
    this.offline = offline;
    this.repoRoot = repoRoot;
    this.serving = java.util.Objects.requireNonNull(serving, "serving");
    this.bounds = java.util.Objects.requireNonNull(bounds, "bounds");
  }

  /**
   * Pushes rows given column-major ({@code user_id -> [1, 2]}, {@code event_ts -> ["2026-11-22T10:00:00Z", ...]}).
   *
   * @throws NotFoundException when no source has that name
   * @throws InvalidRequestException when columns are missing, of different lengths, or hold values
   *     that do not fit their types; nothing is written then
   * @throws ConflictException when a view's stored tile row cannot take the rows until
   *     the view is materialized again (see the class comment); nothing is written then
   * @throws dev.quiver.core.QuiverException when a store fails
   */
  public Result push(String sourceName, Map<String, List<Object>> columns, Target target) {
    return push(sourceName, columns, target, Origin.PUSH);
  }

  /**
   * Pushes rows as {@link #push(String, Map, Target)} does, from {@code origin}: a push with an
   * idempotency key, or events of a stream partition with their offsets (see {@link Origin}). Rows
   * a tile row took already from the same origin are skipped there and counted ({@link
   * Result#duplicates()}).
   *
   * <p><b>Time bounds</b> ({@link TimeBounds}): a push holding an event time after now + the skew is
   * refused whole ({@link FutureEventException}, nothing written); from a {@link Origin.Stream}, such
   * events (and their offsets) are dropped one by one, the others written, and {@link
   * Result#rejectedFuture()} counts them, so one bad event never stops a consumer.
   *
   * @throws InvalidRequestException also when an idempotency key is empty or longer than 256
   *     characters, or a stream's offsets are not one per row, ascending and {@code >= 0}
   */
  public Result push(String sourceName, Map<String, List<Object>> columns, Target target, Origin origin) {
    java.util.Objects.requireNonNull(origin, "origin");
    Source source = defs.source(sourceName).orElseThrow(() -> new NotFoundException(NotFoundException.Kind.SOURCE, "no source '" + sourceName
        + "' to push to" + Names.didYouMean(sourceName, defs.sources().stream().map(Source::name).toList())));
    FileSource file = switch (source) {
      case FileSource f -> f;
      case StreamSource st -> st.batch();
    };
    List<FeatureView> views = target.online()
        ? defs.views().stream().filter(v -> v.source().equals(sourceName) && v.online()).toList() : List.of();
    FutureRows.Admitted admitted = FutureRows.admit(bounds, file.timestampColumn(), columns, origin); // time bounds (M)
    Map<String, List<Object>> kept = admitted.columns();
    Origin keptOrigin = admitted.origin();
    boolean someLeft = kept.isEmpty() || !kept.values().iterator().next().isEmpty();
    boolean dropped = admitted.rejected() > 0;
    if (someLeft) { // validation rules: before anything is written (docs/validation.md)
      FutureRows.Admitted checked = PushedRowChecks.check(defs, sourceName, kept, keptOrigin, bounds.clock().instant(),
          validationSink);
      kept = checked.columns();
      keptOrigin = checked.origin();
      dropped |= checked.rejected() > 0;
      someLeft = kept.isEmpty() || !kept.values().iterator().next().isEmpty();
    }
    if (dropped && !someLeft) {
      return new Result(sourceName, 0, List.of(), 0, null).withRejectedFuture(admitted.rejected());
    }
    Result result = push(file, views, kept, target, keptOrigin);
    return admitted.rejected() > 0 ? result.withRejectedFuture(admitted.rejected()) : result;
  }

  /**
   * This pusher, recording the validation results of pushes where a rule failed in {@code registry}'s
   * {@link RegistryStore#validationLog()} (besides the counters and the log, which every pusher feeds).
   */
  public Pusher recordingTo(RegistryStore registry) {
    Pusher p = new Pusher(defs, online, offline, repoRoot, serving, bounds);
    p.validationSink = results -> ResultRecorder.record(registry, results, false);
    return p;
  }

  /** Pushes rows of {@code file} to the given online views (and offline when the target says so), as a push. */
  Result push(FileSource file, List<FeatureView> views, Map<String, List<Object>> columns, Target target) {
    return push(file, views, columns, target, Origin.PUSH);
  }

  /**
   * Pushes rows of {@code file} from {@code origin} to the given online views (and offline when the
   * target says so). Each online row carries its place in the tie order ({@link RowPosition}): its
   * row in the appended file when written offline too, so it is the row offline answers pick; else
   * its stream offset, or a push sequence number.
   */
  private Result push(FileSource file, List<FeatureView> views, Map<String, List<Object>> columns, Target target,
      Origin origin) {
    String sourceName = file.name();
    int rows = PushedColumns.rows(columns);
    PushedColumns.check(origin, rows);
    List<Instant> events = PushedColumns.times(columns, file.timestampColumn(), rows, true);
    bounds.checkEvents(file.timestampColumn(), events); // a future event time is refused before anything is written
    List<Instant> created = file.createdColumn() == null || !columns.containsKey(file.createdColumn())
        ? null : PushedColumns.times(columns, file.createdColumn(), rows, false);
    Map<List<JoinKey>, EncodedKeys> encoded = new java.util.HashMap<>(); // each key encoded once per push, shared by views
    List<ViewRows> prepared = new ArrayList<>();
    for (FeatureView view : views) {
      prepared.add(ViewRows.prepare(defs, view, columns, rows, events, created, encoded));
    }
    List<PushedTiles> tileUpdates = new ArrayList<>();
    for (FeatureView view : views) {
      if (TileLayout.hasTiles(view)) {
        tileUpdates.add(prepareTiles(view, file, columns, rows, events, created, encoded));
      }
    }
    for (PushedTiles u : tileUpdates) {
      u.check(online); // a stored row no layout here fits is refused before anything is written
    }
    Path appended = null;
    if (target.offline()) {
      appended = new OfflineAppend(defs, offline, repoRoot).appendOffline(file, columns, rows, origin);
    }
    List<RowPosition> positions = positions(appended, origin, rows);
    long written = 0;
    for (ViewRows v : prepared) {
      online.createTable(v.table());
      written += online.multiPutIfNewer(v.table(), v.entries(positions));
    }
    PushedTiles.Counts counts = PushedTiles.Counts.NONE;
    long now = dev.quiver.core.model.Timestamps.toMicros(bounds.clock().instant());
    PushedFile pushedFile = appended == null || !(origin instanceof Origin.Push) ? null
        : PushedFile.of(appended.getFileName().toString()).orElse(null);
    for (PushedTiles u : tileUpdates) {
      counts = counts.plus(u.apply(online, origin, now, pushedFile)); // "written" counts latest rows only
    }
    if (!views.isEmpty()) {
      Instant newest = events.stream().max(Instant::compareTo).orElseThrow();
      Map<String, Instant> fresh = new LinkedHashMap<>();
      views.forEach(v -> fresh.put(v.qualifiedName(), newest));
      Freshness.record(online, defs.project(), fresh);
    }
    return new Result(sourceName, rows, views.stream().map(FeatureView::qualifiedName).toList(), written, appended,
        counts.applied(), counts.duplicates(), counts.late(), 0);
  }

  /**
   * The rows' places in the tie order: in the file appended, else as the stream origin places them
   * (in its batch twin, else by offset), else by push sequence.
   */
  private List<RowPosition> positions(Path appended, Origin origin, int rows) {
    List<RowPosition> out = new ArrayList<>(rows);
    if (appended != null) {
      String path = dev.quiver.core.spi.SourceFiles.display(appended, repoRoot);
      for (int r = 0; r < rows; r++) {
        out.add(new RowPosition.InFile(path, r));
      }
    } else if (origin instanceof Origin.Stream stream && stream.positions() != null) {
      out.addAll(stream.positions()); // the events' rows in the batch twin
    } else if (origin instanceof Origin.Stream stream) {
      for (int r = 0; r < rows; r++) {
        out.add(new RowPosition.Streamed(stream.stream(), stream.partition(), stream.offsets()[r]));
      }
    } else {
      long first = RowPosition.nextPushes(rows);
      for (int r = 0; r < rows; r++) {
        out.add(new RowPosition.Pushed(first + r));
      }
    }
    return out;
  }

  private PushedTiles prepareTiles(FeatureView view, FileSource file, Map<String, List<Object>> columns, int rows,
      List<Instant> events, List<Instant> created, Map<List<JoinKey>, EncodedKeys> encoded) {
    List<JoinKey> keys = PushedKeys.joinKeys(defs, view);
    PushedTileLayouts layouts = new PushedTileLayouts(offline, repoRoot, serving);
    return PushedTiles.prepare(new PushedTiles.Target(view, TileRows.table(defs.project(), view), layouts.layout(view, file),
        layouts.earlierLayout(view, file), serving.tilesRebuilt(view)), keys,
        PushedKeys.encodedKeys(keys, columns, rows, view, encoded), columns, rows, events, created);
  }
}
