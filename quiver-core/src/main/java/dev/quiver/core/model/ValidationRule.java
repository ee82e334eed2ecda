package dev.quiver.core.model;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A data-quality rule of a feature view, checked where data enters (materialization, push, stream
 * ingestion, training sets; docs/validation.md). Feature rules name a column feature of the view
 * and judge its values; view rules ({@link RowCount}, {@link Freshness}) judge a whole run. A null
 * value passes every feature rule except {@link NotNull}, as in a SQL {@code CHECK}: nulls are the
 * business of {@code not_null}.
 *
 * <p>Rules are part of the view's definition and go through plan and apply; changing one is never a
 * breaking change (it changes what is admitted, not what a feature means).
 */
public sealed interface ValidationRule extends java.io.Serializable
    permits ValidationRule.NotNull, ValidationRule.Min, ValidationRule.Max, ValidationRule.Allowed,
        ValidationRule.Pattern, ValidationRule.Expr, ValidationRule.RowCount, ValidationRule.Freshness {

  /** The feature judged; null for a view rule. */
  String feature();

  OnFail onFail();

  /** The definition key: {@code not_null}, {@code min}, {@code max}, {@code allowed}, {@code pattern}, {@code expr}, {@code row_count}, {@code freshness}. */
  String kind();

  /** The rule's argument as a person reads it ({@code 0}, {@code [US, FR]}, {@code 1..1000}). */
  String argument();

  /** True when the rule judges one row at a time (so {@link OnFail#SKIP_ROW} can drop the row). */
  default boolean perRow() {
    return true;
  }

  /** {@code kind(argument)} and the feature, for messages: {@code min(0) on amount}. */
  default String describe() {
    return kind() + "(" + argument() + ")" + (feature() == null ? "" : " on " + feature());
  }

  /**
   * The value must not be null. With {@code maxNullRate} null, every null row fails (a row rule);
   * with a rate, the run fails when more than that share of its rows are null (a run rule).
   */
  record NotNull(String feature, Double maxNullRate, OnFail onFail) implements ValidationRule {
    public NotNull {
      Objects.requireNonNull(feature, "feature");
      onFail = Objects.requireNonNullElse(onFail, OnFail.WARN);
    }

    @Override
    public String kind() {
      return "not_null";
    }

    @Override
    public String argument() {
      return maxNullRate == null ? "true" : "max rate " + maxNullRate;
    }

    @Override
    public boolean perRow() {
      return maxNullRate == null;
    }
  }

  /** A numeric value must be at least {@code value} (NaN fails). */
  record Min(String feature, BigDecimal value, OnFail onFail) implements ValidationRule {
    public Min {
      Objects.requireNonNull(feature, "feature");
      value = Objects.requireNonNull(value, "value").stripTrailingZeros(); // 1e3 and 1000.0 are one bound
      onFail = Objects.requireNonNullElse(onFail, OnFail.WARN);
    }

    @Override
    public String kind() {
      return "min";
    }

    @Override
    public String argument() {
      return value.toPlainString();
    }
  }

  /** A numeric value must be at most {@code value} (NaN fails). */
  record Max(String feature, BigDecimal value, OnFail onFail) implements ValidationRule {
    public Max {
      Objects.requireNonNull(feature, "feature");
      value = Objects.requireNonNull(value, "value").stripTrailingZeros(); // 1e3 and 1000.0 are one bound
      onFail = Objects.requireNonNullElse(onFail, OnFail.WARN);
    }

    @Override
    public String kind() {
      return "max";
    }

    @Override
    public String argument() {
      return value.toPlainString();
    }
  }

  /**
   * The value must be one of {@code values}, written as in YAML ({@code [US, FR]}, {@code [1, 2]},
   * {@code [true]}); compared by value in the feature's type (int32 = int64 by number).
   */
  record Allowed(String feature, List<String> values, OnFail onFail) implements ValidationRule {
    public Allowed {
      Objects.requireNonNull(feature, "feature");
      values = List.copyOf(values);
      onFail = Objects.requireNonNullElse(onFail, OnFail.WARN);
    }

    @Override
    public String kind() {
      return "allowed";
    }

    @Override
    public String argument() {
      return "[" + String.join(", ", values) + "]";
    }
  }

  /** A string value must match {@code regex} as a whole ({@link java.util.regex.Matcher#matches()}). */
  record Pattern(String feature, String regex, OnFail onFail) implements ValidationRule {
    public Pattern {
      Objects.requireNonNull(feature, "feature");
      Objects.requireNonNull(regex, "regex");
      onFail = Objects.requireNonNullElse(onFail, OnFail.WARN);
    }

    @Override
    public String kind() {
      return "pattern";
    }

    @Override
    public String argument() {
      return regex;
    }
  }

  /**
   * A condition (docs/expressions.md) over the view's column features, by name, that must hold; a
   * null result passes (as in SQL {@code CHECK}).
   */
  record Expr(String feature, String expression, OnFail onFail) implements ValidationRule {
    public Expr {
      Objects.requireNonNull(feature, "feature");
      Objects.requireNonNull(expression, "expression");
      onFail = Objects.requireNonNullElse(onFail, OnFail.WARN);
    }

    @Override
    public String kind() {
      return "expr";
    }

    @Override
    public String argument() {
      return expression;
    }
  }

  /** The rows one run brings in (a materialization's latest rows, a push's rows) must be within bounds; null for no bound. */
  record RowCount(Long min, Long max, OnFail onFail) implements ValidationRule {
    public RowCount {
      onFail = Objects.requireNonNullElse(onFail, OnFail.WARN);
    }

    @Override
    public String feature() {
      return null;
    }

    @Override
    public String kind() {
      return "row_count";
    }

    @Override
    public String argument() {
      return (min == null ? "" : min) + ".." + (max == null ? "" : max);
    }

    @Override
    public boolean perRow() {
      return false;
    }
  }

  /** The newest event time a run brings in must be at most {@code maxAge} before now. */
  record Freshness(Duration maxAge, OnFail onFail) implements ValidationRule {
    public Freshness {
      Objects.requireNonNull(maxAge, "maxAge");
      onFail = Objects.requireNonNullElse(onFail, OnFail.WARN);
    }

    @Override
    public String feature() {
      return null;
    }

    @Override
    public String kind() {
      return "freshness";
    }

    @Override
    public String argument() {
      return Durations.format(maxAge);
    }

    @Override
    public boolean perRow() {
      return false;
    }
  }
}
