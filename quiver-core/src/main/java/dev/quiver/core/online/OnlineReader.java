package dev.quiver.core.online;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.derived.DerivedFeatures;
import dev.quiver.core.derived.DerivedPlan;
import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.DerivedFeature;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureResolver;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.model.VersionedName;
import dev.quiver.core.aggregate.EntityTiles;
import dev.quiver.core.aggregate.TileLayout;
import dev.quiver.core.aggregate.TileRowHeader;
import dev.quiver.core.model.AggregateFeature;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Answers online requests from an {@link OnlineStore}: for each view involved, one multi-get of the
 * request's entity keys (views in parallel), then each value with its status and event time.
 * Thread-safe when the store is.
 *
 * <p>Window aggregates are read from the view's tile rows ({@link TileRows}) at the clock's now, one
 * more multi-get per view; derived features of views and on-demand views are computed per request
 * from the values read and the request context (see {@link #read(OnlineRequest)}).
 *
 * <p>Statuses (DESIGN §3): no row for the entity gives NOT_FOUND; a row older than the view's TTL
 * relative to now gives OUTSIDE_MAX_AGE with a null value (the offline lookup at now would return
 * null too); otherwise PRESENT or NULL_VALUE.
 *
 * <p>View versions: when the {@link DerivedFeatures} given were compiled with a {@link
 * ServingVersions}, unpinned refs read the versions it picks and features it lists as not filled
 * yet read NOT_FOUND; otherwise every unpinned ref reads the newest version.
 */
public final class OnlineReader {
  private final Definitions defs;
  private final DerivedFeatures derived;
  private final OnlineStore store;
  private final Executor executor;
  private final Clock clock;

  /**
   * A reader over {@code defs}. Cheap to create per request: the derived features are compiled on
   * the first read that needs them, once per {@code Definitions} instance (see {@link
   * DerivedFeatures#cached}).
   */
  public OnlineReader(Definitions defs, OnlineStore store, Executor executor, Clock clock) {
    this.defs = defs;
    this.derived = null;
    this.store = store;
    this.executor = executor;
    this.clock = clock;
  }

  /** A reader over definitions whose derived features are already compiled (once per registry version). */
  public OnlineReader(DerivedFeatures derived, OnlineStore store, Executor executor, Clock clock) {
    this.defs = derived.definitions();
    this.derived = derived;
    this.store = store;
    this.executor = executor;
    this.clock = clock;
  }

  private static boolean anyDerived(List<FeatureResolver.Resolved> resolved) {
    for (FeatureResolver.Resolved r : resolved) {
      if (r instanceof FeatureResolver.OnDemandFeature
          || r instanceof FeatureResolver.ViewFeature vf && vf.feature() instanceof DerivedFeature) {
        return true;
      }
    }
    return false;
  }

  /**
   * Reads features, derived ones and on-demand ones included, for entity rows with request data.
   *
   * <p>A derived or on-demand feature is computed by the same compiled evaluator as training sets
   * use, from its inputs as this read sees them: an input that is NOT_FOUND or OUTSIDE_MAX_AGE reads
   * as null (as the offline lookup gives null). Its status is PRESENT or NULL_VALUE (never
   * NOT_FOUND: it is computed for every row) and its event time is null. Base features a derived one
   * needs but the request did not ask for are read and not returned.
   *
   * <p>Request fields come from {@link OnlineRequest#requestContext()} or, as Feast's clients send
   * them, from columns of {@link OnlineRequest#entities()}: an entity column that is a request field
   * a requested feature reads is request data (and a key too when it is also a join key of a view
   * read). The response echoes the join-key columns only, as Feast's does.
   *
   * @throws InvalidRequestException as {@link #read(List, Map, boolean)}, and for a request field a
   *     requested feature needs that the request lacks, one given both as an entity column and in the
   *     request context, an entity column that is neither a join key of a view read nor a request
   *     field of a requested on-demand view, or a value that does not fit its type
   */
  public OnlineResponse read(OnlineRequest request) {
    DerivedFeatures compiled = derived != null ? derived : DerivedFeatures.cached(defs);
    List<FeatureResolver.Resolved> resolved = compiled.resolve(request.features());
    requireDistinctNames(resolved, request.fullFeatureNames());
    if (!anyDerived(resolved)) {
      RequestColumns columns = RequestColumns.split(defs, resolved, resolved, null, request);
      ParsedKeys keys = new ParsedKeys(columns.keys());
      List<FeatureColumn> read = readBase(compiled, resolved, keys, columns.rows(), request.fullFeatureNames());
      return new OnlineResponse(keys.echo(), read, viewsRead(resolved));
    }
    DerivedPlan plan = compiled.plan(resolved);
    List<FeatureResolver.Resolved> baseFeatures = compiled.resolve(plan.baseFeatures());
    RequestColumns sorted = RequestColumns.split(defs, baseFeatures, resolved, plan, request);
    ParsedKeys keys = new ParsedKeys(sorted.keys());
    Map<String, List<Object>> context = sorted.requestData();
    int rows = sorted.rows();
    List<FeatureColumn> base = readBase(compiled, baseFeatures, keys, rows, false);
    Object[][] table = new Object[rows][];
    int offset = plan.requestOffset();
    for (int i = 0; i < rows; i++) {
      Object[] row = plan.newRow();
      for (int b = 0; b < base.size(); b++) {
        row[b] = base.get(b).values().get(i);
      }
      for (int f = 0; f < plan.requestFields().size(); f++) {
        DerivedPlan.RequestSlot r = plan.requestFields().get(f);
        row[offset + f] = RequestValues.coerce(r.field(), r.view(), context.get(r.field().name()).get(i));
      }
      plan.evaluate(row);
      table[i] = row;
    }
    List<FeatureColumn> columns = new ArrayList<>();
    for (int o = 0; o < plan.outputs().size(); o++) {
      DerivedPlan.Output out = plan.outputs().get(o);
      String name = resolved.get(o).outputName(request.fullFeatureNames());
      if (!out.derived()) {
        FeatureColumn c = base.get(out.slot());
        columns.add(new FeatureColumn(name, out.ref(), c.type(), c.values(), c.statuses(), c.eventTimes()));
        continue;
      }
      List<Object> values = new ArrayList<>(rows);
      List<FeatureStatus> statuses = new ArrayList<>(rows);
      List<Instant> times = new ArrayList<>(rows);
      for (Object[] row : table) {
        Object v = row[out.slot()];
        values.add(v);
        statuses.add(v == null ? FeatureStatus.NULL_VALUE : FeatureStatus.PRESENT);
        times.add(null);
      }
      columns.add(new FeatureColumn(name, out.ref(), out.type(), values, statuses, times));
    }
    return new OnlineResponse(keys.echo(), columns, viewsRead(baseFeatures));
  }

  /** The distinct views of base features, in order of first use. */
  private static List<VersionedName> viewsRead(List<FeatureResolver.Resolved> base) {
    List<VersionedName> out = new ArrayList<>(2);
    FeatureView last = null;
    for (FeatureResolver.Resolved r : base) {
      if (r instanceof FeatureResolver.ViewFeature vf && vf.view() != last) {
        last = vf.view();
        VersionedName name = new VersionedName(last.name(), last.version());
        if (!out.contains(name)) {
          out.add(name);
        }
      }
    }
    return out;
  }

  /** Two requested features under one output name (twice the same, or two versions of a view) are an error, as offline. */
  private static void requireDistinctNames(List<FeatureResolver.Resolved> resolved, boolean fullFeatureNames) {
    Map<String, FeatureRef> owner = new HashMap<>();
    for (FeatureResolver.Resolved r : resolved) {
      FeatureRef ref = r.ref();
      FeatureRef clash = owner.putIfAbsent(r.outputName(fullFeatureNames), ref);
      if (clash != null) {
        throw new InvalidRequestException(InvalidRequestException.Reason.DUPLICATE_NAMES, (clash.equals(ref) ? "feature " + ref + " is requested twice"
            : "output column '" + r.outputName(fullFeatureNames) + "' would hold both " + clash + " and " + ref)
            + (clash.equals(ref) ? "; request each feature once"
                : fullFeatureNames ? "; an unpinned ref and one pinned to the newest version share the name view__feature,"
                    + " so request one of them (pin older versions as view@vN:feature)"
                : "; set full_feature_names to name columns view__feature (view@vN__feature for older versions)"));
      }
    }
  }

  /**
   * Reads features for entity rows given column-major ({@code user_id -> [1, 2, 3]}).
   *
   * @param refs feature refs (see {@link FeatureResolver}); use {@link FeatureResolver#service} for a service
   * @param fullFeatureNames name columns {@code view__feature}
   * @throws InvalidRequestException for features that cannot be served online, missing, mistyped or
   *     unknown entity columns, columns of different lengths
   * @throws dev.quiver.core.NotFoundException for unknown views or features
   * @throws QuiverException when the store fails
   */
  public OnlineResponse read(List<FeatureRef> refs, Map<String, List<Object>> entities, boolean fullFeatureNames) {
    return read(new OnlineRequest(refs, entities, Map.of(), fullFeatureNames));
  }

  /** The columns of base (non-derived) features, in order. */
  private List<FeatureColumn> readBase(DerivedFeatures compiled, List<FeatureResolver.Resolved> resolved, ParsedKeys entities,
      int rows, boolean fullFeatureNames) {
    // views by identity (a resolution's features of one view share its instance): no name strings
    // built and hashed per feature and request
    List<FeatureView> views = new ArrayList<>();
    Map<FeatureView, Integer> viewAt = new IdentityHashMap<>();
    List<FeatureView> tileViews = new ArrayList<>();
    Map<FeatureView, Integer> tileViewAt = new IdentityHashMap<>();
    List<FeatureResolver.ViewFeature> ordered = new ArrayList<>();
    for (FeatureResolver.Resolved r : resolved) {
      switch (r) {
        case FeatureResolver.ViewFeature vf -> {
          if (!vf.view().online()) {
            throw new InvalidRequestException(vf.ref() + " belongs to an offline-only view (online: false)");
          }
          if (vf.feature() instanceof AggregateFeature) {
            if (tileViewAt.putIfAbsent(vf.view(), tileViews.size()) == null) {
              tileViews.add(vf.view());
            }
          } else if (vf.feature() instanceof ColumnFeature) {
            if (viewAt.putIfAbsent(vf.view(), views.size()) == null) {
              views.add(vf.view());
            }
          } else {
            throw new IllegalStateException(vf.ref() + " is derived, not a base feature");
          }
          ordered.add(vf);
        }
        case FeatureResolver.OnDemandFeature of -> throw new IllegalStateException(of.ref() + " is computed, not read");
      }
    }
    // One multi-get per table: all but the last on the executor, the last on this thread, so a
    // request over a single view costs no thread hand-off.
    List<String> tables = new ArrayList<>();
    List<List<byte[]>> tableKeys = new ArrayList<>();
    Map<FeatureView, List<byte[]>> keysOf = new IdentityHashMap<>(); // a view with both kinds encodes its keys once
    for (FeatureView view : views) {
      tables.add(OnlineTables.of(defs.project(), view));
      tableKeys.add(keysOf.computeIfAbsent(view, v -> keys(v, entities, rows)));
    }
    for (FeatureView view : tileViews) {
      tables.add(TileRows.table(defs.project(), view));
      tableKeys.add(keysOf.computeIfAbsent(view, v -> keys(v, entities, rows)));
    }
    List<CompletableFuture<List<byte[]>>> fetches = new ArrayList<>(tables.size());
    for (int i = 0; i < tables.size(); i++) {
      String table = tables.get(i);
      List<byte[]> keys = tableKeys.get(i);
      fetches.add(i == tables.size() - 1
          ? fetchHere(() -> store.multiGet(table, keys))
          : CompletableFuture.supplyAsync(() -> store.multiGet(table, keys), executor));
    }
    List<List<byte[]>> fetched = new ArrayList<>(tables.size());
    for (int i = 0; i < fetches.size(); i++) {
      try {
        fetched.add(fetches.get(i).join());
      } catch (CompletionException ex) {
        throw ex.getCause() instanceof QuiverException q ? q
            : new QuiverException("reading " + tables.get(i) + " from the online store failed: " + ex.getCause().getMessage(), ex.getCause());
      }
    }
    List<List<RowEncoding.Decoded>> decoded = new ArrayList<>(views.size());
    int t = 0;
    for (int view = 0; view < views.size(); view++) {
      List<byte[]> values = fetched.get(t++);
      List<RowEncoding.Decoded> rowsOfView = new ArrayList<>(values.size());
      for (byte[] v : values) {
        rowsOfView.add(v == null ? null : RowEncoding.decode(v));
      }
      decoded.add(rowsOfView);
    }
    long now = Timestamps.toMicros(clock.instant());
    ServingVersions serving = compiled.latest() instanceof ServingVersions s ? s : ServingVersions.NEWEST;
    List<TileValues> tiled = new ArrayList<>(tileViews.size());
    for (FeatureView view : tileViews) {
      tiled.add(TileValues.read(compiled, view, fetched.get(t++), now, serving.tilesWrittenFor(view)));
    }
    List<FeatureColumn> columns = new ArrayList<>();
    for (FeatureResolver.ViewFeature vf : ordered) {
      FeatureView view = vf.view();
      String name = vf.outputName(fullFeatureNames);
      if (serving.unfilled(view, vf.feature().name())) {
        columns.add(notFound(name, vf, rows));
        continue;
      }
      if (vf.feature() instanceof AggregateFeature) {
        columns.add(tiled.get(tileViewAt.get(view)).column(name, vf));
        continue;
      }
      long oldest = view.ttl() == null ? Long.MIN_VALUE : now - view.ttl().toNanos() / 1000;
      ArrayList<Object> values = new ArrayList<>(rows);
      ArrayList<FeatureStatus> statuses = new ArrayList<>(rows);
      ArrayList<Instant> times = new ArrayList<>(rows);
      int hash = vf.feature().name().hashCode();
      int slot = -1;
      for (RowEncoding.Decoded row : decoded.get(viewAt.get(view))) {
        int found = row == null ? -1 : row.slot(hash, slot);
        if (found < 0) {
          values.add(null);
          statuses.add(FeatureStatus.NOT_FOUND);
          times.add(null);
        } else if (row.eventMicros() < oldest) {
          values.add(null);
          statuses.add(FeatureStatus.OUTSIDE_MAX_AGE);
          times.add(row.eventTime());
        } else {
          slot = found;
          Object v = row.value(found);
          values.add(v);
          statuses.add(v == null ? FeatureStatus.NULL_VALUE : FeatureStatus.PRESENT);
          times.add(row.eventTime());
        }
      }
      columns.add(new FeatureColumn(name, vf.ref(), vf.feature().type(), FeatureColumn.view(values), FeatureColumn.view(statuses),
          FeatureColumn.view(times)));
    }
    return columns;
  }

  /**
   * The window aggregates of one view for every entity row, read at {@code now} from the tile rows:
   * each row's slots computed once ({@link EntityTiles#read}). An entity without a tile row gets the
   * empty window's value (0 for the counts, NOT_FOUND with null otherwise); a tile row written before
   * the aggregate was added to the view (not materialized since) gives NOT_FOUND with null. Values
   * come with a null event time (a window has no single one).
   */
  private record TileValues(TileLayout[] layouts, Object[][] values) {
    /** The values of a stored row that fits neither the view's tile layout nor the one it was last materialized for. */
    private static final Object[] UNREADABLE = new Object[0];

    /**
     * @param written the view as its stored rows were last materialized, when their tile families
     *     differ from the view's (rows not rebuilt since decode with it); null otherwise. A row decodes
     *     with the layout it names ({@link TileRowHeader}); a format 1 row names only its input types,
     *     so it is tried with {@code written} first, as materialization wrote it.
     */
    static TileValues read(DerivedFeatures compiled, FeatureView view, List<byte[]> rows, long now, FeatureView written) {
      TileLayout[] layouts = new TileLayout[rows.size()];
      Object[][] values = new Object[rows.size()][];
      for (int i = 0; i < rows.size(); i++) {
        byte[] row = rows.get(i);
        if (row == null) {
          continue;
        }
        values[i] = UNREADABLE;
        if (written == null) {
          readWith(compiled, view, row, now, layouts, values, i);
          continue;
        }
        boolean exact;
        try {
          exact = TileRowHeader.of(row).exact();
        } catch (QuiverException e) {
          continue;
        }
        if (!readWith(compiled, exact ? view : written, row, now, layouts, values, i)) {
          readWith(compiled, exact ? written : view, row, now, layouts, values, i);
        }
      }
      return new TileValues(layouts, values);
    }

    /** Reads row i with {@code view}'s layout if it fits; false (row i left unreadable) when it does not. */
    private static boolean readWith(DerivedFeatures compiled, FeatureView view, byte[] row, long now, TileLayout[] layouts,
        Object[][] values, int i) {
      try {
        layouts[i] = compiled.tileLayout(view, row);
        values[i] = EntityTiles.read(layouts[i], row, now);
        return true;
      } catch (QuiverException e) {
        layouts[i] = null;
        values[i] = UNREADABLE;
        return false;
      }
    }

    FeatureColumn column(String name, FeatureResolver.ViewFeature vf) {
      int n = values.length;
      ArrayList<Object> out = new ArrayList<>(n);
      ArrayList<FeatureStatus> statuses = new ArrayList<>(n);
      ArrayList<Instant> times = new ArrayList<>(n);
      AggregateFeature a = (AggregateFeature) vf.feature();
      Object empty = a.aggregation().function().emptyValue();
      int slot = -1;
      TileLayout slotLayout = null;
      for (int i = 0; i < n; i++) {
        if (values[i] == null) {
          out.add(empty);
          statuses.add(empty == null ? FeatureStatus.NOT_FOUND : FeatureStatus.PRESENT);
        } else if (values[i] == UNREADABLE) { // written for other aggregates, not materialized since
          out.add(null);
          statuses.add(FeatureStatus.NOT_FOUND);
        } else {
          if (layouts[i] != slotLayout) {
            slotLayout = layouts[i];
            slot = slotLayout.slotIndex(a.name());
          }
          if (slot < 0) { // a row written before the feature was added: not materialized yet
            out.add(null);
            statuses.add(FeatureStatus.NOT_FOUND);
          } else {
            Object v = values[i][slot];
            out.add(v);
            statuses.add(v == null ? FeatureStatus.NULL_VALUE : FeatureStatus.PRESENT);
          }
        }
        times.add(null);
      }
      return new FeatureColumn(name, vf.ref(), vf.feature().type(), FeatureColumn.view(out), FeatureColumn.view(statuses),
          FeatureColumn.view(times));
    }
  }

  /** A column of NOT_FOUND values: a feature the stored rows do not hold yet (see {@link ServingVersions}). */
  private static FeatureColumn notFound(String name, FeatureResolver.ViewFeature vf, int rows) {
    List<Object> values = new ArrayList<>(rows);
    List<FeatureStatus> statuses = new ArrayList<>(rows);
    List<Instant> times = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++) {
      values.add(null);
      statuses.add(FeatureStatus.NOT_FOUND);
      times.add(null);
    }
    return new FeatureColumn(name, vf.ref(), vf.feature().type(), values, statuses, times);
  }

  private static <T> CompletableFuture<T> fetchHere(java.util.function.Supplier<T> fetch) {
    try {
      return CompletableFuture.completedFuture(fetch.get());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(new CompletionException(e));
    }
  }

  private List<byte[]> keys(FeatureView view, ParsedKeys entities, int rows) {
    List<JoinKey> joinKeys = new ArrayList<>();
    for (String e : view.entities()) {
      Entity entity = defs.entity(e).orElseThrow();
      joinKeys.addAll(entity.joinKeys());
    }
    List<ScalarType> types = joinKeys.stream().map(JoinKey::type).toList();
    List<List<Object>> columns = new ArrayList<>();
    for (JoinKey k : joinKeys) {
      columns.add(entities.column(k, view));
    }
    List<byte[]> keys = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++) {
      List<Object> values = new ArrayList<>(types.size());
      for (int k = 0; k < types.size(); k++) {
        values.add(columns.get(k).get(i));
      }
      keys.add(values.contains(null) ? NULL_KEY : KeyEncoding.encode(types, values));
    }
    return keys;
  }

  /** A key no row has (format byte 0): entity rows with a null key are NOT_FOUND. */
  static final byte[] NULL_KEY = {0};
}
