package dev.quiver.bench.serve;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Paired differences of one measure (a p99, a CPU cost) between a treatment and its control, one pair
 * per adjacent pair of phases ({@link LoggingPairBenchmark}): each difference is relative, {@code
 * treatment / control - 1}, so that pairs run while the machine was slower and pairs run while it was
 * faster weigh the same. Reports the median difference, its quartiles and extremes, how many pairs went
 * each way, and a percentile-bootstrap 95% interval of the median (seeded: the same pairs give the same
 * interval). An interval that excludes +10% shows the cost is above 10%; one entirely below +10% shows
 * it is at most 10%; one that straddles it shows neither.
 *
 * @param relative each pair's {@code treatment / control - 1}, in run order
 */
record PairedDifferences(double[] relative) {
  private static final int RESAMPLES = 10_000;

  PairedDifferences {
    relative = relative.clone();
  }

  /** The pairs' relative differences; {@code treatment[i]} and {@code control[i]} are pair {@code i}. */
  static PairedDifferences of(double[] treatment, double[] control) {
    if (treatment.length != control.length || treatment.length == 0) {
      throw new IllegalArgumentException("need as many treatments as controls, at least one: " + treatment.length
          + " and " + control.length);
    }
    double[] d = new double[treatment.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = treatment[i] / control[i] - 1;
    }
    return new PairedDifferences(d);
  }

  int pairs() {
    return relative.length;
  }

  double median() {
    return quantile(sorted(relative), 0.5);
  }

  /** The {@code q} quantile (0..1) of the differences, linearly interpolated. */
  double quantile(double q) {
    return quantile(sorted(relative), q);
  }

  /** Pairs whose treatment came out higher than its control. */
  long higher() {
    return Arrays.stream(relative).filter(d -> d > 0).count();
  }

  /** The 2.5th and 97.5th percentiles of the median over resamples of the pairs (with replacement). */
  double[] medianInterval(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] medians = new double[RESAMPLES];
    double[] sample = new double[relative.length];
    for (int b = 0; b < RESAMPLES; b++) {
      for (int i = 0; i < sample.length; i++) {
        sample[i] = relative[random.nextInt(relative.length)];
      }
      Arrays.sort(sample);
      medians[b] = quantile(sample, 0.5);
    }
    Arrays.sort(medians);
    return new double[] {quantile(medians, 0.025), quantile(medians, 0.975)};
  }

  /** Pairs whose relative difference exceeds {@code threshold} (0.10 for +10%). */
  long above(double threshold) {
    return Arrays.stream(relative).filter(d -> d > threshold).count();
  }

  /**
   * The distribution-free interval of the median from the sign test: the {@code k}-th smallest and {@code k}-th
   * largest difference, {@code k} the largest with {@code P(Binomial(n, 1/2) < k) <= 2.5%}, so it covers the true
   * median with at least 95% probability whatever the differences' distribution (the widest, the range, below 6 pairs:
   * then it covers less). At 8 pairs it is the 1st..8th values, at 16 the 4th..13th, at 20 the 6th..15th.
   */
  double[] signInterval() {
    double[] s = sorted(relative);
    int n = s.length;
    int k = 1;
    while (k + 1 <= n && binomialBelow(n, k + 1) <= 0.025) {
      k++;
    }
    return new double[] {s[k - 1], s[n - k]};
  }

  /** {@code P(Binomial(n, 1/2) < k)}. */
  static double binomialBelow(int n, int k) {
    double p = 0;
    double term = Math.pow(0.5, n); // P(X = 0)
    for (int i = 0; i < k; i++) {
      p += term;
      term = term * (n - i) / (i + 1);
    }
    return p;
  }

  /**
   * Whether the median difference is at most {@code threshold}, by the sign-test interval: "at most" when the
   * interval lies wholly at or below it, "above" when wholly above it, else "undecided".
   */
  String verdict(double threshold) {
    double[] ci = signInterval();
    return ci[1] <= threshold ? "at most" : ci[0] > threshold ? "above" : "undecided";
  }

  /** One line against a threshold: pairs above it, the sign-test interval of the median, and the verdict. */
  String thresholdLine(double threshold) {
    double[] ci = signInterval();
    return String.format("%d of %d pairs above %+.0f%%, sign-test 95%% interval of the median %+.1f%% .. %+.1f%%: %s %+.0f%%",
        above(threshold), pairs(), 100 * threshold, 100 * ci[0], 100 * ci[1], verdict(threshold), 100 * threshold);
  }

  /** One line: median, quartiles, range, the direction count and the interval, as percentages. */
  String line(long seed) {
    double[] ci = medianInterval(seed);
    return String.format("median %+.1f%% (quartiles %+.1f%% .. %+.1f%%, range %+.1f%% .. %+.1f%%), higher in %d of %d pairs,"
            + " 95%% bootstrap interval of the median %+.1f%% .. %+.1f%%", 100 * median(), 100 * quantile(0.25),
        100 * quantile(0.75), 100 * quantile(0), 100 * quantile(1), higher(), pairs(), 100 * ci[0], 100 * ci[1]);
  }

  private static double[] sorted(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    return s;
  }

  private static double quantile(double[] sorted, double q) {
    double at = q * (sorted.length - 1);
    int lo = (int) Math.floor(at);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (at - lo) * (sorted[hi] - sorted[lo]);
  }
}
