package dev.quiver.core.offline;

import dev.quiver.core.derived.DerivedPlan;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.core.offline.PointInTimePlan.Derivation;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The second stage of a plan with a {@link Derivation}: each base row's derived features, computed
 * by the plan's compiled {@link DerivedPlan}, then the training-set row assembled in output order.
 * Not thread-safe (as every {@link HistoricalRows}); the functions it builds are.
 */
final class DerivedRows implements HistoricalRows {
  private final List<Column> columns;
  private final HistoricalRows base;
  private final UnaryOperator<Object[]> deriver;

  DerivedRows(List<Column> columns, HistoricalRows base, UnaryOperator<Object[]> deriver) {
    this.columns = List.copyOf(columns);
    this.base = base;
    this.deriver = deriver;
  }

  /** {@link Derivation#evaluator()}: inputs into slots, evaluate, derived slots out. */
  static UnaryOperator<Object[]> evaluator(Derivation d) {
    DerivedPlan derived = d.plan();
    int bases = d.baseColumns().size();
    int requests = d.requestColumns().size();
    if (bases != derived.baseFeatures().size() || requests != derived.requestFields().size()) {
      throw new IllegalArgumentException("the derivation binds " + bases + " base and " + requests
          + " request columns, but its plan has " + derived.baseFeatures().size() + " and " + derived.requestFields().size());
    }
    ValueType[] fieldTypes = derived.requestFields().stream().map(r -> r.field().type()).toArray(ValueType[]::new);
    int requestOffset = derived.requestOffset();
    int[] derivedSlots = d.derivedOutputs().stream().mapToInt(i -> derived.outputs().get(i).slot()).toArray();
    return inputs -> {
      Object[] slots = derived.newRow();
      System.arraycopy(inputs, 0, slots, 0, bases);
      for (int i = 0; i < requests; i++) {
        slots[requestOffset + i] = widen(inputs[bases + i], fieldTypes[i]);
      }
      derived.evaluate(slots);
      Object[] out = new Object[derivedSlots.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = slots[derivedSlots[i]];
      }
      return out;
    };
  }

  /** The row function of {@link PointInTimePlan#deriver()}; positions are resolved once, here. */
  static UnaryOperator<Object[]> deriver(PointInTimePlan plan) {
    Derivation d = plan.derivation();
    List<String> baseNames = plan.baseColumns().stream().map(Column::name).toList();
    int[] inputFrom = positions(baseNames, d.inputColumns());
    UnaryOperator<Object[]> evaluate = evaluator(d);
    int queryWidth = plan.queryColumns().size();
    int outputs = plan.outputs().size();
    // Where each output comes from: >= 0 a base column, < 0 the derived value ~i.
    int[] from = new int[outputs];
    List<Integer> derived = d.derivedOutputs();
    for (int i = 0; i < outputs; i++) {
      int k = derived.indexOf(i);
      from[i] = k >= 0 ? ~k : baseNames.indexOf(plan.outputs().get(i).name());
      if (k < 0 && from[i] < 0) {
        throw new IllegalArgumentException("output '" + plan.outputs().get(i).name() + "' is in neither the base result "
            + baseNames + " nor the derivation");
      }
    }
    return baseRow -> {
      Object[] inputs = new Object[inputFrom.length];
      for (int i = 0; i < inputs.length; i++) {
        inputs[i] = baseRow[inputFrom[i]];
      }
      Object[] values = evaluate.apply(inputs);
      Object[] row = new Object[queryWidth + outputs];
      System.arraycopy(baseRow, 0, row, 0, queryWidth);
      for (int i = 0; i < outputs; i++) {
        row[queryWidth + i] = from[i] >= 0 ? baseRow[from[i]] : values[~from[i]];
      }
      return row;
    };
  }

  private static int[] positions(List<String> columns, List<String> wanted) {
    int[] out = new int[wanted.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = columns.indexOf(wanted.get(i));
      if (out[i] < 0) {
        throw new IllegalArgumentException("the derivation reads column '" + wanted.get(i)
            + "', which the base result " + columns + " lacks");
      }
    }
    return out;
  }

  /**
   * A query value as its request field's Java class: the planner admits a query column of the
   * field's type, or int32 for an int64 field (widened exactly).
   */
  private static Object widen(Object v, ValueType field) {
    return field == ScalarType.INT64 && v instanceof Integer i ? (Object) i.longValue() : v;
  }

  @Override
  public List<Column> columns() {
    return columns;
  }

  @Override
  public boolean hasNext() {
    return base.hasNext();
  }

  @Override
  public Object[] next() {
    return deriver.apply(base.next());
  }

  @Override
  public void close() {
    base.close();
  }
}
