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
    values = frozen(values);
    statuses = frozen(statuses);
    eventTimes = frozen(eventTimes);
  }

  /**
   * An unmodifiable copy (nulls allowed), or the list itself when {@link #view} made it: the online
   * reader hands over lists it keeps no reference to, so a request does not copy every column.
   */
  private static <T> List<T> frozen(List<T> list) {
    return list instanceof Handed<T> ? list : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(list));
  }

  /** Wraps a list its caller gives up (keeps no reference to): {@link FeatureColumn} keeps it as is. */
  static <T> List<T> view(java.util.ArrayList<T> list) {
    return new Handed<>(list);
  }

  /** A read-only list over one nobody else holds; only {@link #view} makes them. */
  private static final class Handed<T> extends java.util.AbstractList<T> implements java.util.RandomAccess {
    private final java.util.ArrayList<T> items;

    Handed(java.util.ArrayList<T> items) {
      this.items = items;
    }

    @Override
    public T get(int index) {
      return items.get(index);
    }

    @Override
    public int size() {
      return items.size();
    }
  }
}
