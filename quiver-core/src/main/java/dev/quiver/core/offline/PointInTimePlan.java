package dev.quiver.core.offline;

import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One immutable point-in-time plan: what every engine computes for a training set, whatever SQL or
 * code it renders it to.
 *
 * <p><b>Semantics (DESIGN §3).</b> For each query row with keys k and time t, and each {@link
 * ViewJoin}: take the source rows with keys k and {@code event_ts <= t} and, when the view has a TTL
 * T, {@code event_ts >= t - T}; of those, the row with the greatest {@code (event_ts, created_ts)}
 * gives every feature of the join. No such row: every feature of the join is null. Rows whose key
 * columns are null never match. Every query row appears in the output exactly once, in input order
 * (duplicates included), with all its columns unchanged, followed by the {@link #outputs()}.
 *
 * <p>Room for later kinds: {@link PlannedFeature} is sealed; window aggregates and derived features
 * join it as new records, and engines add a case.
 *
 * @param queryColumns the query's columns as read, in order; all pass through
 * @param timestampColumn the query column holding t
 * @param joins one per view version read, in request order
 * @param outputs the feature columns after the query columns, in request order
 * @param registryVersion the registry version the plan was built from (0 when built from bare definitions)
 * @param tables the project's sources, visible by name to a {@link QueryInput.Sql} query
 */
public record PointInTimePlan(
    QueryInput query,
    List<Column> queryColumns,
    String timestampColumn,
    List<ViewJoin> joins,
    List<Output> outputs,
    long registryVersion,
    List<FileSource> tables) {
  public PointInTimePlan {
    Objects.requireNonNull(query, "query");
    queryColumns = List.copyOf(queryColumns);
    Objects.requireNonNull(timestampColumn, "timestampColumn");
    joins = List.copyOf(joins);
    outputs = List.copyOf(outputs);
    tables = List.copyOf(tables);
  }

  /** Every output column: the query's, then the features'. */
  public List<Column> columns() {
    List<Column> all = new java.util.ArrayList<>(queryColumns);
    outputs.forEach(o -> all.add(new Column(o.name(), o.type())));
    return all;
  }

  /** A named, typed column; {@code type} is null for a query column with no Quiver type (passed through). */
  public record Column(String name, ValueType type) {}

  /**
   * A point-in-time join against one view version's source.
   *
   * @param view the view, {@code name@vN}
   * @param keys how query columns match source columns
   * @param ttl the view's TTL, or null for none
   * @param features what the join produces
   */
  public record ViewJoin(String view, FileSource source, List<KeyBinding> keys, Duration ttl, List<PlannedFeature> features) {
    public ViewJoin {
      keys = List.copyOf(keys);
      features = List.copyOf(features);
    }
  }

  /**
   * A join key: the query column and the raw source column (before field mapping) that must be equal.
   */
  public record KeyBinding(String queryColumn, String sourceColumn, ScalarType type) {}

  /** A feature an engine computes within a join. */
  public sealed interface PlannedFeature permits LatestValue {
    /** The output column it fills. */
    String outputName();

    ValueType type();
  }

  /**
   * The value of a source column in the point-in-time row.
   *
   * @param sourceColumn the raw source column (before field mapping)
   */
  public record LatestValue(FeatureRef ref, String sourceColumn, String outputName, ValueType type)
      implements PlannedFeature {}

  /** One output column after the query columns. */
  public record Output(String name, FeatureRef ref, ValueType type) {}
}
