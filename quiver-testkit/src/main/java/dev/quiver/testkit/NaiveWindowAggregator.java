package dev.quiver.testkit;

import dev.quiver.core.aggregate.Aggregator;
import dev.quiver.core.aggregate.AggregateState;
import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.model.Window;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The reference window aggregator: for one entity's rows and one query time t, it filters the rows
 * in the window {@code [align(t − W, H), t)} and computes the function directly — no tiles, no
 * merges, no incremental state — written to be obviously correct, not fast. Sums are exact
 * ({@link BigInteger}, {@link BigDecimal}) and rounded once; variance is {@code round(n·ΣX² − (ΣX)²)
 * / n / (n − 1)} from exact sums (the sample variance; null below two values); ties between rows of
 * equal {@code (event_ts, created_ts)} are broken by the rows' positions, their order in the list
 * given (the later wins), as DESIGN §3 ("Ties") and {@link Aggregator} state it.
 *
 * <p>The two approximate functions have no exact "right answer" to compare with bit for bit, so
 * {@link #value} gives the kernel's result over the window's rows in one pass (in row order), and
 * {@link #exact} gives the exact distinct count or nearest-rank percentile that the approximation
 * must be close to. Stateless and thread-safe.
 */
public final class NaiveWindowAggregator {
  private NaiveWindowAggregator() {}

  /**
   * One source row of an entity.
   *
   * @param created null when the source has no created time (older than any time)
   * @param value the column's value, Java types as {@link dev.quiver.core.offline.HistoricalRows}
   */
  public record Row(Instant event, Instant created, Object value) {}

  /** The first event time in the window at t, or null for a lifetime window. */
  public static Instant windowStart(Aggregation agg, Instant t) {
    if (agg.window() instanceof Window.Fixed f) {
      long start = Timestamps.toMicros(t.minus(f.length()));
      long hop = agg.effectiveHop().toNanos() / 1_000;
      return Timestamps.ofMicros(Math.floorDiv(start, hop) * hop);
    }
    return null;
  }

  /** The rows in the window at t (null t: none). */
  public static List<Row> inWindow(Aggregation agg, List<Row> rows, Instant t) {
    List<Row> out = new ArrayList<>();
    if (t == null) {
      return out;
    }
    Instant start = windowStart(agg, t);
    for (Row r : rows) {
      if (r.event() != null && r.event().isBefore(t) && (start == null || !r.event().isBefore(start))) {
        out.add(r);
      }
    }
    return out;
  }

  /**
   * The aggregate at t over an entity's rows, in position order (offline: files in sorted path
   * order, rows in file order; then rows written later): of rows with equal times, the later in the
   * list is the later row for first, last and last_k.
   *
   * @param input the column's type; null for count of rows
   */
  public static Object value(Aggregation agg, ValueType input, List<Row> rows, Instant t) {
    List<Row> window = inWindow(agg, rows, t);
    AggregateFunction fn = agg.function();
    if (fn == AggregateFunction.COUNT && input == null) {
      return (long) window.size();
    }
    List<Row> present = window.stream().filter(r -> r.value() != null).toList();
    List<Object> values = present.stream().map(Row::value).toList();
    boolean integral = input instanceof ScalarType s && s.isIntegral();
    return switch (fn) {
      case COUNT -> (long) values.size();
      case SUM -> {
        if (values.isEmpty()) {
          yield null;
        }
        yield integral ? (Object) integerSum(values).longValueExact() : (Object) doubleSum(values);
      }
      case AVG -> {
        if (values.isEmpty()) {
          yield null;
        }
        yield integral ? (Object) (integerSum(values).longValueExact() / (double) values.size())
            : (Object) (doubleSum(values) / values.size());
      }
      case VARIANCE -> variance(values);
      case STDDEV -> {
        Double v = variance(values);
        yield v == null ? null : Math.sqrt(v);
      }
      case MIN -> values.stream().min(order(input)).orElse(null);
      case MAX -> values.stream().max(order(input)).orElse(null);
      case FIRST -> present.isEmpty() ? null : inRowOrder(present).getFirst().value();
      case LAST -> present.isEmpty() ? null : inRowOrder(present).getLast().value();
      case LAST_K -> {
        if (present.isEmpty()) {
          yield null;
        }
        List<Row> newest = inRowOrder(present).reversed();
        yield newest.subList(0, Math.min(agg.k(), newest.size())).stream().map(Row::value).toList();
      }
      case COUNT_DISTINCT -> (long) distinct(values).size();
      case APPROX_COUNT_DISTINCT, APPROX_PERCENTILE -> {
        Aggregator kernel = Aggregator.of(agg, input);
        AggregateState s = kernel.newState();
        for (Row r : window) {
          kernel.add(s, r.value(), Timestamps.toMicros(r.event()), r.created() == null ? Long.MIN_VALUE : Timestamps.toMicros(r.created()));
        }
        yield kernel.finish(s);
      }
    };
  }

  /**
   * The exact quantity an approximate function estimates: the number of distinct values, or the
   * nearest-rank percentile (the value of rank {@code ceil(p·n)} in ascending order). For other
   * functions, the same as {@link #value}.
   */
  public static Object exact(Aggregation agg, ValueType input, List<Row> rows, Instant t) {
    List<Object> values = inWindow(agg, rows, t).stream().map(Row::value).filter(v -> v != null).toList();
    return switch (agg.function()) {
      case APPROX_COUNT_DISTINCT -> (long) distinct(values).size();
      case APPROX_PERCENTILE -> {
        if (values.isEmpty()) {
          yield null;
        }
        double[] sorted = values.stream().mapToDouble(v -> ((Number) v).doubleValue()).sorted().toArray();
        long rank = Math.max(1, (long) Math.ceil(agg.percentile() * sorted.length));
        yield sorted[(int) rank - 1];
      }
      default -> value(agg, input, rows, t);
    };
  }

  private static BigInteger integerSum(List<Object> values) {
    BigInteger sum = BigInteger.ZERO;
    for (Object v : values) {
      sum = sum.add(BigInteger.valueOf(((Number) v).longValue()));
    }
    return sum;
  }

  /** The exact sum rounded once; NaN if any NaN or both infinities, else an infinity wins. */
  private static double doubleSum(List<Object> values) {
    Double special = special(values);
    if (special != null) {
      return special;
    }
    BigDecimal sum = BigDecimal.ZERO;
    for (Object v : values) {
      sum = sum.add(new BigDecimal(((Number) v).doubleValue()));
    }
    return sum.doubleValue();
  }

  private static Double special(List<Object> values) {
    boolean nan = false;
    boolean plus = false;
    boolean minus = false;
    for (Object v : values) {
      double x = ((Number) v).doubleValue();
      nan |= Double.isNaN(x);
      plus |= x == Double.POSITIVE_INFINITY;
      minus |= x == Double.NEGATIVE_INFINITY;
    }
    if (nan || (plus && minus)) {
      return Double.NaN;
    }
    if (plus) {
      return Double.POSITIVE_INFINITY;
    }
    if (minus) {
      return Double.NEGATIVE_INFINITY;
    }
    return null;
  }

  private static Double variance(List<Object> values) {
    int n = values.size();
    if (n < 2) {
      return null;
    }
    if (special(values) != null) {
      return Double.NaN;
    }
    BigDecimal s1 = BigDecimal.ZERO;
    BigDecimal s2 = BigDecimal.ZERO;
    for (Object v : values) {
      BigDecimal x = new BigDecimal(((Number) v).doubleValue());
      s1 = s1.add(x);
      s2 = s2.add(x.multiply(x));
    }
    double numerator = s2.multiply(BigDecimal.valueOf(n)).subtract(s1.multiply(s1)).doubleValue();
    return numerator / n / (n - 1);
  }

  private static Set<Object> distinct(List<Object> values) {
    Set<Object> set = new HashSet<>();
    for (Object v : values) {
      set.add(v instanceof byte[] b ? "bytes:" + HexFormat.of().formatHex(b) : v);
    }
    return set;
  }

  /** The rows sorted by event time, created time (none = oldest), then position (a stable sort keeps the list order). */
  private static List<Row> inRowOrder(List<Row> rows) {
    List<Row> sorted = new ArrayList<>(rows);
    sorted.sort((a, b) -> {
      int c = a.event().compareTo(b.event());
      return c != 0 ? c : Long.compare(a.created() == null ? Long.MIN_VALUE : Timestamps.toMicros(a.created()),
          b.created() == null ? Long.MIN_VALUE : Timestamps.toMicros(b.created()));
    });
    return sorted;
  }

  /** The total value order of DESIGN §3 (numbers as Double.compare / Float.compare; lists element-wise). */
  @SuppressWarnings("unchecked")
  static Comparator<Object> order(ValueType type) {
    if (type instanceof ListType l) {
      Comparator<Object> element = order(l.element());
      return (a, b) -> {
        List<Object> x = (List<Object>) a;
        List<Object> y = (List<Object>) b;
        for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
          Object p = x.get(i);
          Object q = y.get(i);
          int c = p == null ? (q == null ? 0 : -1) : q == null ? 1 : element.compare(p, q);
          if (c != 0) {
            return c;
          }
        }
        return Integer.compare(x.size(), y.size());
      };
    }
    return switch ((ScalarType) type) {
      case INT32, INT64 -> Comparator.comparingLong(v -> ((Number) v).longValue());
      case FLOAT32 -> (a, b) -> Float.compare((Float) a, (Float) b);
      case FLOAT64 -> (a, b) -> Double.compare((Double) a, (Double) b);
      case BOOL -> (a, b) -> Boolean.compare((Boolean) a, (Boolean) b);
      case STRING -> (a, b) -> ((String) a).compareTo((String) b);
      case BYTES -> (a, b) -> Arrays.compareUnsigned((byte[]) a, (byte[]) b);
      case TIMESTAMP -> (a, b) -> ((Instant) a).compareTo((Instant) b);
    };
  }
}
