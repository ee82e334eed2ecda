package dev.quiver.core.offline;

import dev.quiver.core.Names;
import dev.quiver.core.NotFoundException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.AggregateFeature;
import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.DerivedFeature;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureResolver;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Source;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.core.offline.PointInTimePlan.KeyBinding;
import dev.quiver.core.offline.PointInTimePlan.LatestValue;
import dev.quiver.core.offline.PointInTimePlan.Output;
import dev.quiver.core.offline.PointInTimePlan.PlannedFeature;
import dev.quiver.core.offline.PointInTimePlan.ViewJoin;
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

  private PointInTimePlanner() {}

  /**
   * @param defs the applied definitions (typed, services pinned)
   * @param registryVersion recorded in the plan
   * @param queryColumns the query's columns as the engine describes them
   * @throws QuiverException (or {@link NotFoundException}) naming what is wrong and how to fix it
   */
  public static PointInTimePlan plan(Definitions defs, long registryVersion, HistoricalRequest request,
      List<SourceColumn> queryColumns) {
    Map<String, SourceColumn> query = new LinkedHashMap<>();
    queryColumns.forEach(c -> query.put(c.name(), c));
    String ts = timestampColumn(request, query);
    Map<String, List<Feature>> byView = new LinkedHashMap<>();
    Map<String, FeatureView> views = new HashMap<>();
    List<FeatureRef> refs = request.service() == null ? request.features()
        : FeatureResolver.service(defs, request.service(), request.serviceVersion());
    for (FeatureResolver.Resolved r : FeatureResolver.resolve(defs, refs)) {
      switch (r) {
        case FeatureResolver.ViewFeature vf -> {
          views.put(vf.view().qualifiedName(), vf.view());
          byView.computeIfAbsent(vf.view().qualifiedName(), k -> new ArrayList<>()).add(vf.feature());
        }
        case FeatureResolver.OnDemandFeature of -> throw unsupported(of.ref(), "on-demand features");
      }
    }
    Map<String, String> outputOwner = new HashMap<>();
    query.keySet().forEach(c -> outputOwner.put(c, "the query"));
    List<ViewJoin> joins = new ArrayList<>();
    List<Output> outputs = new ArrayList<>();
    for (var e : byView.entrySet()) {
      FeatureView view = views.get(e.getKey());
      FileSource source = fileSource(defs, view);
      List<KeyBinding> keys = keys(defs, view, source, query);
      List<PlannedFeature> planned = new ArrayList<>();
      for (Feature f : e.getValue()) {
        FeatureRef ref = new FeatureRef(view.name(), view.version(), f.name());
        String name = request.fullFeatureNames() ? view.name() + "__" + f.name() : f.name();
        String clash = outputOwner.putIfAbsent(name, ref.toString());
        if (clash != null) {
          throw new QuiverException("output column '" + name + "' would hold both " + clash + " and " + ref
              + (request.fullFeatureNames() ? "; request the feature once" : "; pass --full-feature-names to name columns view__feature"));
        }
        planned.add(switch (f) {
          case ColumnFeature c -> new LatestValue(ref, source.rawColumn(c.column()), name, c.type());
          case AggregateFeature a -> throw unsupported(ref, "window aggregates");
          case DerivedFeature d -> throw unsupported(ref, "derived features");
        });
        outputs.add(new Output(name, ref, f.type()));
      }
      joins.add(new ViewJoin(view.qualifiedName(), source, keys, view.ttl(), planned));
    }
    List<Column> columns = queryColumns.stream().map(c -> new Column(c.name(), c.type())).toList();
    List<FileSource> tables = defs.sources().stream()
        .filter(s -> s instanceof FileSource).map(s -> (FileSource) s).toList();
    return new PointInTimePlan(request.query(), columns, ts, joins, outputs, registryVersion, tables);
  }

  private static QuiverException unsupported(FeatureRef ref, String what) {
    return new QuiverException(ref + " is one of the " + what + ", which training sets do not compute yet;"
        + " request column features (a later release adds " + what + " to the same plan)");
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
