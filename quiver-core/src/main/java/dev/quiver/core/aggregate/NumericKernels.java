package dev.quiver.core.aggregate;

import dev.quiver.core.QuiverException;

/**
 * count, and the numeric kernels: sum and avg of integers (an exact 64-bit sum), and sum, avg,
 * variance and stddev over {@link ExactSum}s, which makes them exact before the one final rounding.
 */
final class NumericKernels {
  private NumericKernels() {}

  /** A row count, or a non-null value count. */
  static final class Count implements AggregateState {
    long n;
  }

  static final class CountKernel implements Kernel<Count> {
    @Override public Count create() {
      return new Count();
    }

    @Override public void add(Count s, Object value, long e, long c) {
      s.n++;
    }

    @Override public void merge(Count into, Count from) {
      into.n += from.n;
    }

    @Override public Count copy(Count s) {
      Count c = new Count();
      c.n = s.n;
      return c;
    }

    @Override public Object finish(Count s) {
      return s.n;
    }

    @Override public void write(Count s, StateCodec.Sink out) {
      out.varint(s.n);
    }

    @Override public Count read(StateCodec.Source in) {
      Count c = new Count();
      c.n = in.varint();
      return c;
    }
  }

  /** The count and exact sum of integer values. */
  static final class LongSum implements AggregateState {
    long n;
    long sum;
  }

  /** sum (int64) or avg (float64: the exact sum divided by the count, rounded once) of integers. */
  static final class LongSumKernel implements Kernel<LongSum> {
    private final boolean average;
    private final String column;

    LongSumKernel(boolean average, String column) {
      this.average = average;
      this.column = column;
    }

    @Override public LongSum create() {
      return new LongSum();
    }

    @Override public void add(LongSum s, Object value, long e, long c) {
      s.n++;
      s.sum = plus(s.sum, ((Number) value).longValue());
    }

    private long plus(long a, long b) {
      long r = a + b;
      if (((a ^ r) & (b ^ r)) < 0) {
        throw new QuiverException("the sum of column '" + column + "' over a window exceeds the int64 range;"
            + " aggregate a float64 cast of the column instead");
      }
      return r;
    }

    @Override public void merge(LongSum into, LongSum from) {
      into.n += from.n;
      into.sum = plus(into.sum, from.sum);
    }

    @Override public LongSum copy(LongSum s) {
      LongSum c = new LongSum();
      c.n = s.n;
      c.sum = s.sum;
      return c;
    }

    @Override public Object finish(LongSum s) {
      if (s.n == 0) {
        return null;
      }
      return average ? (double) s.sum / (double) s.n : (Object) s.sum;
    }

    @Override public void write(LongSum s, StateCodec.Sink out) {
      out.varint(s.n);
      out.zigzag(s.sum);
    }

    @Override public LongSum read(StateCodec.Source in) {
      LongSum c = new LongSum();
      c.n = in.varint();
      c.sum = in.zigzag();
      return c;
    }
  }

  /** The count, the exact sum and (for variance) the exact sum of squares. */
  static final class Moments implements AggregateState {
    long n;
    ExactSum sum = new ExactSum();
    ExactSum squares;
  }

  enum MomentResult { SUM, AVG, VARIANCE, STDDEV }

  /**
   * sum, avg, variance and stddev of doubles (float32 and integers widened exactly, int64 beyond
   * 2^53 rounded once on the way in). Variance is the sample variance: with exact sums S1, S2 over
   * n values, {@code round(n·S2 − S1²) / n / (n − 1)}, where only the numerator's rounding happens
   * before two divisions; null below two values. Any NaN or infinity makes variance NaN.
   */
  static final class MomentsKernel implements Kernel<Moments> {
    private final MomentResult result;

    MomentsKernel(MomentResult result) {
      this.result = result;
    }

    private boolean squares() {
      return result == MomentResult.VARIANCE || result == MomentResult.STDDEV;
    }

    @Override public Moments create() {
      Moments m = new Moments();
      if (squares()) {
        m.squares = new ExactSum();
      }
      return m;
    }

    @Override public void add(Moments s, Object value, long e, long c) {
      double x = ((Number) value).doubleValue();
      s.n++;
      s.sum.add(x);
      if (s.squares != null) {
        s.squares.addProduct(x, x);
      }
    }

    @Override public void merge(Moments into, Moments from) {
      into.n += from.n;
      into.sum.add(from.sum);
      if (into.squares != null) {
        into.squares.add(from.squares);
      }
    }

    @Override public Moments copy(Moments s) {
      Moments m = new Moments();
      m.n = s.n;
      m.sum = s.sum.copy();
      m.squares = s.squares == null ? null : s.squares.copy();
      return m;
    }

    @Override public Object finish(Moments s) {
      return switch (result) {
        case SUM -> s.n == 0 ? null : s.sum.value();
        case AVG -> s.n == 0 ? null : s.sum.value() / (double) s.n;
        case VARIANCE -> variance(s);
        case STDDEV -> {
          Double v = variance(s);
          yield v == null ? null : Math.sqrt(v);
        }
      };
    }

    private static Double variance(Moments s) {
      if (s.n < 2) {
        return null;
      }
      if (!s.sum.finite() || !s.squares.finite()) {
        return Double.NaN;
      }
      double n = (double) s.n;
      ExactSum numerator = new ExactSum();
      numerator.addScaled(s.squares, n);
      numerator.subtractProduct(s.sum, s.sum);
      return numerator.value() / n / (n - 1);
    }

    @Override public void write(Moments s, StateCodec.Sink out) {
      out.varint(s.n);
      s.sum.write(out);
      if (s.squares != null) {
        s.squares.write(out);
      }
    }

    @Override public Moments read(StateCodec.Source in) {
      Moments m = new Moments();
      m.n = in.varint();
      m.sum = ExactSum.read(in);
      if (squares()) {
        m.squares = ExactSum.read(in);
      }
      return m;
    }
  }
}
