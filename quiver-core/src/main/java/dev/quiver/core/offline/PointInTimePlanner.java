package dev.quiver.core.offline;

import dev.quiver.core.Names;
import dev.quiver.core.NotFoundException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.derived.DerivedFeatures;
import dev.quiver.core.derived.DerivedPlan;
import dev.quiver.core.model.AggregateFeature;
import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.DerivedFeature;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.FeatureResolver;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Source;
import dev.quiver.core.model.StreamSource;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.core.offline.PointInTimePlan.Derivation;
import dev.quiver.core.offline.PointInTimePlan.KeyBinding;
import dev.quiver.core.offline.PointInTimePlan.LatestValue;
import dev.quiver.core.offline.PointInTimePlan.Output;
import dev.quiver.core.offline.PointInTimePlan.PlannedFeature;
import dev.quiver.core.offline.PointInTimePlan.ViewJoin;
import dev.quiver.core.offline.PointInTimePlan.WindowAggregate;
import dev.quiver.core.spi.SourceColumn;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the {@link PointInTimePlan} of a request: resolves feature refs (or a service) against
 * applied definitions, checks the query's columns (timestamp, join keys and their types, name
 * clashes), and fixes output names. Everything is checked here, before an engine reads any data.
 * Stateless and thread-safe.
 */
public final class PointInTimePlanner {
  /** The timestamp column used when the request names none, as in Feast. */
  public static final String DEFAULT_TIMESTAMP_COLUMN = "event_timestamp";

  /** How base columns that only derived features read are named (they are not in the training set). */
  static final String INPUT_PREFIX = "__quiver_in_";

  private PointInTimePlanner() {}

  /**
   * @param defs the applied definitions (typed, services pinned)
   * @param registryVersion recorded in the plan
   * @param queryColumns the query's columns as the engine describes them
   * @throws QuiverException (or {@link NotFoundException}) naming what is wrong and how to fix it
   */
  public static PointInTimePlan plan(Definitions defs, long registryVersion, HistoricalRequest request,
      List<SourceColumn> queryColumns) {
    return plan(defs, registryVersion, request, queryColumns, dev.quiver.core.derived.Transforms.defaultLoader());
  }

