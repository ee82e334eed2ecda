package dev.quiver.core.aggregate;

import dev.quiver.core.model.ValueType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The kernels over sets of values: count_distinct (an exact set), approx_count_distinct (an HLL
 * sketch, {@link HyperLogLog}) and approx_percentile (a relative-error log histogram).
 */
final class SetKernels {
  private SetKernels() {}

  /** Bytes compared by content, so they can sit in a set. */
  record Bytes(byte[] b) {
    @Override public boolean equals(Object o) {
      return o instanceof Bytes other && Arrays.equals(b, other.b);
    }

    @Override public int hashCode() {
      return Arrays.hashCode(b);
    }
  }

  static final class Distinct implements AggregateState {
    final Set<Object> values = new HashSet<>();
  }

  /**
   * count_distinct: the exact number of distinct non-null values. Floats are distinct by {@link
   * Double#equals} (all NaNs equal, -0.0 and 0.0 distinct).
   */
  static final class DistinctKernel implements Kernel<Distinct> {
    private final ValueType type;
    private final Comparator<Object> order;

    DistinctKernel(ValueType type) {
      this.type = type;
      this.order = ValueOrder.of(type);
    }

    @Override public Distinct create() {
      return new Distinct();
    }

    @Override public void add(Distinct s, Object value, long e, long c) {
      s.values.add(value instanceof byte[] b ? new Bytes(b) : value);
    }

    @Override public void merge(Distinct into, Distinct from) {
      into.values.addAll(from.values);
    }

    @Override public Distinct copy(Distinct s) {
      Distinct d = new Distinct();
      d.values.addAll(s.values);
      return d;
    }

    @Override public Object finish(Distinct s) {
      return (long) s.values.size();
    }

    @Override public void write(Distinct s, StateCodec.Sink out) {
      List<Object> sorted = new ArrayList<>(s.values.size());
      s.values.forEach(v -> sorted.add(v instanceof Bytes b ? b.b() : v));
      sorted.sort(order);
      out.varint(sorted.size());
      sorted.forEach(v -> out.value(type, v));
    }

    @Override public Distinct read(StateCodec.Source in) {
      Distinct d = new Distinct();
      int n = in.count(2);
      for (int i = 0; i < n; i++) {
        add(d, in.value(type), 0, 0);
      }
      return d;
    }
  }

  static final class Hll implements AggregateState {
    HyperLogLog sketch = new HyperLogLog();
  }

  /**
   * approx_count_distinct: a {@link HyperLogLog} sketch. Each value is hashed through its state
   * bytes, so equal values hash alike on every path; any split and merge order give the same
   * registers and so the same estimate.
   */
  static final class HllKernel implements Kernel<Hll> {
    private final ValueType type;

    HllKernel(ValueType type) {
      this.type = type;
    }

    @Override public Hll create() {
      return new Hll();
    }

    @Override public void add(Hll s, Object value, long e, long c) {
      StateCodec.Sink b = new StateCodec.Sink();
      b.value(type, value);
      s.sketch.addBytes(b.toByteArray());
    }

    @Override public void merge(Hll into, Hll from) {
      into.sketch.merge(from.sketch);
    }

    @Override public Hll copy(Hll s) {
      Hll h = new Hll();
      h.sketch = s.sketch.copy();
      return h;
    }

    @Override public Object finish(Hll s) {
      return s.sketch.estimate();
    }

    @Override public void write(Hll s, StateCodec.Sink out) {
      s.sketch.write(out);
    }

    @Override public Hll read(StateCodec.Source in) {
      Hll h = new Hll();
      h.sketch = HyperLogLog.read(in);
      return h;
    }
  }

  /** Counts per log bucket of |x|, for each sign, and the special values. */
  static final class Histogram implements AggregateState {
    final TreeMap<Integer, Long> positive = new TreeMap<>();
    final TreeMap<Integer, Long> negative = new TreeMap<>();
    long zeros;
    long nans;
    long positiveInfinities;
    long negativeInfinities;

    long total() {
      long n = zeros + nans + positiveInfinities + negativeInfinities;
      for (long c : positive.values()) {
        n += c;
      }
      for (long c : negative.values()) {
        n += c;
      }
      return n;
    }
  }

