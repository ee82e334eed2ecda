package dev.quiver.core.model;

import java.util.Objects;

/**
 * The latest value of a source column as of the query time (DESIGN §3, point-in-time lookup).
 *
 * @param column the source column (after field mapping); defaults to the feature name
 * @param type declared or inferred type; null before validation
 */
public record ColumnFeature(String name, String column, ValueType type, String description)
    implements Feature {
  public ColumnFeature {
    Objects.requireNonNull(name, "name");
    column = column == null ? name : column;
    description = Objects.requireNonNullElse(description, "");
  }

  @Override
  public ColumnFeature withType(ValueType type) {
    return new ColumnFeature(name, column, type, description);
  }
}
