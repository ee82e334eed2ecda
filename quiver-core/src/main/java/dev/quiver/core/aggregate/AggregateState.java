package dev.quiver.core.aggregate;

/**
 * The intermediate state of one aggregate over some rows: what a tile holds and what merges. Opaque
 * and mutable; only the {@link Aggregator} that made it reads or changes it. Not thread-safe.
 */
public interface AggregateState {}
