package dev.quiver.core.model;

import java.util.Locale;
import java.util.Optional;

/**
 * What a failing {@link ValidationRule} does where data enters (docs/validation.md).
 *
 * <ul>
 *   <li>{@link #WARN} (the default): the data goes in; the failure is recorded, logged and counted.
 *   <li>{@link #SKIP_ROW}: the failing rows are left out of what is written, and counted. Only for
 *       rules that judge one row; a rule over a whole run (a null rate, a row count, freshness)
 *       cannot drop a row.
 *   <li>{@link #FAIL}: nothing of the run (the view's materialization, the push) is written, and
 *       the error names the rule, the feature, a sample value and the number of failing rows.
 * </ul>
 */
public enum OnFail {
  WARN, SKIP_ROW, FAIL;

  /** The definition spelling: {@code warn}, {@code skip_row}, {@code fail}. */
  public String spelling() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<OnFail> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    for (OnFail f : values()) {
      if (f.spelling().equals(text.strip().toLowerCase(Locale.ROOT))) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }
}
