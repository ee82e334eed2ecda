package dev.quiver.core.model;

import java.util.Objects;

/** A function of a source column over a time window, e.g. the 30-day average amount. */
public record AggregateFeature(String name, Aggregation aggregation, ValueType type, String description)
    implements Feature, java.io.Serializable {
  public AggregateFeature {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(aggregation, "aggregation");
    description = Objects.requireNonNullElse(description, "");
  }

  @Override
  public AggregateFeature withType(ValueType type) {
    return new AggregateFeature(name, aggregation, type, description);
  }
}