  /**
   * As {@link #plan(Definitions, long, HistoricalRequest, List)}, loading custom transforms with
   * {@code transforms} (see {@link dev.quiver.core.load.TransformClasspath}).
   */
  public static PointInTimePlan plan(Definitions defs, long registryVersion, HistoricalRequest request,
      List<SourceColumn> queryColumns, ClassLoader transforms) {
    Map<String, SourceColumn> query = new LinkedHashMap<>();
    queryColumns.forEach(c -> query.put(c.name(), c));
    for (String name : query.keySet()) {
      String lower = name.toLowerCase(java.util.Locale.ROOT);
      if (lower.equals("rowid") || lower.startsWith("__quiver_")) {
        throw new QuiverException("query column '" + name + "' uses a name Quiver reserves (rowid, __quiver_*) for"
            + " the positions of query rows; rename it in the query, e.g. SELECT " + name + " AS row_id, ...");
      }
    }
    String ts = timestampColumn(request, query);
    List<FeatureRef> refs = request.service() == null ? request.features()
        : FeatureResolver.service(defs, request.service(), request.serviceVersion());
    List<FeatureResolver.Resolved> resolved = FeatureResolver.resolve(defs, refs);

    Map<String, String> outputOwner = new HashMap<>();
    query.keySet().forEach(c -> outputOwner.put(c, "the query"));
    List<Output> outputs = new ArrayList<>();
    Map<FeatureRef, String> outputNames = new HashMap<>();
    boolean derive = false;
    for (FeatureResolver.Resolved r : resolved) {
      FeatureRef ref = r.ref();
      String name = r.outputName(request.fullFeatureNames());
      String clash = outputOwner.putIfAbsent(name, ref.toString());
      if (clash == null && outputNames.containsKey(ref)) {
        clash = ref.toString();
      }
      if (clash != null) {
        throw new QuiverException("output column '" + name + "' would hold both " + clash + " and " + ref
            + (request.fullFeatureNames() || clash.equals(ref.toString()) ? "; request the feature once"
                : "; pass --full-feature-names to name columns view__feature (view@vN__feature for older versions)"));
      }
      ValueType type = switch (r) {
        case FeatureResolver.ViewFeature vf -> vf.feature().type();
        case FeatureResolver.OnDemandFeature of -> of.feature().type();
      };
      outputs.add(new Output(name, ref, type));
      outputNames.put(ref, name);
      derive |= r instanceof FeatureResolver.OnDemandFeature
          || r instanceof FeatureResolver.ViewFeature vf && vf.feature() instanceof DerivedFeature;
    }

    // What the joins read: the requested features, or with derived ones, every base feature they need.
    DerivedPlan derivedPlan = derive ? DerivedFeatures.cached(defs, transforms).plan(resolved) : null;
    List<FeatureResolver.Resolved> base = derive ? FeatureResolver.resolve(defs, derivedPlan.baseFeatures()) : resolved;
    Map<String, List<FeatureResolver.ViewFeature>> byView = new LinkedHashMap<>();
    Map<FeatureRef, String> baseNames = new HashMap<>();
    for (FeatureResolver.Resolved r : base) {
      FeatureResolver.ViewFeature vf = (FeatureResolver.ViewFeature) r; // derived plans' base features are view features
      byView.computeIfAbsent(vf.view().qualifiedName(), k -> new ArrayList<>()).add(vf);
      String name = outputNames.get(vf.ref());
      if (name == null) {
        name = INPUT_PREFIX + baseNames.size();
        String clash = outputOwner.putIfAbsent(name, vf.ref().toString());
        if (clash != null) {
          throw new QuiverException("query column '" + name + "' uses a name Quiver reserves for inputs of derived features; rename it");
        }
      }
      baseNames.put(vf.ref(), name);
    }
    List<ViewJoin> joins = new ArrayList<>();
    for (List<FeatureResolver.ViewFeature> features : byView.values()) {
      FeatureView view = features.getFirst().view();
      FileSource source = fileSource(defs, view);
      List<KeyBinding> keys = keys(defs, view, source, query);
      List<PlannedFeature> planned = new ArrayList<>();
      for (FeatureResolver.ViewFeature vf : features) {
        FeatureRef ref = vf.ref();
        String name = baseNames.get(ref);
        planned.add(switch (vf.feature()) {
          case ColumnFeature c -> new LatestValue(ref, source.rawColumn(c.column()), name, c.type());
          case AggregateFeature a -> aggregate(ref, a, source, name);
          case DerivedFeature d -> throw new IllegalStateException(ref + " is derived, not a base feature");
        });
      }
      joins.add(new ViewJoin(view.qualifiedName(), source, keys, view.ttl(), planned));
    }
    Derivation derivation = derive ? derivation(derivedPlan, baseNames, query) : null;
    List<Column> columns = queryColumns.stream().map(c -> new Column(c.name(), c.type())).toList();
    List<FileSource> tables = defs.sources().stream()
        .map(Source::batch).toList();
    return new PointInTimePlan(request.query(), columns, ts, joins, outputs, registryVersion, tables, derivation);
  }

  /** Binds the derived plan's slots to base columns, and its request fields to query columns (checked). */
  private static Derivation derivation(DerivedPlan plan, Map<FeatureRef, String> baseNames, Map<String, SourceColumn> query) {
    List<String> baseColumns = plan.baseFeatures().stream().map(baseNames::get).toList();
    List<String> requestColumns = new ArrayList<>();
    for (DerivedPlan.RequestSlot r : plan.requestFields()) {
      String name = r.field().name();
      SourceColumn c = query.get(name);
      if (c == null) {
        throw new QuiverException("on-demand view " + r.view() + " needs request field '" + name + "' ("
            + r.field().type().spelling() + "): offline it comes from the query rows, which have no column '" + name + "'"
            + Names.didYouMean(name, query.keySet()) + "; columns: " + String.join(", ", query.keySet()));
      }
      boolean fits = r.field().type().equals(c.type())
          || (r.field().type() == ScalarType.INT64 && c.type() == ScalarType.INT32);
      if (!fits) {
        throw new QuiverException("query column '" + name + "' is " + (c.type() == null ? c.nativeType() : c.type().spelling())
            + " but request field '" + name + "' of on-demand view " + r.view() + " is " + r.field().type().spelling()
            + "; cast the column to " + r.field().type().spelling());
      }
      requestColumns.add(name);
    }
    return new Derivation(plan, baseColumns, requestColumns);
  }

