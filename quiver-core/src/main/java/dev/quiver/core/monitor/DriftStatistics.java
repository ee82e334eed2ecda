package dev.quiver.core.monitor;

import dev.quiver.core.InvalidRequestException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.math3.stat.inference.ChiSquareTest;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;

/**
 * The drift statistics as pure functions: quantile bins and histograms, the population stability
 * index, and the two-sample Kolmogorov-Smirnov and chi-squared tests (Apache Commons Math). Thread
 * safe; no argument is modified.
 */
public final class DriftStatistics {
  /**
   * The proportion a bin empty on one side counts as in {@link #psi}: 0.0001 (0.01%), so that a
   * bin seen on one side only adds a large but finite term instead of infinity.
   */
  public static final double EMPTY_BIN_PROPORTION = 1e-4;

  /** The bin of {@link #categoryBins} holding every category outside the baseline's top K. */
  public static final String OTHER = "__other__";

  private DriftStatistics() {}

  /**
   * Bin edges at the baseline's quantiles: the values at ranks {@code ceil(k·n/bins)} for k = 1 ..
   * bins−1, duplicates removed, so bins are {@code (−∞, e1], (e1, e2], …, (e_last, +∞)} and each holds
   * about 1/bins of the baseline (fewer bins when values repeat).
   *
   * @param baseline non-null, non-NaN values, at least one
   * @param bins the number of bins wanted, at least 2
   * @return the edges, ascending and distinct; never empty
   */
  public static double[] quantileEdges(double[] baseline, int bins) {
    if (bins < 2) {
      throw new InvalidRequestException("--bins must be at least 2, not " + bins);
    }
    if (baseline.length == 0) {
      throw new InvalidRequestException("quantile bins need at least one baseline value");
    }
    double[] sorted = baseline.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    double[] edges = new double[bins - 1];
    int count = 0;
    for (int k = 1; k < bins; k++) {
      int rank = (int) Math.ceil((double) k * n / bins);
      double e = sorted[Math.max(rank, 1) - 1];
      if (count == 0 || e > edges[count - 1]) {
        edges[count++] = e;
      }
    }
    return Arrays.copyOf(edges, count);
  }

  /**
   * Counts values per bin of {@code edges} (as {@link #quantileEdges} defines them).
   *
   * @return {@code edges.length + 1} counts
   */
  public static long[] histogram(double[] values, double[] edges) {
    long[] counts = new long[edges.length + 1];
    for (double v : values) {
      int i = Arrays.binarySearch(edges, v);
      counts[i >= 0 ? i : -i - 1]++;
    }
    return counts;
  }

  /**
   * The population stability index Σ (c − b)·ln(c / b) over bins, b and c each side's proportion of
   * its total; a proportion of 0 counts as {@link #EMPTY_BIN_PROPORTION}. 0 for identical
   * proportions; customarily &lt; 0.1 stable, 0.1–0.25 moderate shift, &gt; 0.25 significant.
   *
   * @param baseline counts per bin
   * @param current counts per the same bins
   * @throws InvalidRequestException when the lengths differ or a side has no counts
   */
  public static double psi(long[] baseline, long[] current) {
    checkBins(baseline, current);
    double bt = sum(baseline);
    double ct = sum(current);
    double psi = 0;
    for (int i = 0; i < baseline.length; i++) {
      double b = Math.max(baseline[i] / bt, baseline[i] == 0 ? EMPTY_BIN_PROPORTION : 0);
      double c = Math.max(current[i] / ct, current[i] == 0 ? EMPTY_BIN_PROPORTION : 0);
      psi += (c - b) * Math.log(c / b);
    }
    return psi;
  }

