package dev.quiver.core.online;

import dev.quiver.core.ConflictException;
import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.aggregate.TileLayout;
import dev.quiver.core.aggregate.TileRowHeader;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.spi.SourceColumn;
import dev.quiver.core.Names;
import dev.quiver.core.NotFoundException;
import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Source;
import dev.quiver.core.model.StreamSource;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.quality.ResultRecorder;
import dev.quiver.core.registry.RegistryStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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
    int rows = rows(columns);
    check(origin, rows);
    List<Instant> events = times(columns, file.timestampColumn(), rows, true);
    bounds.checkEvents(file.timestampColumn(), events); // a future event time is refused before anything is written
    List<Instant> created = file.createdColumn() == null || !columns.containsKey(file.createdColumn())
        ? null : times(columns, file.createdColumn(), rows, false);
    Map<List<JoinKey>, EncodedKeys> encoded = new java.util.HashMap<>(); // each key encoded once per push, shared by views
    List<ViewRows> prepared = new ArrayList<>();
    for (FeatureView view : views) {
      prepared.add(prepare(view, columns, rows, events, created, encoded));
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
      appended = appendOffline(file, columns, rows, origin);
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

  /** Refuses an origin that does not fit the rows. */
  private static void check(Origin origin, int rows) {
    switch (origin) {
      case Origin.Push(String key) -> {
        if (key != null && (key.isEmpty() || key.length() > 256)) {
          throw new InvalidRequestException("an idempotency key must have 1 to 256 characters, got " + key.length());
        }
        if (key != null && key.startsWith(PushedFile.KEY_PREFIX)) {
          throw new InvalidRequestException("idempotency keys starting with '" + PushedFile.KEY_PREFIX
              + "' are reserved (tile rows record the pushed files a materialization read under them); choose another key");
        }
      }
      case Origin.Stream s -> {
        long[] o = s.offsets();
        if (s.positions() != null && s.positions().size() != rows) {
          throw new InvalidRequestException("stream " + s.stream() + " partition " + s.partition() + ": "
              + s.positions().size() + " positions for " + rows + " rows; give one position per row");
        }
        if (o.length != rows) {
          throw new InvalidRequestException("stream " + s.stream() + " partition " + s.partition() + ": " + o.length
              + " offsets for " + rows + " rows; give one offset per row");
        }
        for (int r = 0; r < o.length; r++) {
          if (o[r] < 0 || (r > 0 && o[r] < o[r - 1])) {
            throw new InvalidRequestException("stream " + s.stream() + " partition " + s.partition() + ": offset " + o[r]
                + " at row " + r + " is negative or smaller than the one before; apply a partition's events in offset order");
          }
        }
      }
    }
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

  /** One view's rows, checked and coerced, to be encoded once their positions are known. */
  private record ViewRows(String table, List<String> names, List<ValueType> types, List<byte[]> keys,
      List<Instant> events, List<Instant> created, List<List<Object>> values) {
    List<OnlineStore.Entry> entries(List<RowPosition> positions) {
      List<OnlineStore.Entry> entries = new ArrayList<>(keys.size());
      for (int r = 0; r < keys.size(); r++) {
        entries.add(new OnlineStore.Entry(keys.get(r), RowEncoding.encode(events.get(r),
            created == null ? null : created.get(r), positions.get(r), names, types, values.get(r))));
      }
      return entries;
    }
  }

  private PushedTiles prepareTiles(FeatureView view, FileSource file, Map<String, List<Object>> columns, int rows,
      List<Instant> events, List<Instant> created, Map<List<JoinKey>, EncodedKeys> encoded) {
    List<JoinKey> keys = joinKeys(view);
    return PushedTiles.prepare(new PushedTiles.Target(view, TileRows.table(defs.project(), view), layout(view, file),
        earlierLayout(view, file), serving.tilesRebuilt(view)), keys,
        encodedKeys(keys, columns, rows, view, encoded), columns, rows, events, created);
  }

  /** The view's join keys, in entity order. */
  private List<JoinKey> joinKeys(FeatureView view) {
    List<JoinKey> keys = new ArrayList<>();
    for (String e : view.entities()) {
      keys.addAll(defs.entity(e).orElseThrow().joinKeys());
    }
    return keys;
  }

  /**
   * Every row's key values (coerced to the join keys' types) and encoded key.
   *
   * @param values row by row, as {@link #keyValues} gives them
   * @param encoded row by row, {@link KeyEncoding#encode} of the values
   */
  record EncodedKeys(List<List<Object>> values, List<byte[]> encoded) {}

  /** The rows' keys for {@code keys}: computed by the first view of the push that needs them, then shared. */
  private static EncodedKeys encodedKeys(List<JoinKey> keys, Map<String, List<Object>> columns, int rows, FeatureView view,
      Map<List<JoinKey>, EncodedKeys> encoded) {
    EncodedKeys known = encoded.get(keys);
    if (known != null) {
      return known;
    }
    KeyRows keyRows = new KeyRows(keys, columns, rows, view);
    for (int r = 0; r < rows; r++) {
      keyRows.add(r);
    }
    EncodedKeys out = keyRows.done();
    encoded.put(List.copyOf(keys), out);
    return out;
  }

  /** Builds {@link EncodedKeys} row by row, so a caller can check each row's keys where it checked them before. */
  private static final class KeyRows {
    private final List<JoinKey> keys;
    private final List<ScalarType> types;
    private final List<List<Object>> keyColumns = new ArrayList<>();
    private final List<List<Object>> values;
    private final List<byte[]> bytes;

    KeyRows(List<JoinKey> keys, Map<String, List<Object>> columns, int rows, FeatureView view) {
      this.keys = keys;
      this.types = keys.stream().map(JoinKey::type).toList();
      for (JoinKey k : keys) {
        keyColumns.add(column(columns, k.name(), view));
      }
      this.values = new ArrayList<>(rows);
      this.bytes = new ArrayList<>(rows);
    }

    void add(int r) {
      List<Object> keyValues = keyValues(keys, keyColumns, r);
      values.add(keyValues);
      bytes.add(KeyEncoding.encode(types, keyValues));
    }

    EncodedKeys done() {
      return new EncodedKeys(values, bytes);
    }
  }

  /** The view's tile layout, with the input types of the source's files (as materialization sees them). */
  private TileLayout layout(FeatureView view, FileSource file) {
    return TILE_LAYOUTS.computeIfAbsent(new LayoutKey(view, repoRoot), k -> tileLayout(view, file));
  }

  /**
   * The layout of the definition {@code view} was last materialized under, when its tile families
   * differ from the view's (rows not rebuilt since have it); null when they do not, when it read
   * another source or other entities (its rows are refused then), or when its columns are gone.
   */
  private TileLayout earlierLayout(FeatureView view, FileSource file) {
    FeatureView then = serving.tilesWrittenFor(view);
    if (then == null || !then.source().equals(view.source()) || !then.entities().equals(view.entities())) {
      return null;
    }
    try {
      return layout(then, file);
    } catch (dev.quiver.core.QuiverException e) {
      return null; // a column it read is no longer in the source: its rows are refused, materialize rebuilds them
    }
  }

  private record LayoutKey(FeatureView view, Path repoRoot) {}

  /** Tile layouts by view and repository: the source's column types are read once per process. */
  private static final Map<LayoutKey, TileLayout> TILE_LAYOUTS = new java.util.concurrent.ConcurrentHashMap<>();

  /** The view's tile layout, with the input types of the source's files (as materialization sees them). */
  private TileLayout tileLayout(FeatureView view, FileSource file) {
    if (offline == null) {
      throw new InvalidRequestException("view " + view.qualifiedName() + " has window aggregates, whose online tiles need the"
          + " source's column types from the offline store, which this pusher has no access to");
    }
    Map<String, ValueType> raw = new LinkedHashMap<>();
    for (SourceColumn c : offline.describe(new QueryInput.Sql("SELECT * FROM " + offline.quoteIdentifier(file.name())), List.of(file), repoRoot)) {
      raw.put(c.name(), c.type());
    }
    return TileLayout.of(view, c -> raw.get(file.rawColumn(c)));
  }

  private ViewRows prepare(FeatureView view, Map<String, List<Object>> columns, int rows, List<Instant> events,
      List<Instant> created, Map<List<JoinKey>, EncodedKeys> encoded) {
    List<JoinKey> keys = joinKeys(view);
    List<String> names = new ArrayList<>();
    List<ValueType> types = new ArrayList<>();
    List<List<Object>> featureColumns = new ArrayList<>();
    for (Feature f : view.features()) {
      if (f instanceof ColumnFeature c) {
        names.add(c.name());
        types.add(c.type());
        featureColumns.add(column(columns, c.column(), view));
      }
    }
    EncodedKeys known = encoded.get(keys);
    KeyRows keyRows = known == null ? new KeyRows(keys, columns, rows, view) : null;
    List<List<Object>> rowValues = new ArrayList<>(rows);
    for (int r = 0; r < rows; r++) {
      if (keyRows != null) {
        keyRows.add(r); // row r's keys are checked before its values, as they always were
      }
      List<Object> values = new ArrayList<>(names.size());
      for (int f = 0; f < names.size(); f++) {
        values.add(PushValues.coerce(types.get(f), featureColumns.get(f).get(r), names.get(f), r));
      }
      rowValues.add(values);
    }
    if (keyRows != null) {
      known = keyRows.done();
      encoded.put(List.copyOf(keys), known);
    }
    return new ViewRows(OnlineTables.of(defs.project(), view), names, types, known.encoded(), events, created,
        rowValues);
  }

  /** Row r's key values, coerced to the join keys' types; a null key is refused by name. */
  static List<Object> keyValues(List<JoinKey> keys, List<List<Object>> keyColumns, int r) {
    List<Object> values = new ArrayList<>(keys.size());
    for (int k = 0; k < keys.size(); k++) {
      Object v = keyColumns.get(k).get(r);
      if (v == null) {
        throw new InvalidRequestException("column '" + keys.get(k).name() + "' row " + r + " is null; every pushed row needs its keys");
      }
      values.add(EntityValues.coerce(keys.get(k), v, r));
    }
    return values;
  }

  private Path appendOffline(FileSource source, Map<String, List<Object>> columns, int rows, Origin origin) {
    if (offline == null) {
      throw new InvalidRequestException("this server does not write to the offline store; push with \"to\": \"online\"");
    }
    // The value types every view over the source expects, so a wrong value is refused here, by name.
    Map<String, ValueType> typed = new LinkedHashMap<>();
    Map<String, JoinKey> keyColumns = new LinkedHashMap<>();
    for (FeatureView view : defs.views()) {
      if (!view.source().equals(source.name())) {
        continue;
      }
      for (String e : view.entities()) {
        defs.entity(e).orElseThrow().joinKeys().forEach(k -> keyColumns.putIfAbsent(k.name(), k));
      }
      for (Feature f : view.features()) {
        if (f instanceof ColumnFeature c && c.type() != null) {
          typed.put(c.column(), c.type());
        }
      }
    }
    List<String> names = new ArrayList<>(columns.keySet());
    List<String> raw = names.stream().map(source::rawColumn).toList();
    List<Object[]> out = new ArrayList<>(rows);
    for (int r = 0; r < rows; r++) {
      Object[] row = new Object[names.size()];
      for (int c = 0; c < names.size(); c++) {
        String name = names.get(c);
        Object v = columns.get(name).get(r);
        ValueType t = typed.get(name);
        JoinKey key = keyColumns.get(name);
        row[c] = name.equals(source.timestampColumn()) || name.equals(source.createdColumn())
            ? (v == null ? null : PushValues.timestamp(v, name, r))
            : key != null ? EntityValues.coerce(key, v, r)
            : t != null ? PushValues.coerce(t, v, name, r) : v;
      }
      out.add(row);
    }
    if (origin instanceof Origin.Push(String key) && key != null) {
      return offline.appendToSource(source, repoRoot, raw, out, "key-" + keyHash(key));
    }
    return offline.appendToSource(source, repoRoot, raw, out);
  }

  /** A file-name-safe digest of an idempotency key (SHA-256, the first 16 bytes in hex). */
  static String keyHash(String key) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d, 0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<Object> column(Map<String, List<Object>> columns, String name, FeatureView view) {
    List<Object> col = columns.get(name);
    if (col == null) {
      throw new InvalidRequestException("the pushed rows have no column '" + name + "', which view "
          + view.qualifiedName() + " needs; columns given: " + String.join(", ", columns.keySet()));
    }
    return col;
  }

  private static List<Instant> times(Map<String, List<Object>> columns, String name, int rows, boolean required) {
    List<Object> col = columns.get(name);
    if (col == null) {
      throw new InvalidRequestException("the pushed rows have no '" + name + "' column (the source's event time)");
    }
    List<Instant> out = new ArrayList<>(rows);
    for (int r = 0; r < rows; r++) {
      Object v = col.get(r);
      if (v == null && required) {
        throw new InvalidRequestException("column '" + name + "' row " + r + " is null; every pushed row needs its event time");
      }
      out.add(v == null ? null : PushValues.timestamp(v, name, r));
    }
    return out;
  }

  private static int rows(Map<String, List<Object>> columns) {
    if (columns.isEmpty()) {
      throw new InvalidRequestException("nothing to push: 'df' has no columns");
    }
    int rows = -1;
    Set<String> seen = new LinkedHashSet<>();
    for (var e : columns.entrySet()) {
      if (e.getValue() == null) {
        throw new InvalidRequestException("column '" + e.getKey() + "' has no values");
      }
      if (rows >= 0 && e.getValue().size() != rows) {
        throw new InvalidRequestException("pushed columns have different lengths: '" + e.getKey() + "' has "
            + e.getValue().size() + " values, '" + seen.iterator().next() + "' has " + rows);
      }
      rows = e.getValue().size();
      seen.add(e.getKey());
    }
    if (rows == 0) {
      throw new InvalidRequestException("nothing to push: the columns are empty");
    }
    return rows;
  }
}
