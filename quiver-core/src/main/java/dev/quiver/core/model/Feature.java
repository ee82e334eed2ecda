package dev.quiver.core.model;

/**
 * One named, typed value in a view. Three kinds: the latest value of a source column
 * ({@link ColumnFeature}), a function of a column over a time window ({@link AggregateFeature}), and
 * an expression over other features and request data ({@link DerivedFeature}).
 *
 * <p>{@link #type()} is null in definitions as written when the type is left to inference, and is
 * always set on definitions that passed validation.
 */
public sealed interface Feature permits ColumnFeature, AggregateFeature, DerivedFeature {
  String name();

  /** The value type; null only before validation. */
  ValueType type();

  String description();

  /** The same feature with its type set. */
  Feature withType(ValueType type);
}
