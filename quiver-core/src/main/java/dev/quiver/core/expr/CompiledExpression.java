package dev.quiver.core.expr;

import dev.quiver.core.model.ValueType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A type-checked expression compiled to a tree of evaluator nodes: references are resolved to slot
 * indexes, operators and functions to code specialised for their operand types, once. Evaluating
 * does no parsing, name lookup or reflection; it reads the inputs by index and allocates only the
 * boxed result.
 *
 * <p><b>Values.</b> Inputs and results use the Java representation of training-set rows: {@code
 * Integer} (int32), {@code Long} (int64), {@code Float}, {@code Double}, {@code Boolean}, {@code
 * String}, {@code byte[]}, {@code java.time.Instant} (timestamp), {@code java.util.List} (lists),
 * and null for SQL null. Evaluation follows docs/expressions.md ("Evaluation"): SQL three-valued
 * logic and null propagation; division by zero, integer overflow, a float result that is NaN or
 * infinite, and a cast of a value that does not fit give null, never an exception. So one input row
 * always gives the same value, online and offline.
 *
 * <p>Immutable and thread-safe.
 */
public final class CompiledExpression {
  private final Expression source;
  private final ValueType type;
  private final ExpressionCompiler.Eval root;

  private CompiledExpression(Expression source, ValueType type, ExpressionCompiler.Eval root) {
    this.source = source;
    this.type = type;
    this.root = root;
  }

  /**
   * Type-checks and compiles {@code expression}; reference {@code names.get(i)} reads slot {@code
   * i} of the input array given to {@link #evaluate}.
   *
   * @param names the dotted reference names ({@code user_txn.amount_avg_30d}, {@code request.x})
   * @param types their types, aligned with {@code names}
   * @throws ExpressionException when the expression does not type-check (see {@link
   *     ExpressionTypeChecker}), e.g. reads a name not in {@code names}
   */
  public static CompiledExpression compile(
      Expression expression, List<String> names, List<? extends ValueType> types) {
    Objects.requireNonNull(expression, "expression");
    if (names.size() != types.size()) {
      throw new IllegalArgumentException("names and types differ in length");
    }
    Map<String, Integer> slots = new HashMap<>();
    Map<String, ValueType> scope = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      slots.putIfAbsent(names.get(i), i);
      scope.putIfAbsent(names.get(i), types.get(i));
    }
    ValueType type = ExpressionTypeChecker.of(scope).check(expression);
    ExpressionCompiler.Typed compiled =
        new ExpressionCompiler(slots, scope).compile(expression);
    return new CompiledExpression(expression, type, compiled.eval());
  }

  /** The result type. */
  public ValueType type() {
    return type;
  }

  /** The expression compiled. */
  public Expression expression() {
    return source;
  }

  /**
   * The value for one row of inputs.
   *
   * @param inputs aligned with the names given to {@link #compile}; each value null or of its
   *     type's Java class (a value of another class fails with {@link ClassCastException})
   * @return a value of {@link #type()}, or null
   */
  public Object evaluate(Object[] inputs) {
    return root.eval(inputs);
  }

  @Override
  public String toString() {
    return source.render() + " : " + type.spelling();
  }
}
