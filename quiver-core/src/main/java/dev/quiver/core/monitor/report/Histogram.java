package dev.quiver.core.monitor.report;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.monitor.CategoryBins;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One feature's value distribution on both sides over shared bins, as shares of each side's
 * non-null values (each side sums to 1, or to 0 when it has no values).
 *
 * @param numeric true for equal-width bins over numbers, false for categories
 * @param labels one label per bin: a value range ({@code [10, 20)}) or a category
 * @param baseline the baseline's share per bin
 * @param current the current side's share per bin
 */
public record Histogram(boolean numeric, List<String> labels, double[] baseline, double[] current) {
  /** At most this many equal-width bins are drawn for a numeric feature. */
  public static final int MAX_BINS = 200;

  /** The share of each side left out of the bins' range at each end (values there count in the end bins): 0.5%. */
  public static final double TAIL = 0.005;

  /** @throws InvalidRequestException when the three lengths differ */
  public Histogram {
    labels = List.copyOf(labels);
    baseline = baseline.clone();
    current = current.clone();
    if (baseline.length != labels.size() || current.length != labels.size()) {
      throw new InvalidRequestException("a histogram needs one share per label on each side: " + labels.size() + " labels, "
          + baseline.length + " baseline and " + current.length + " current shares");
    }
  }

  /**
   * Equal-width bins shared by both sides, so the two are drawn on one axis. The bins cover the
   * central range of both sides together, from the lower of their 0.5th percentiles to the higher of
   * their 99.5th ({@link #TAIL}), so that a few extreme values do not squeeze everything into one bin;
   * values beyond it count in the first or last bin, labelled {@code < x} and {@code >= y}. Bin i of
   * n over [lo, hi] is {@code [lo + i·w, lo + (i+1)·w)}, the last one closed. One distinct value: one bin.
   *
   * @param baseline the baseline's non-null, non-NaN values
   * @param current the current side's non-null, non-NaN values
   * @param bins the number of bins, 1 to {@link #MAX_BINS}
   */
  public static Histogram numeric(double[] baseline, double[] current, int bins) {
    if (bins < 1 || bins > MAX_BINS) {
      throw new InvalidRequestException("a histogram has 1 to " + MAX_BINS + " bins, not " + bins);
    }
    double[] b = baseline.clone();
    double[] c = current.clone();
    java.util.Arrays.sort(b);
    java.util.Arrays.sort(c);
    if (b.length == 0 && c.length == 0) {
      return new Histogram(true, List.of(), new double[0], new double[0]);
    }
    double min = Math.min(b.length == 0 ? Double.POSITIVE_INFINITY : b[0], c.length == 0 ? Double.POSITIVE_INFINITY : c[0]);
    double max = Math.max(b.length == 0 ? Double.NEGATIVE_INFINITY : b[b.length - 1], c.length == 0 ? Double.NEGATIVE_INFINITY : c[c.length - 1]);
    double lo = Math.min(quantile(b, TAIL, min), quantile(c, TAIL, min));
    double hi = Math.max(quantile(b, 1 - TAIL, max), quantile(c, 1 - TAIL, max));
    if (!(hi > lo)) {
      lo = min;
      hi = max;
    }
    int n = hi > lo && Double.isFinite(hi - lo) ? bins : 1;
    double width = (hi - lo) / n;
    boolean below = min < lo;
    boolean above = max > hi;
    List<String> labels = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String from = number(lo + i * width);
      String to = number(i == n - 1 ? hi : lo + (i + 1) * width);
      labels.add(n == 1 ? from : i == 0 && below ? "< " + to : i == n - 1 && above ? ">= " + from
          : "[" + from + ", " + to + (i == n - 1 ? "]" : ")"));
    }
    return new Histogram(true, labels, shares(b, lo, width, n), shares(c, lo, width, n));
  }

  private static double quantile(double[] sorted, double p, double orElse) {
    return sorted.length == 0 ? orElse : sorted[(int) Math.floor(p * (sorted.length - 1))];
  }

  /** The categories of a drift comparison (top K of the baseline, then other), as shares. */
  public static Histogram categorical(CategoryBins bins) {
    return new Histogram(false, bins.labels(), shares(bins.baseline()), shares(bins.current()));
  }

  /**
   * The index of the bin {@code v} falls in, of {@code n} bins of {@code width} from {@code lo}: the
   * last i with {@code v >= lo + i·width}, 0 below {@code lo}, n − 1 above the last edge.
   */
  static int bin(double v, double lo, double width, int n) {
    if (n == 1 || width <= 0) {
      return 0;
    }
    int i = (int) Math.min(Math.max(Math.floor((v - lo) / width), 0), n - 1);
    while (i < n - 1 && v >= lo + (i + 1) * width) {
      i++;
    }
    while (i > 0 && v < lo + i * width) {
      i--;
    }
    return i;
  }

  private static double[] shares(double[] values, double lo, double width, int n) {
    double[] counts = new double[n];
    for (double v : values) {
      counts[bin(v, lo, width, n)]++;
    }
    for (int i = 0; i < n && values.length > 0; i++) {
      counts[i] /= values.length;
    }
    return counts;
  }

  private static double[] shares(long[] counts) {
    double total = 0;
    for (long c : counts) {
      total += c;
    }
    double[] out = new double[counts.length];
    for (int i = 0; i < counts.length && total > 0; i++) {
      out[i] = counts[i] / total;
    }
    return out;
  }

  /** A bin edge as a short number: at most 4 significant digits, no exponent below a million. */
  static String number(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    double a = Math.abs(v);
    if (a >= 1e6 || a < 1e-3) {
      return String.format(Locale.ROOT, "%.3g", v);
    }
    String s = new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    return s;
  }
}
