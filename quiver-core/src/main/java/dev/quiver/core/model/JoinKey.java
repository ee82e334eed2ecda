package dev.quiver.core.model;

import java.util.Objects;

/** One join key of an entity: a column name and a scalar type. */
public record JoinKey(String name, ScalarType type) {
  public JoinKey {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
  }
}
