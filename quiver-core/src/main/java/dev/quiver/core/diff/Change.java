package dev.quiver.core.diff;

import java.util.List;
import java.util.Objects;

/**
 * One definition added, changed or removed.
 *
 * @param kind what kind of definition: entity, source, feature view, on-demand view, feature service,
 *     permission
 * @param name its name, qualified with {@code @vN} where it has versions
 * @param fields for {@link Action#CHANGED}, each field that differs; empty otherwise
 */
public record Change(Action action, String kind, String name, List<FieldChange> fields) {
  public Change {
    Objects.requireNonNull(action, "action");
    fields = List.copyOf(fields);
  }

  /** What happened to the definition. */
  public enum Action {
    ADDED,
    CHANGED,
    REMOVED
  }

  /**
   * One field's value before and after; null on a side where the field is absent.
   *
   * @param path e.g. {@code features.amount_avg_30d.window}
   */
  public record FieldChange(String path, String before, String after) {}
}
