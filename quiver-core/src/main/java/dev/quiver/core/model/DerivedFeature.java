package dev.quiver.core.model;

import java.util.List;
import java.util.Objects;

/**
 * An expression over other features and request fields (see docs/expressions.md). In a feature view
 * it may name the view's other features; in an on-demand view it names {@code view.feature}, {@code
 * request.field} and the on-demand view's other features.
 *
 * <p>A <em>custom transform</em> is the escape hatch for what the language cannot say: {@code
 * transform} names a class on the classpath implementing {@link dev.quiver.core.spi.Transform},
 * which receives the values of the {@code arguments} expressions; {@code expression} then holds the
 * call as text, {@code Class(arg, ...)}, for display only.
 *
 * @param transform the transform's class name, or null for a plain expression
 * @param arguments the transform's argument expressions; empty for a plain expression
 */
public record DerivedFeature(String name, String expression, ValueType type, String description,
    String transform, List<String> arguments) implements Feature {
  public DerivedFeature {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(expression, "expression");
    description = Objects.requireNonNullElse(description, "");
    arguments = List.copyOf(arguments);
    if (transform == null && !arguments.isEmpty()) {
      throw new IllegalArgumentException("arguments are for transforms only");
    }
  }

  /** A plain expression feature. */
  public DerivedFeature(String name, String expression, ValueType type, String description) {
    this(name, expression, type, description, null, List.of());
  }

  /** A feature computed by a custom transform class from the values of {@code arguments}. */
  public static DerivedFeature ofTransform(String name, String transformClass, List<String> arguments,
      ValueType type, String description) {
    return new DerivedFeature(name, transformClass + "(" + String.join(", ", arguments) + ")", type,
        description, Objects.requireNonNull(transformClass, "transformClass"), arguments);
  }

  /** True when a custom transform computes the feature. */
  public boolean isTransform() {
    return transform != null;
  }

  /** The expressions to parse: the expression itself, or a transform's arguments. */
  public List<String> expressions() {
    return isTransform() ? arguments : List.of(expression);
  }

  @Override
  public DerivedFeature withType(ValueType type) {
    return new DerivedFeature(name, expression, type, description, transform, arguments);
  }
}
