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

  /** Log-spaced bins when the binned range's ends are more than this ratio apart and positive: 100. */
  public static final double LOG_RATIO = 100;

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
   * Bins shared by both sides, so the two are drawn on one axis. The bins cover the central range of
   * both sides together, from the lower of their 0.5th percentiles to the higher of their 99.5th
   * ({@link #TAIL}), so that a few extreme values do not squeeze everything into one bin; values
   * beyond it count in the first or last bin, labelled {@code < x} and {@code >= y}. The bins are of
   * equal width, or of equal ratio (log-spaced) when that range is positive and its ends are more
   * than {@link #LOG_RATIO} apart (amounts, counts, durations). Bin i holds the values from its edge
   * (included) to the next (excluded; the last bin includes its end). One distinct value: one bin.
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
    double[] edges = edges(b, c, bins);
    int n = edges.length - 1;
    double min = Math.min(b.length == 0 ? Double.POSITIVE_INFINITY : b[0], c.length == 0 ? Double.POSITIVE_INFINITY : c[0]);
    double max = Math.max(b.length == 0 ? Double.NEGATIVE_INFINITY : b[b.length - 1], c.length == 0 ? Double.NEGATIVE_INFINITY : c[c.length - 1]);
    List<String> labels = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String from = number(edges[i]);
      String to = number(edges[i + 1]);
      labels.add(n == 1 ? (min == max ? from : "[" + from + ", " + to + "]") : i == 0 && min < edges[0] ? "< " + to
          : i == n - 1 && max > edges[n] ? ">= " + from : "[" + from + ", " + to + (i == n - 1 ? "]" : ")"));
    }
    return new Histogram(true, labels, shares(b, edges), shares(c, edges));
  }

  /** The n + 1 edges of the bins {@link #numeric} draws for two sorted samples (not both empty). */
  static double[] edges(double[] sortedBaseline, double[] sortedCurrent, int bins) {
    double[] b = sortedBaseline;
    double[] c = sortedCurrent;
    double min = Math.min(b.length == 0 ? Double.POSITIVE_INFINITY : b[0], c.length == 0 ? Double.POSITIVE_INFINITY : c[0]);
    double max = Math.max(b.length == 0 ? Double.NEGATIVE_INFINITY : b[b.length - 1], c.length == 0 ? Double.NEGATIVE_INFINITY : c[c.length - 1]);
    double lo = Math.min(quantile(b, TAIL, min), quantile(c, TAIL, min));
    double hi = Math.max(quantile(b, 1 - TAIL, max), quantile(c, 1 - TAIL, max));
    if (!(hi > lo)) {
      lo = min;
      hi = max;
    }
    int n = hi > lo && Double.isFinite(hi - lo) ? bins : 1;
    double[] edges = new double[n + 1];
    boolean log = lo > 0 && hi / lo > LOG_RATIO;
    for (int i = 0; i <= n; i++) {
      edges[i] = i == 0 ? lo : i == n ? hi : log ? lo * Math.pow(hi / lo, (double) i / n) : lo + i * (hi - lo) / n;
    }
    return edges;
  }

  private static double quantile(double[] sorted, double p, double orElse) {
    return sorted.length == 0 ? orElse : sorted[(int) Math.floor(p * (sorted.length - 1))];
  }

  /** The categories of a drift comparison (top K of the baseline, then other), as shares. */
  public static Histogram categorical(CategoryBins bins) {
    return new Histogram(false, bins.labels(), shares(bins.baseline()), shares(bins.current()));
  }

  /** The bin of {@code v} among {@code edges}: the last i with {@code v >= edges[i]}, 0 below the first, the last bin above the end. */
  static int bin(double v, double[] edges) {
    int n = edges.length - 1;
    int i = java.util.Arrays.binarySearch(edges, 0, n, v);
    if (i < 0) {
      i = -i - 2; // the edge before the insertion point
    } else {
      while (i + 1 < n && edges[i + 1] == v) {
        i++;
      }
    }
    return Math.min(Math.max(i, 0), n - 1);
  }

  private static double[] shares(double[] values, double[] edges) {
    int n = edges.length - 1;
    double[] counts = new double[n];
    for (double v : values) {
      counts[bin(v, edges)]++;
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
