package dev.quiver.core.model;

import java.util.Locale;
import java.util.Optional;

/** The window aggregate functions. All are mergeable, which the online tiles rely on. */
public enum AggregateFunction {
  COUNT,
  SUM,
  AVG,
  MIN,
  MAX,
  FIRST,
  LAST,
  STDDEV,
  VARIANCE,
  COUNT_DISTINCT,
  LAST_K,
  APPROX_COUNT_DISTINCT,
  APPROX_PERCENTILE;

  public String spelling() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** True when the function reads a column; only {@code count} may omit it (it counts rows). */
  /** The value over no rows: 0 for count, count_distinct and approx_count_distinct, else null (DESIGN §3). */
  public Object emptyValue() {
    return this == COUNT || this == COUNT_DISTINCT || this == APPROX_COUNT_DISTINCT ? (Object) 0L : null;
  }

  public boolean needsColumn() {
    return this != COUNT;
  }

  /** True when the input column must be numeric. */
  public boolean needsNumeric() {
    return switch (this) {
      case SUM, AVG, STDDEV, VARIANCE, APPROX_PERCENTILE -> true;
      default -> false;
    };
  }

  /** True when the input column must be orderable. */
  public boolean needsOrderable() {
    return this == MIN || this == MAX;
  }

  /**
   * The result type for an input column of the given type (null input type means no column,
   * i.e. {@code count} of rows).
   */
  public ValueType resultType(ValueType input) {
    return switch (this) {
      case COUNT, COUNT_DISTINCT, APPROX_COUNT_DISTINCT -> ScalarType.INT64;
      case AVG, STDDEV, VARIANCE, APPROX_PERCENTILE -> ScalarType.FLOAT64;
      case SUM ->
          input instanceof ScalarType s && s.isIntegral() ? ScalarType.INT64 : ScalarType.FLOAT64;
      case MIN, MAX, FIRST, LAST -> input;
      case LAST_K -> input instanceof ScalarType s ? new ListType(s) : input;
    };
  }

  public static Optional<AggregateFunction> parse(String s) {
    if (s == null) {
      return Optional.empty();
    }
    String n = s.strip().toUpperCase(Locale.ROOT).replace('-', '_');
    if (n.equals("MEAN")) {
      return Optional.of(AVG);
    }
    if (n.equals("STDDEV_SAMP") || n.equals("STD")) {
      return Optional.of(STDDEV);
    }
    if (n.equals("VAR")) {
      return Optional.of(VARIANCE);
    }
    for (AggregateFunction f : values()) {
      if (f.name().equals(n)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  public static String spellings() {
    StringBuilder b = new StringBuilder();
    for (AggregateFunction f : values()) {
      if (!b.isEmpty()) {
        b.append(", ");
      }
      b.append(f.spelling());
    }
    return b.toString();
  }
}