  /**
   * The two-sample Kolmogorov-Smirnov test (Commons Math {@link KolmogorovSmirnovTest}): the
   * statistic is the largest distance D between the empirical CDFs; the p-value is P(D' &ge; D) for
   * two samples of one distribution, exact for small samples (n·m &lt; 10,000, ties between the
   * samples broken by Commons Math's seeded jitter) and asymptotic (Kolmogorov's distribution)
   * otherwise.
   *
   * @param baseline at least one value, no NaN
   * @param current at least one value, no NaN
   */
  public static TestResult ks(double[] baseline, double[] current) {
    if (baseline.length == 0 || current.length == 0) {
      throw new InvalidRequestException("the Kolmogorov-Smirnov test needs values on both sides");
    }
    KolmogorovSmirnovTest test = new KolmogorovSmirnovTest();
    double d = test.kolmogorovSmirnovStatistic(baseline, current);
    double p = test.kolmogorovSmirnovTest(baseline, current, false); // false: P(D' >= D), not P(D' > D)
    return new TestResult(d, p);
  }

  /**
   * Pearson's chi-squared test that two count vectors over the same bins come from one distribution
   * (Commons Math {@link ChiSquareTest#chiSquareDataSetsComparison}). Bins empty on both sides are
   * dropped; with fewer than two bins left the samples cannot differ: statistic 0, p-value 1.
   */
  public static TestResult chiSquared(long[] baseline, long[] current) {
    checkBins(baseline, current);
    List<long[]> kept = new ArrayList<>();
    for (int i = 0; i < baseline.length; i++) {
      if (baseline[i] != 0 || current[i] != 0) {
        kept.add(new long[] {baseline[i], current[i]});
      }
    }
    if (kept.size() < 2) {
      return new TestResult(0, 1);
    }
    long[] b = kept.stream().mapToLong(x -> x[0]).toArray();
    long[] c = kept.stream().mapToLong(x -> x[1]).toArray();
    ChiSquareTest test = new ChiSquareTest();
    return new TestResult(test.chiSquareDataSetsComparison(b, c), test.chiSquareTestDataSetsComparison(b, c));
  }

  /**
   * Category bins: the baseline's {@code topK} most frequent categories (ties by name), then {@link
   * #OTHER} for the rest of the baseline and every category the baseline lacks, when it holds any.
   */
  public static CategoryBins categoryBins(Map<String, Long> baseline, Map<String, Long> current, int topK) {
    if (topK < 1) {
      throw new InvalidRequestException("--top-k must be at least 1, not " + topK);
    }
    List<String> labels = baseline.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
        .limit(topK).map(Map.Entry::getKey).toList();
    Set<String> top = new HashSet<>(labels);
    Map<String, long[]> bins = new LinkedHashMap<>();
    labels.forEach(l -> bins.put(l, new long[2]));
    long[] other = new long[2];
    baseline.forEach((k, n) -> (top.contains(k) ? bins.get(k) : other)[0] += n);
    current.forEach((k, n) -> (top.contains(k) ? bins.get(k) : other)[1] += n);
    List<String> names = new ArrayList<>(labels);
    if (other[0] != 0 || other[1] != 0) {
      names.add(OTHER);
      bins.put(OTHER, other);
    }
    List<String> unseen = current.keySet().stream().filter(k -> !baseline.containsKey(k)).sorted().toList();
    return new CategoryBins(names, bins.values().stream().mapToLong(x -> x[0]).toArray(),
        bins.values().stream().mapToLong(x -> x[1]).toArray(), unseen);
  }

  private static void checkBins(long[] baseline, long[] current) {
    if (baseline.length != current.length) {
      throw new InvalidRequestException("bin counts differ in length: " + baseline.length + " baseline, " + current.length + " current");
    }
    if (sum(baseline) <= 0 || sum(current) <= 0) {
      throw new InvalidRequestException("both sides need at least one counted value");
    }
  }

  private static long sum(long[] counts) {
    long s = 0;
    for (long c : counts) {
      if (c < 0) {
        throw new InvalidRequestException("a bin count is negative: " + c);
      }
      s += c;
    }
    return s;
  }
}
