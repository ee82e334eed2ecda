package dev.quiver.core.model;

import java.util.Objects;

/**
 * An expression over other features and request fields (see docs/expressions.md). In a feature view
 * it may name the view's other features; in an on-demand view it names {@code view.feature} and
 * {@code request.field}.
 */
public record DerivedFeature(String name, String expression, ValueType type, String description)
    implements Feature {
  public DerivedFeature {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(expression, "expression");
    description = Objects.requireNonNullElse(description, "");
  }

  @Override
  public DerivedFeature withType(ValueType type) {
    return new DerivedFeature(name, expression, type, description);
  }
}
