package dev.quiver.core.aggregate;

import dev.quiver.core.QuiverException;
import dev.quiver.core.expr.CompiledExpression;
import dev.quiver.core.expr.Expression;
import dev.quiver.core.expr.ExpressionException;
import dev.quiver.core.expr.ExpressionParser;
import dev.quiver.core.model.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * An aggregate's {@code where:} condition over source columns, compiled with the core expression
 * evaluator, so every path (the offline sweep, online tiles, push) keeps exactly the same rows: a
 * row counts when the condition is true; false and null (SQL's unknown) leave it out.
 *
 * <p>Immutable and thread-safe.
 */
public final class RowFilter {
  private final String text;
  private final List<String> columns;
  private final CompiledExpression compiled;

  private RowFilter(String text, List<String> columns, CompiledExpression compiled) {
    this.text = text;
    this.columns = columns;
    this.compiled = compiled;
  }

  /** The source columns (names as definitions use them) a condition reads, in first-use order. */
  public static List<String> columns(String condition) {
    try {
      return List.copyOf(ExpressionParser.parse(condition).references());
    } catch (ExpressionException e) {
      throw new QuiverException("the aggregate filter '" + condition + "' does not parse: " + e.getMessage());
    }
  }

  /**
   * Compiles a condition.
   *
   * @param types the type of each column it reads (null for an unknown column: an error)
   * @throws QuiverException when it does not parse, reads an unknown column or is not a condition
   */
  public static RowFilter compile(String condition, Function<String, ValueType> types) {
    try {
      Expression e = ExpressionParser.parse(condition);
      List<String> columns = List.copyOf(e.references());
      List<ValueType> columnTypes = new ArrayList<>();
      for (String c : columns) {
        ValueType t = types.apply(c);
        if (t == null) {
          throw new QuiverException("the aggregate filter '" + condition + "' reads column '" + c
              + "', whose type the source does not tell");
        }
        columnTypes.add(t);
      }
      CompiledExpression compiled = CompiledExpression.compile(e, columns, columnTypes);
      if (compiled.type() != dev.quiver.core.model.ScalarType.BOOL) {
        throw new QuiverException("the aggregate filter '" + condition + "' is " + compiled.type().spelling()
            + ", not a condition (bool)");
      }
      return new RowFilter(condition, columns, compiled);
    } catch (ExpressionException e) {
      throw new QuiverException("the aggregate filter '" + condition + "' is not valid: " + e.getMessage());
    }
  }

  /** The columns {@link #test} reads, aligned with its argument. */
  public List<String> columns() {
    return columns;
  }

  /** True when the row counts; {@code values} aligned with {@link #columns()}. */
  public boolean test(Object[] values) {
    return Boolean.TRUE.equals(compiled.evaluate(values));
  }

  @Override
  public String toString() {
    return text;
  }
}
