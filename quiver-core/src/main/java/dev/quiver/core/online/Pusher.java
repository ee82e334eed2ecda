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
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Source;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.OfflineEngine;
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
 * TileRows}), late rows into their old tile, so the online windows include it at once. Unlike
 * latest rows, tiles count what they are given: a push repeated with {@code to: online} counts its
 * rows twice online until the next materialization rebuilds the tiles from the offline store;
 * repeated with {@code online_and_offline} it is counted twice on both sides, which therefore still
 * agree. The tiles need the source's column types, read once per process from the offline store.
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
   * @param offlineFile the file appended to the source, or null
   */
  public record Result(String source, int rows, List<String> views, long written, Path offlineFile) {}

  private final Definitions defs;
  private final OnlineStore online;
  private final OfflineEngine offline;
  private final Path repoRoot;
  private final ServingVersions serving;

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
    this.defs = defs;
    this.online = online;
    this.offline = offline;
    this.repoRoot = repoRoot;
    this.serving = java.util.Objects.requireNonNull(serving, "serving");
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
   * idempotency key, or events of a stream partition with their offsets (see {@link Origin}).
   */
  public Result push(String sourceName, Map<String, List<Object>> columns, Target target, Origin origin) {
    java.util.Objects.requireNonNull(origin, "origin");
    Source source = defs.source(sourceName).orElseThrow(() -> new NotFoundException(NotFoundException.Kind.SOURCE, "no source '" + sourceName
        + "' to push to" + Names.didYouMean(sourceName, defs.sources().stream().map(Source::name).toList())));
    FileSource file = switch (source) {
      case FileSource f -> f;
    };
    List<FeatureView> views = target.online()
        ? defs.views().stream().filter(v -> v.source().equals(sourceName) && v.online()).toList() : List.of();
    return push(file, views, columns, target, origin);
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
  Result push(FileSource file, List<FeatureView> views, Map<String, List<Object>> columns, Target target, Origin origin) {
    String sourceName = file.name();
    int rows = rows(columns);
    if (origin instanceof Origin.Stream stream && stream.offsets().length != rows) {
      throw new IllegalArgumentException(rows + " rows came with " + stream.offsets().length + " stream offsets; give one per row");
    }
    List<Instant> events = times(columns, file.timestampColumn(), rows, true);
    List<Instant> created = file.createdColumn() == null || !columns.containsKey(file.createdColumn())
        ? null : times(columns, file.createdColumn(), rows, false);
    List<ViewRows> prepared = new ArrayList<>();
    for (FeatureView view : views) {
      prepared.add(prepare(view, columns, rows, events, created));
    }
    List<PushedTiles> tileUpdates = new ArrayList<>();
    for (FeatureView view : views) {
      if (TileLayout.hasTiles(view)) {
        tileUpdates.add(prepareTiles(view, file, columns, rows, events, created));
      }
    }
    for (PushedTiles u : tileUpdates) {
      u.check(online); // a stored row no layout here fits is refused before anything is written
    }
    Path appended = null;
    if (target.offline()) {
      appended = appendOffline(file, columns, rows);
    }
    List<RowPosition> positions = positions(appended, origin, rows);
    long written = 0;
    for (ViewRows v : prepared) {
      online.createTable(v.table());
      written += online.multiPutIfNewer(v.table(), v.entries(positions));
    }
    for (PushedTiles u : tileUpdates) {
      u.apply(online); // every pushed row is folded in; "written" counts latest rows only
    }
    if (!views.isEmpty()) {
      Instant newest = events.stream().max(Instant::compareTo).orElseThrow();
      Map<String, Instant> fresh = new LinkedHashMap<>();
      views.forEach(v -> fresh.put(v.qualifiedName(), newest));
      Freshness.record(online, defs.project(), fresh);
    }
    return new Result(sourceName, rows, views.stream().map(FeatureView::qualifiedName).toList(), written, appended);
  }

  /** The rows' places in the tie order: in the file appended, else by stream offset, else by push sequence. */
  private List<RowPosition> positions(Path appended, Origin origin, int rows) {
    List<RowPosition> out = new ArrayList<>(rows);
    if (appended != null) {
      String path = dev.quiver.core.spi.SourceFiles.display(appended, repoRoot);
      for (int r = 0; r < rows; r++) {
        out.add(new RowPosition.InFile(path, r));
      }
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
      List<Instant> events, List<Instant> created) {
    List<JoinKey> keys = new ArrayList<>();
    for (String e : view.entities()) {
      keys.addAll(defs.entity(e).orElseThrow().joinKeys());
    }
    return PushedTiles.prepare(new PushedTiles.Target(view, TileRows.table(defs.project(), view), layout(view, file),
        earlierLayout(view, file), serving.tilesRebuilt(view)), keys, columns, rows, events, created);
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
    for (SourceColumn c : offline.describe(new QueryInput.Sql("SELECT * FROM \"" + file.name() + "\""), List.of(file), repoRoot)) {
      raw.put(c.name(), c.type());
    }
    return TileLayout.of(view, c -> raw.get(file.rawColumn(c)));
  }

  private ViewRows prepare(FeatureView view, Map<String, List<Object>> columns, int rows, List<Instant> events,
      List<Instant> created) {
    List<JoinKey> keys = new ArrayList<>();
    for (String e : view.entities()) {
      Entity entity = defs.entity(e).orElseThrow();
      keys.addAll(entity.joinKeys());
    }
    List<ScalarType> keyTypes = keys.stream().map(JoinKey::type).toList();
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
    List<List<Object>> keyColumns = new ArrayList<>();
    for (JoinKey k : keys) {
      keyColumns.add(column(columns, k.name(), view));
    }
    List<byte[]> encodedKeys = new ArrayList<>(rows);
    List<List<Object>> rowValues = new ArrayList<>(rows);
    for (int r = 0; r < rows; r++) {
      List<Object> keyValues = keyValues(keys, keyColumns, r);
      List<Object> values = new ArrayList<>(names.size());
      for (int f = 0; f < names.size(); f++) {
        values.add(PushValues.coerce(types.get(f), featureColumns.get(f).get(r), names.get(f), r));
      }
      encodedKeys.add(KeyEncoding.encode(keyTypes, keyValues));
      rowValues.add(values);
    }
    return new ViewRows(OnlineTables.of(defs.project(), view), names, types, encodedKeys, events, created, rowValues);
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

  private Path appendOffline(FileSource source, Map<String, List<Object>> columns, int rows) {
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
    return offline.appendToSource(source, repoRoot, raw, out);
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
