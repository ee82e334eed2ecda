package dev.quiver.core.quality;

import dev.quiver.core.QuiverException;
import dev.quiver.core.expr.CompiledExpression;
import dev.quiver.core.expr.ExpressionParser;
import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.OnFail;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValidationRule;
import dev.quiver.core.model.ValueType;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * The checking kernel: a view version's validation rules, compiled once, applied to rows by every
 * entry path (materialization, push, stream ingestion, training sets), so a rule means the same
 * everywhere. A caller binds the view's column features to slots of its rows ({@link #start}), hands
 * each row to {@link Run#admit} (false: a {@code skip_row} rule dropped it) and ends with {@link
 * Run#finish}, which judges the run rules and gives one {@link RuleResult} per rule.
 *
 * <p>Semantics (docs/validation.md): a null value passes every rule but {@code not_null}; {@code
 * min}/{@code max} compare numbers exactly (int64 beyond 2^53 too) and a NaN fails both; {@code
 * allowed} compares by value in the feature's type (int32 = int64 by number); {@code pattern} must
 * match the whole string; {@code expr} fails only on false (null passes). Immutable and thread-safe;
 * a {@link Run} is for one thread.
 */
public final class ViewRules {
  /** Failing values kept per rule and run, as samples. */
  public static final int SAMPLES = 5;

  private static final int RECENT_SIZE = 64;
  /** The last views compiled by {@link #cached}, by identity; guarded by itself. */
  private static final ViewRules[] RECENT = new ViewRules[RECENT_SIZE];
  private static int next;

  private final FeatureView view;
  private final List<ValidationRule> rules;
  private final List<ColumnFeature> columns;
  private final Check[] checks;

  private ViewRules(FeatureView view) {
    this.view = view;
    this.rules = view.rules();
    this.columns = view.features().stream().filter(f -> f instanceof ColumnFeature).map(f -> (ColumnFeature) f).toList();
    this.checks = new Check[rules.size()];
    for (int i = 0; i < rules.size(); i++) {
      checks[i] = compile(rules.get(i));
    }
  }

  /**
   * The rules of a validated view version (its features typed).
   *
   * @throws QuiverException when a rule does not fit the view (the validator reports that at apply)
   */
  public static ViewRules of(FeatureView view) {
    return new ViewRules(view);
  }

  /**
   * Like {@link #of}, but answers the same instance for the same {@code FeatureView} object (by
   * identity) among the last {@value #RECENT_SIZE} compiled, so a path that checks every request (a
   * push, a stream batch) over a decoded registry version compiles its patterns and expressions once.
   */
  public static ViewRules cached(FeatureView view) {
    synchronized (RECENT) {
      for (ViewRules r : RECENT) {
        if (r != null && r.view == view) {
          return r;
        }
      }
    }
    ViewRules compiled = new ViewRules(view);
    synchronized (RECENT) {
      RECENT[next] = compiled;
      next = (next + 1) % RECENT.length;
    }
    return compiled;
  }

  public FeatureView view() {
    return view;
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /** True when some rule's {@code on_fail} is {@code fail}. */
  public boolean canFail() {
    return rules.stream().anyMatch(r -> r.onFail() == OnFail.FAIL);
  }

  /** True when some rule judges rows one by one (a push or a stream batch checks only these and null rates). */
  public boolean hasRowRules() {
    return rules.stream().anyMatch(r -> r.feature() != null);
  }

  /** The view's column features, in view order: the values a row must bind. */
  public List<ColumnFeature> columns() {
    return columns;
  }

  /**
   * Starts checking one run.
   *
   * @param entry {@code materialize}, {@code push}, {@code stream} or {@code training_set}
   * @param slot where a column feature's value is in the rows given to {@link Run#admit}
   * @param runRules whether {@code row_count} and {@code freshness} are judged (materialization)
   */
  public Run start(String entry, ToIntFunction<ColumnFeature> slot, boolean runRules) {
    int[] slots = new int[columns.size()];
    for (int i = 0; i < slots.length; i++) {
      slots[i] = slot.applyAsInt(columns.get(i));
    }
    return new Run(entry, slots, runRules);
  }

  /** One run's tallies. Not thread-safe. */
  public final class Run {
    private final String entry;
    private final int[] slots;
    private final boolean runRules;
    private final long[] failed = new long[rules.size()];
    private final long[] nulls = new long[rules.size()];
    private final List<Set<String>> samples = new ArrayList<>();
    private final Object[] scratch = new Object[columns.size()];
    private long rows;

    private Run(String entry, int[] slots, boolean runRules) {
      this.entry = entry;
      this.slots = slots;
      this.runRules = runRules;
      for (int i = 0; i < rules.size(); i++) {
        samples.add(new LinkedHashSet<>());
      }
    }

    /** Checks one row; false when a failing {@code skip_row} rule drops it. */
    public boolean admit(Object[] row) {
      rows++;
      for (int c = 0; c < slots.length; c++) {
        scratch[c] = row[slots[c]];
      }
      boolean keep = true;
      for (int i = 0; i < checks.length; i++) {
        Check check = checks[i];
        if (check == null) {
          continue;
        }
        Object value = scratch[check.column];
        if (value == null) {
          nulls[i]++;
        }
        if (!check.passes(value, scratch)) {
          failed[i]++;
          if (samples.get(i).size() < SAMPLES) {
            samples.get(i).add(text(value));
          }
          if (rules.get(i).onFail() == OnFail.SKIP_ROW) {
            keep = false;
          }
        }
      }
      return keep;
    }

    /** Rows checked so far. */
    public long rows() {
      return rows;
    }

    /**
     * One result per rule (run rules only when this run judges them).
     *
     * @param newest the newest event time the run brought in, or null when none
     * @param now the time the run is checked at
     * @param runRows what {@code row_count} counts: a materialization's source rows in range
     */
    public List<RuleResult> finish(Instant newest, Instant now, long runRows) {
      List<RuleResult> out = new ArrayList<>(rules.size());
      for (int i = 0; i < rules.size(); i++) {
        ValidationRule r = rules.get(i);
        long bad = failed[i];
        List<String> sample = List.copyOf(samples.get(i));
        long checked = rows;
        switch (r) {
          case ValidationRule.NotNull n when n.maxNullRate() != null -> {
            bad = nulls[i];
            boolean over = rows > 0 && (double) bad / rows > n.maxNullRate();
            out.add(result(now, r, checked, bad, bad == 0 ? List.of() : List.of("null rate " + rate(bad, rows)), over));
            continue;
          }
          case ValidationRule.RowCount c -> {
            if (!runRules) {
              continue;
            }
            boolean outside = (c.min() != null && runRows < c.min()) || (c.max() != null && runRows > c.max());
            out.add(result(now, r, runRows, outside ? 1 : 0, List.of("rows " + runRows), outside));
            continue;
          }
          case ValidationRule.Freshness f -> {
            if (!runRules) {
              continue;
            }
            boolean stale = newest == null || newest.isBefore(now.minus(f.maxAge()));
            out.add(result(now, r, rows, stale ? 1 : 0,
                List.of(newest == null ? "no rows" : "newest event " + newest), stale));
            continue;
          }
          default -> { }
        }
        out.add(result(now, r, checked, bad, sample, bad > 0));
      }
      return out;
    }

    private RuleResult result(Instant now, ValidationRule r, long checked, long bad, List<String> sample, boolean failedRule) {
      RuleResult.Outcome outcome = !failedRule ? RuleResult.Outcome.PASSED : switch (r.onFail()) {
        case WARN -> RuleResult.Outcome.WARNED;
        case SKIP_ROW -> RuleResult.Outcome.SKIPPED;
        case FAIL -> RuleResult.Outcome.FAILED;
      };
      return new RuleResult(now, entry, view.qualifiedName(), r.feature(), r.kind(), r.argument(), r.onFail().spelling(),
          checked, bad, failedRule ? sample : List.of(), outcome);
    }
  }

  /** True when a result of the run failed a {@code fail} rule. */
  public static boolean failed(List<RuleResult> results) {
    return results.stream().anyMatch(r -> r.outcome() == RuleResult.Outcome.FAILED);
  }

  private static String rate(long part, long whole) {
    return String.format(java.util.Locale.ROOT, "%.4f (%d of %d)", (double) part / whole, part, whole);
  }

  static String text(Object v) {
    return switch (v) {
      case null -> "null";
      case String s -> '"' + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + '"';
      case byte[] b -> "bytes[" + b.length + "]";
      default -> String.valueOf(v);
    };
  }

  // ---- compiled rules -------------------------------------------------------------------------

  /** One compiled row rule over column {@code column} (an index into {@link #columns}). */
  private abstract static class Check {
    final int column;

    Check(int column) {
      this.column = column;
    }

    /** True when the row passes; {@code row} holds the column features' values in view order. */
    abstract boolean passes(Object value, Object[] row);
  }

  private Check compile(ValidationRule r) {
    if (r.feature() == null) {
      return null; // a run rule
    }
    int column = columnIndex(r.feature());
    ValueType type = columns.get(column).type();
    return switch (r) {
      case ValidationRule.NotNull n -> n.maxNullRate() != null ? new Check(column) {
        @Override
        boolean passes(Object value, Object[] row) {
          return true; // a null rate is judged when the run ends
        }
      } : new Check(column) {
        @Override
        boolean passes(Object value, Object[] row) {
          return value != null;
        }
      };
      case ValidationRule.Min m -> bound(column, type, m.value(), true);
      case ValidationRule.Max m -> bound(column, type, m.value(), false);
      case ValidationRule.Allowed a -> {
        Set<Object> allowed = new HashSet<>();
        for (String text : a.values()) {
          allowed.add(RuleValues.allowed(type, text).orElseThrow(() -> new QuiverException("view " + view.qualifiedName()
              + ": allowed value '" + text + "' is not a " + type.spelling())));
        }
        yield new Check(column) {
          @Override
          boolean passes(Object value, Object[] row) {
            return value == null || allowed.contains(RuleValues.canonical(type, value));
          }
        };
      }
      case ValidationRule.Pattern p -> {
        java.util.regex.Pattern regex = java.util.regex.Pattern.compile(p.regex());
        yield new Check(column) {
          @Override
          boolean passes(Object value, Object[] row) {
            return value == null || regex.matcher(value.toString()).matches();
          }
        };
      }
      case ValidationRule.Expr e -> {
        CompiledExpression compiled = CompiledExpression.compile(ExpressionParser.parse(e.expression()),
            columns.stream().map(Feature::name).toList(), columns.stream().map(Feature::type).toList());
        yield new Check(column) {
          @Override
          boolean passes(Object value, Object[] row) {
            return !Boolean.FALSE.equals(compiled.evaluate(row));
          }
        };
      }
      case ValidationRule.RowCount c -> null;
      case ValidationRule.Freshness f -> null;
    };
  }

  private int columnIndex(String feature) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(feature)) {
        return i;
      }
    }
    throw new QuiverException("view " + view.qualifiedName() + " has a validation rule on '" + feature
        + "', which is not one of its column features");
  }

  private static Check bound(int column, ValueType type, BigDecimal bound, boolean min) {
    if (!type.isNumeric()) {
      throw new QuiverException("min/max need a numeric feature, not " + type.spelling());
    }
    return new Check(column) {
      @Override
      boolean passes(Object value, Object[] row) {
        if (value == null) {
          return true;
        }
        Optional<BigDecimal> v = RuleValues.exact((Number) value);
        if (v.isEmpty()) { // NaN or infinite
          double d = ((Number) value).doubleValue();
          return !Double.isNaN(d) && (min ? d > 0 : d < 0);
        }
        int c = v.get().compareTo(bound);
        return min ? c >= 0 : c <= 0;
      }
    };
  }

  /** The scalar type of a feature type, or null for a list. */
  static ScalarType scalar(ValueType t) {
    return t instanceof ScalarType s ? s : null;
  }
}