  private static WindowAggregate aggregate(FeatureRef ref, AggregateFeature a, FileSource source, String name) {
    String column = a.aggregation().column();
    return new WindowAggregate(ref, column == null ? null : source.rawColumn(column), a.aggregation(), name, a.type());
  }

  private static String timestampColumn(HistoricalRequest request, Map<String, SourceColumn> query) {
    String ts = request.timestampColumn();
    if (ts == null) {
      if (query.containsKey(DEFAULT_TIMESTAMP_COLUMN)) {
        ts = DEFAULT_TIMESTAMP_COLUMN;
      } else {
        List<String> candidates = query.values().stream()
            .filter(c -> c.type() == ScalarType.TIMESTAMP).map(SourceColumn::name).toList();
        if (candidates.size() != 1) {
          throw new QuiverException("the query rows need a timestamp column: name it "
              + DEFAULT_TIMESTAMP_COLUMN + " or pass --timestamp-column"
              + (candidates.isEmpty() ? " (the query has no timestamp column; columns: " + String.join(", ", query.keySet()) + ")"
                  : " (candidates: " + String.join(", ", candidates) + ")"));
        }
        ts = candidates.getFirst();
      }
    }
    SourceColumn c = query.get(ts);
    if (c == null) {
      throw new QuiverException("the query has no column '" + ts + "'" + Names.didYouMean(ts, query.keySet())
          + " (columns: " + String.join(", ", query.keySet()) + ")");
    }
    if (c.type() != ScalarType.TIMESTAMP) {
      throw new QuiverException("query column '" + ts + "' must hold timestamps but is "
          + (c.type() == null ? c.nativeType() : c.type().spelling()) + "; cast it to a timestamp");
    }
    return ts;
  }

  private static FileSource fileSource(Definitions defs, FeatureView view) {
    Source s = defs.source(view.source()).orElseThrow(() ->
        new QuiverException("view " + view.qualifiedName() + " reads source '" + view.source() + "', which the registry does not define"));
    return switch (s) {
      case FileSource f -> f;
      case StreamSource st -> st.batch();
    };
  }

  private static List<KeyBinding> keys(Definitions defs, FeatureView view, FileSource source, Map<String, SourceColumn> query) {
    List<KeyBinding> keys = new ArrayList<>();
    for (String entityName : view.entities()) {
      Entity entity = defs.entity(entityName).orElseThrow(() ->
          new QuiverException("view " + view.qualifiedName() + " uses entity '" + entityName + "', which the registry does not define"));
      for (JoinKey k : entity.joinKeys()) {
        SourceColumn c = query.get(k.name());
        if (c == null) {
          throw new QuiverException("the query rows need column '" + k.name() + "' (join key of entity '" + entityName
              + "', for view " + view.qualifiedName() + ")" + Names.didYouMean(k.name(), query.keySet())
              + "; columns: " + String.join(", ", query.keySet()));
        }
        if (!compatible(c.type(), k.type())) {
          throw new QuiverException("query column '" + k.name() + "' is " + (c.type() == null ? c.nativeType() : c.type().spelling())
              + " but join key '" + k.name() + "' of entity '" + entityName + "' is " + k.type().spelling()
              + "; cast the column to " + k.type().spelling());
        }
        keys.add(new KeyBinding(k.name(), source.rawColumn(k.name()), k.type()));
      }
    }
    return keys;
  }

  /** Equal types, or two integer types (compared by value). */
  private static boolean compatible(ValueType query, ScalarType key) {
    return key.equals(query)
        || (query instanceof ScalarType q && q.isIntegral() && key.isIntegral());
  }
}
