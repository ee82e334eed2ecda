package dev.quiver.core.offline;

import dev.quiver.core.derived.DerivedPlan;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * One immutable point-in-time plan: what every engine computes for a training set, whatever SQL or
 * code it renders it to.
 *
 * <p><b>Semantics (DESIGN §3).</b> For each query row with keys k and time t, and each {@link
 * ViewJoin}: take the source rows with keys k and {@code event_ts <= t} and, when the view has a TTL
 * T, {@code event_ts >= t - T}; of those, the row with the greatest {@code (event_ts, created_ts,
 * position)} gives every feature of the join, in the tie order every engine follows ({@link
 * LatestRowsPlan#TIE_ORDER}: a null created time first; position = files in sorted path order, rows in
 * file order). A {@link WindowAggregate}'s kernels are fed a key's rows in that order, so first, last
 * and last_k take the row later in it as the later. No such row: every feature of the join is null.
 * Rows whose key columns are null never match; keys compare by value (int32 = int64 by number, bytes
 * by content). Every query row appears in the output exactly once, in input order
 * (duplicates included), with all its columns unchanged, followed by the {@link #outputs()}. The
 * per-row rules are code once, in {@link dev.quiver.core.offline.sweep.PointInTimeRules}, and the
 * sweeps that apply them ({@link dev.quiver.core.offline.sweep.JoinSweep}, {@link
 * dev.quiver.core.offline.sweep.JoinSlots}) are there for every engine to call.
 *
 * <p><b>Two stages.</b> An engine computes the {@link #baseColumns() base result}: the query columns
 * followed by what the joins produce. Without a {@link Derivation} that already is the training set
 * ({@link #columns()}). With one, derived and on-demand features are computed from each base row by
 * the core evaluator, the same compiled {@link DerivedPlan} the online path runs, through {@link
 * #finish(HistoricalRows)} or {@link #deriver()}; engines never render expressions themselves, so a
 * derived value cannot differ between training and serving.
 *
 * <p>{@link PlannedFeature} is sealed: column features are {@link LatestValue}s, window aggregates
 * {@link WindowAggregate}s (whose window replaces the TTL); a later kind joins it as a new
 * record, and engines add a case.
 *
 * @param queryColumns the query's columns as read, in order; all pass through
 * @param timestampColumn the query column holding t
 * @param joins one per view version read, in order of first request
 * @param outputs the feature columns after the query columns, in request order
 * @param registryVersion the registry version the plan was built from (0 when built from bare definitions)
 * @param tables the project's sources, visible by name to a {@link QueryInput.Sql} query
 * @param derivation the derived features to compute after the joins, or null when there are none
 */
public record PointInTimePlan(
    QueryInput query,
    List<Column> queryColumns,
    String timestampColumn,
    List<ViewJoin> joins,
    List<Output> outputs,
    long registryVersion,
    List<FileSource> tables,
    Derivation derivation) implements Serializable {
  public PointInTimePlan {
    Objects.requireNonNull(query, "query");
    queryColumns = List.copyOf(queryColumns);
    Objects.requireNonNull(timestampColumn, "timestampColumn");
    joins = List.copyOf(joins);
    outputs = List.copyOf(outputs);
    tables = List.copyOf(tables);
  }

  /** A plan of joins alone (no derived features). */
  public PointInTimePlan(QueryInput query, List<Column> queryColumns, String timestampColumn, List<ViewJoin> joins,
      List<Output> outputs, long registryVersion, List<FileSource> tables) {
    this(query, queryColumns, timestampColumn, joins, outputs, registryVersion, tables, null);
  }

  /** Every column of the training set: the query's, then the {@link #outputs()}. */
  public List<Column> columns() {
    List<Column> all = new ArrayList<>(queryColumns);
    outputs.forEach(o -> all.add(new Column(o.name(), o.type())));
    return all;
  }

  /**
   * The columns an engine produces, in this order: the query's, then, without a derivation, the
   * {@link #outputs()} (so this equals {@link #columns()}), and with one, every feature of every
   * join in join order (named by {@link PlannedFeature#outputName()}, inputs of derived features
   * that were not requested included).
   */
  public List<Column> baseColumns() {
    if (derivation == null) {
      return columns();
    }
    List<Column> all = new ArrayList<>(queryColumns);
    joins.forEach(j -> j.features().forEach(f -> all.add(new Column(f.outputName(), f.type()))));
    return all;
  }

  /**
   * The training set's rows from the base rows an engine produced (aligned with {@link
   * #baseColumns()}): the rows themselves without a derivation, else rows with the derived features
   * computed. Closing the result closes {@code base}.
   *
   * @throws IllegalArgumentException when {@code base} does not have the {@link #baseColumns()}
   */
  public HistoricalRows finish(HistoricalRows base) {
    return derivation == null ? base : new DerivedRows(columns(), base, deriver());
  }

  /**
   * A function from one base row (aligned with {@link #baseColumns()}) to its training-set row
   * (aligned with {@link #columns()}); the identity without a derivation. Thread-safe; each call
   * returns a new array.
   *
   * @throws dev.quiver.core.QuiverException from the function, only when a custom transform fails
   */
  public UnaryOperator<Object[]> deriver() {
    return derivation == null ? UnaryOperator.identity() : DerivedRows.deriver(this);
  }

  /** A named, typed column; {@code type} is null for a query column with no Quiver type (passed through). */
  /**
   * This plan with every source it reads (the joins' and the query SQL's tables) replaced by {@code
   * map}'s answer for it: how an engine pins the versions it reads ({@link OfflineEngine#pinned}).
   */
  public PointInTimePlan withSources(java.util.function.UnaryOperator<FileSource> map) {
    List<ViewJoin> mapped = joins.stream().map(j -> new ViewJoin(j.view(), map.apply(j.source()), j.keys(), j.ttl(), j.features()))
        .toList();
    return new PointInTimePlan(query, queryColumns, timestampColumn, mapped, outputs, registryVersion,
        tables.stream().map(map).toList(), derivation);
  }

  public record Column(String name, ValueType type) implements Serializable {}

  /**
   * A point-in-time join against one view version's source.
   *
   * @param view the view, {@code name@vN}
   * @param keys how query columns match source columns
   * @param ttl the view's TTL, or null for none
   * @param features what the join produces
   */
  public record ViewJoin(String view, FileSource source, List<KeyBinding> keys, Duration ttl, List<PlannedFeature> features)
      implements Serializable {
    public ViewJoin {
      keys = List.copyOf(keys);
      features = List.copyOf(features);
    }
  }

  /**
   * A join key: the query column and the raw source column (before field mapping) that must be equal.
   */
  public record KeyBinding(String queryColumn, String sourceColumn, ScalarType type) implements Serializable {}

  /** A feature an engine computes within a join. */
  public sealed interface PlannedFeature extends Serializable permits LatestValue, WindowAggregate {
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

  /**
   * A window aggregate at the query time (DESIGN §3): {@code fn(column)} over the source rows with
   * the join's keys and {@code event_ts} in {@code [align(t − W, H), t)}, computed with the core
   * kernels ({@link dev.quiver.core.aggregate.Aggregator}) from per-hop partials, so it equals the
   * online value bit for bit. The view's TTL does not apply (the window bounds the rows); rows with
   * a null event time are skipped, null values are skipped (count without a column counts rows); an
   * empty window gives 0 for the counts and null otherwise, and so does a null t (no rows are in its window).
   *
   * @param sourceColumn the raw source column (before field mapping); null for count of rows
   */
  public record WindowAggregate(FeatureRef ref, String sourceColumn, Aggregation aggregation, String outputName,
      ValueType type) implements PlannedFeature {
    public WindowAggregate {
      Objects.requireNonNull(aggregation, "aggregation");
    }
  }

  /** One output column after the query columns. */
  public record Output(String name, FeatureRef ref, ValueType type) implements Serializable {}

  /**
   * Derived and on-demand features, computed from each base row by the core evaluator.
   *
   * @param plan the compiled features; its requested outputs are the plan's {@link #outputs()}, in order
   * @param baseColumns for each base slot of {@code plan}, the base-result column that holds it
   * @param requestColumns for each request slot of {@code plan}, the query column that holds it
   *     (request data comes from the query rows offline)
   */
  public record Derivation(DerivedPlan plan, List<String> baseColumns, List<String> requestColumns)
      implements Serializable {
    public Derivation {
      Objects.requireNonNull(plan, "plan");
      baseColumns = List.copyOf(baseColumns);
      requestColumns = List.copyOf(requestColumns);
    }

    /** What {@link #evaluator()} reads, in order: {@link #baseColumns()}, then {@link #requestColumns()}. */
    public List<String> inputColumns() {
      List<String> all = new ArrayList<>(baseColumns);
      all.addAll(requestColumns);
      return all;
    }

    /** The positions in the plan's {@link PointInTimePlan#outputs()} of the derived features, ascending. */
    public List<Integer> derivedOutputs() {
      List<Integer> out = new ArrayList<>();
      for (int i = 0; i < plan.outputs().size(); i++) {
        if (plan.outputs().get(i).derived()) {
          out.add(i);
        }
      }
      return out;
    }

    /**
     * A function from one row of inputs (aligned with {@link #inputColumns()}) to the derived
     * features' values (aligned with {@link #derivedOutputs()}). An engine that keeps the other
     * columns to itself needs only this. Thread-safe; each call returns a new array.
     *
     * @throws dev.quiver.core.QuiverException from the function, only when a custom transform fails
     */
    public UnaryOperator<Object[]> evaluator() {
      return DerivedRows.evaluator(this);
    }
  }
}
