package dev.quiver.core.aggregate;

import java.util.Arrays;

/**
 * An exact sum of doubles: Shewchuk's non-overlapping partials (as Python's {@code math.fsum}), so
 * the represented value is the exact real sum of every finite input, whatever the order of additions
 * and merges, and {@link #value()} is that sum correctly rounded (half to even; an exact zero is +0.0). Non-finite inputs
 * are counted aside: any NaN, or both infinities, make the value NaN; otherwise an infinity wins.
 *
 * <p>Limit: an exact sum whose partials leave the double range (beyond about 1.8e308) is not
 * representable; such a sum reports NaN (it is flagged, not silently rounded). Not thread-safe.
 */
final class ExactSum {
  private double[] partials = new double[4];
  private int size;
  private long nans;
  private long positiveInfinities;
  private long negativeInfinities;
  private boolean overflowed;

  ExactSum() {}

  ExactSum copy() {
    ExactSum c = new ExactSum();
    c.partials = Arrays.copyOf(partials, Math.max(4, size));
    c.size = size;
    c.nans = nans;
    c.positiveInfinities = positiveInfinities;
    c.negativeInfinities = negativeInfinities;
    c.overflowed = overflowed;
    return c;
  }

  void add(double x) {
    if (!Double.isFinite(x)) {
      if (Double.isNaN(x)) {
        nans++;
      } else if (x > 0) {
        positiveInfinities++;
      } else {
        negativeInfinities++;
      }
      return;
    }
    addFinite(x);
  }

  private void addFinite(double x) {
    if (x == 0.0) {
      return; // zeros of either sign add nothing: an exact zero sum is +0.0
    }
    int i = 0;
    for (int j = 0; j < size; j++) {
      double y = partials[j];
      if (Math.abs(x) < Math.abs(y)) {
        double t = x;
        x = y;
        y = t;
      }
      double hi = x + y;
      if (Double.isInfinite(hi)) {
        overflowed = true;
        return;
      }
      double lo = y - (hi - x);
      if (lo != 0.0) {
        partials[i++] = lo;
      }
      x = hi;
    }
    if (i == partials.length) {
      partials = Arrays.copyOf(partials, partials.length * 2);
    }
    partials[i++] = x;
    size = i;
  }

  /** Adds the exact value of {@code other} (which is unchanged). */
  void add(ExactSum other) {
    for (int j = 0; j < other.size; j++) {
      addFinite(other.partials[j]);
    }
    nans += other.nans;
    positiveInfinities += other.positiveInfinities;
    negativeInfinities += other.negativeInfinities;
    overflowed |= other.overflowed;
  }

  /** Adds {@code a * b} exactly (barring underflow below 2^-969): the product and its fma error. */
  void addProduct(double a, double b) {
    double p = a * b;
    if (!Double.isFinite(p)) {
      add(p);
      return;
    }
    addFinite(p);
    double e = Math.fma(a, b, -p);
    if (e != 0.0) {
      addFinite(e);
    }
  }

  /** Adds {@code factor * other} exactly (term by term). */
  void addScaled(ExactSum other, double factor) {
    for (int j = 0; j < other.size; j++) {
      addProduct(other.partials[j], factor);
    }
  }

  /** Subtracts {@code a * b} exactly, for every pair of partials of {@code a} and {@code b}. */
  void subtractProduct(ExactSum a, ExactSum b) {
    for (int i = 0; i < a.size; i++) {
      for (int j = 0; j < b.size; j++) {
        addProduct(-a.partials[i], b.partials[j]);
      }
    }
  }

  boolean finite() {
    return nans == 0 && positiveInfinities == 0 && negativeInfinities == 0 && !overflowed;
  }

  /** The sum correctly rounded to a double, or the non-finite result the special inputs give. */
  double value() {
    if (nans > 0 || overflowed || (positiveInfinities > 0 && negativeInfinities > 0)) {
      return Double.NaN;
    }
    if (positiveInfinities > 0) {
      return Double.POSITIVE_INFINITY;
    }
    if (negativeInfinities > 0) {
      return Double.NEGATIVE_INFINITY;
    }
    int n = size;
    double hi = 0.0;
    double lo = 0.0;
    if (n > 0) {
      hi = partials[--n];
      while (n > 0) {
        double x = hi;
        double y = partials[--n];
        hi = x + y;
        double yr = hi - x;
        lo = y - yr;
        if (lo != 0.0) {
          break;
        }
      }
      // half-even rounding across several partials (as CPython's math_fsum)
      if (n > 0 && ((lo < 0.0 && partials[n - 1] < 0.0) || (lo > 0.0 && partials[n - 1] > 0.0))) {
        double y = lo * 2.0;
        double x = hi + y;
        double yr = x - hi;
        if (y == yr) {
          hi = x;
        }
      }
    }
    return hi == 0.0 ? 0.0 : hi;
  }

  // ---- encoding -------------------------------------------------------------------------------

  void write(StateCodec.Sink out) {
    out.varint(nans);
    out.varint(positiveInfinities);
    out.varint(negativeInfinities);
    out.bool(overflowed);
    out.varint(size);
    for (int j = 0; j < size; j++) {
      out.float64(partials[j]);
    }
  }

  static ExactSum read(StateCodec.Source in) {
    ExactSum s = new ExactSum();
    s.nans = in.varint();
    s.positiveInfinities = in.varint();
    s.negativeInfinities = in.varint();
    s.overflowed = in.bool();
    int n = in.count(8);
    s.partials = new double[Math.max(4, n)];
    for (int j = 0; j < n; j++) {
      s.partials[j] = in.float64();
    }
    s.size = n;
    return s;
  }
}
