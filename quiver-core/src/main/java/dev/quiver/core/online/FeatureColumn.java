package dev.quiver.core.online;

import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.ValueType;
import java.time.Instant;
import java.util.List;

/**
 * One requested feature's values for every entity row of a request, column-major as Feast returns
 * them: {@code values[i]}, {@code statuses[i]} and {@code eventTimes[i]} belong to entity row i.
 *
 * @param type the feature's declared type, which protocols with typed values (gRPC) encode by; null
 *     when unknown, in which case each value's Java type decides
 * @param eventTimes the event time of the row each value came from; null when NOT_FOUND
 */
public record FeatureColumn(String name, FeatureRef ref, ValueType type, List<Object> values, List<FeatureStatus> statuses,
    List<Instant> eventTimes) {
  public FeatureColumn {
    values = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(values));
    statuses = List.copyOf(statuses);
    eventTimes = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(eventTimes));
  }
}