  /**
   * approx_percentile: a log histogram with relative accuracy {@value #ALPHA} (as DDSketch): a
   * finite x ≠ 0 falls in bucket {@code ceil(log|x| / log γ)}, γ = (1 + α) / (1 − α), computed with
   * {@link StrictMath} so every JVM agrees; merging adds counts, so any split and order give the
   * same histogram. The result is the nearest-rank percentile — the value of rank {@code ceil(p·n)}
   * in the order of {@link ValueOrder} — reported as its bucket's representative {@code ±2γ^i/(γ+1)},
   * within a factor 1 ± α of it (0, ±infinity and NaN exactly).
   */
  static final class PercentileKernel implements Kernel<Histogram> {
    static final double ALPHA = 0.01;
    private static final double GAMMA = (1 + ALPHA) / (1 - ALPHA);
    private static final double LOG_GAMMA = StrictMath.log(GAMMA);
    private final double p;

    PercentileKernel(double p) {
      this.p = p;
    }

    static int bucket(double magnitude) {
      return (int) StrictMath.ceil(StrictMath.log(magnitude) / LOG_GAMMA);
    }

    static double representative(int bucket) {
      return 2 * StrictMath.pow(GAMMA, bucket) / (GAMMA + 1);
    }

    @Override public Histogram create() {
      return new Histogram();
    }

    @Override public void add(Histogram s, Object value, long e, long c) {
      double x = ((Number) value).doubleValue();
      if (Double.isNaN(x)) {
        s.nans++;
      } else if (x == Double.POSITIVE_INFINITY) {
        s.positiveInfinities++;
      } else if (x == Double.NEGATIVE_INFINITY) {
        s.negativeInfinities++;
      } else if (x == 0) {
        s.zeros++;
      } else {
        (x > 0 ? s.positive : s.negative).merge(bucket(Math.abs(x)), 1L, Long::sum);
      }
    }

    @Override public void merge(Histogram into, Histogram from) {
      from.positive.forEach((b, n) -> into.positive.merge(b, n, Long::sum));
      from.negative.forEach((b, n) -> into.negative.merge(b, n, Long::sum));
      into.zeros += from.zeros;
      into.nans += from.nans;
      into.positiveInfinities += from.positiveInfinities;
      into.negativeInfinities += from.negativeInfinities;
    }

    @Override public Histogram copy(Histogram s) {
      Histogram h = new Histogram();
      merge(h, s);
      return h;
    }

    @Override public Object finish(Histogram s) {
      long n = s.total();
      if (n == 0) {
        return null;
      }
      long rank = Math.max(1, (long) Math.ceil(p * n));
      long seen = s.negativeInfinities;
      if (rank <= seen) {
        return Double.NEGATIVE_INFINITY;
      }
      for (Map.Entry<Integer, Long> b : s.negative.descendingMap().entrySet()) {
        seen += b.getValue();
        if (rank <= seen) {
          return -representative(b.getKey());
        }
      }
      seen += s.zeros;
      if (rank <= seen) {
        return 0.0;
      }
      for (Map.Entry<Integer, Long> b : s.positive.entrySet()) {
        seen += b.getValue();
        if (rank <= seen) {
          return representative(b.getKey());
        }
      }
      seen += s.positiveInfinities;
      return rank <= seen ? Double.POSITIVE_INFINITY : Double.NaN;
    }

    @Override public void write(Histogram s, StateCodec.Sink out) {
      out.varint(s.zeros);
      out.varint(s.nans);
      out.varint(s.positiveInfinities);
      out.varint(s.negativeInfinities);
      writeBuckets(s.positive, out);
      writeBuckets(s.negative, out);
    }

    private static void writeBuckets(TreeMap<Integer, Long> buckets, StateCodec.Sink out) {
      out.varint(buckets.size());
      for (Map.Entry<Integer, Long> b : buckets.entrySet()) {
        out.zigzag(b.getKey());
        out.varint(b.getValue());
      }
    }

    @Override public Histogram read(StateCodec.Source in) {
      Histogram h = new Histogram();
      h.zeros = in.varint();
      h.nans = in.varint();
      h.positiveInfinities = in.varint();
      h.negativeInfinities = in.varint();
      readBuckets(h.positive, in);
      readBuckets(h.negative, in);
      return h;
    }

    private static void readBuckets(TreeMap<Integer, Long> buckets, StateCodec.Source in) {
      int n = in.count(2);
      for (int i = 0; i < n; i++) {
        buckets.put((int) in.zigzag(), in.varint());
      }
    }
  }
}
