package dev.quiver.core.model;

import java.util.Objects;

/** A list of scalars, e.g. {@code list<float32>} for an embedding. Lists do not nest. */
public record ListType(ScalarType element) implements ValueType {
  public ListType {
    Objects.requireNonNull(element, "element");
  }

  @Override
  public String spelling() {
    return "list<" + element.spelling() + ">";
  }

  @Override
  public String toString() {
    return spelling();
  }
}
