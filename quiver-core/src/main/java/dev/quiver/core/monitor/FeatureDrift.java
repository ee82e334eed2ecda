package dev.quiver.core.monitor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * One feature's drift between a baseline and a current sample.
 *
 * @param feature the column's name
 * @param kind how it was compared
 * @param baselineRows rows on the baseline side (nulls included); 0 when the column is absent there
 * @param currentRows rows on the current side (nulls included); 0 when the column is absent there
 * @param baselineNullRate nulls / rows on the baseline side (NaN without rows)
 * @param currentNullRate nulls / rows on the current side (NaN without rows)
 * @param measures the statistics and their verdicts, in a fixed order per kind
 * @param note why a feature was not compared, or the categories the baseline never holds; empty if none
 */
public record FeatureDrift(String feature, Kind kind, long baselineRows, long currentRows, double baselineNullRate,
    double currentNullRate, List<Measure> measures, String note) {
  /** How a feature is compared. */
  public enum Kind {
    /** Quantile-bin PSI, Kolmogorov-Smirnov, null rate. */
    NUMERIC,
    /** Category PSI (top K and other), chi-squared, null rate. */
    CATEGORICAL,
    /** Not compared: absent from a side, a type drift does not cover, or no values on a side. */
    NOT_COMPARED
  }

  public FeatureDrift {
    measures = List.copyOf(measures);
  }

  /** The worst verdict of its measures ({@link Verdict#INFO} when it has none). */
  public Verdict verdict() {
    return measures.stream().map(Measure::verdict).max(Comparator.naturalOrder()).orElse(Verdict.INFO);
  }

  /**
   * A numeric feature's drift.
   *
   * @param baseline the baseline's non-null, non-NaN values
   * @param baselineNulls its null (and NaN) count
   * @param current the current side's non-null, non-NaN values
   * @param currentNulls its null (and NaN) count
   * @param bins quantile bins wanted for PSI (at least 2)
   */
  public static FeatureDrift numeric(String feature, double[] baseline, long baselineNulls, double[] current,
      long currentNulls, int bins, DriftThresholds thresholds) {
    long bRows = baseline.length + baselineNulls;
    long cRows = current.length + currentNulls;
    List<Measure> measures = new ArrayList<>();
    if (baseline.length == 0 || current.length == 0) {
      measures.add(nullRate(bRows, baselineNulls, cRows, currentNulls, thresholds));
      return new FeatureDrift(feature, Kind.NOT_COMPARED, bRows, cRows, rate(baselineNulls, bRows), rate(currentNulls, cRows),
          measures, "no non-null values on the " + (baseline.length == 0 ? "baseline" : "current") + " side");
    }
    double[] edges = DriftStatistics.quantileEdges(baseline, bins);
    measures.add(thresholds.psi(DriftStatistics.psi(DriftStatistics.histogram(baseline, edges), DriftStatistics.histogram(current, edges))));
    TestResult ks = DriftStatistics.ks(baseline, current);
    measures.add(new Measure("ks", ks.statistic(), Double.NaN, "", Verdict.INFO));
    measures.add(thresholds.pValue("ks_p", ks.pValue(), thresholds.ksFailP()));
    measures.add(nullRate(bRows, baselineNulls, cRows, currentNulls, thresholds));
    return new FeatureDrift(feature, Kind.NUMERIC, bRows, cRows, rate(baselineNulls, bRows), rate(currentNulls, cRows), measures, "");
  }

  /**
   * A categorical feature's drift over the baseline's top-K categories and {@link DriftStatistics#OTHER}.
   *
   * @param baseline each non-null category's count on the baseline side
   * @param current each non-null category's count on the current side
   */
  public static FeatureDrift categorical(String feature, Map<String, Long> baseline, long baselineNulls,
      Map<String, Long> current, long currentNulls, int topK, DriftThresholds thresholds) {
    long bRows = baseline.values().stream().mapToLong(Long::longValue).sum() + baselineNulls;
    long cRows = current.values().stream().mapToLong(Long::longValue).sum() + currentNulls;
    List<Measure> measures = new ArrayList<>();
    if (bRows == baselineNulls || cRows == currentNulls) {
      measures.add(nullRate(bRows, baselineNulls, cRows, currentNulls, thresholds));
      return new FeatureDrift(feature, Kind.NOT_COMPARED, bRows, cRows, rate(baselineNulls, bRows), rate(currentNulls, cRows),
          measures, "no non-null values on the " + (bRows == baselineNulls ? "baseline" : "current") + " side");
    }
    CategoryBins bins = DriftStatistics.categoryBins(baseline, current, topK);
    measures.add(thresholds.psi(DriftStatistics.psi(bins.baseline(), bins.current())));
    TestResult chi2 = DriftStatistics.chiSquared(bins.baseline(), bins.current());
    measures.add(new Measure("chi2", chi2.statistic(), Double.NaN, "", Verdict.INFO));
    measures.add(thresholds.pValue("chi2_p", chi2.pValue(), thresholds.chi2FailP()));
    measures.add(nullRate(bRows, baselineNulls, cRows, currentNulls, thresholds));
    String note = bins.unseen().isEmpty() ? "" : "new categories: " + String.join(", ", bins.unseen().stream().limit(5).toList())
        + (bins.unseen().size() > 5 ? " and " + (bins.unseen().size() - 5) + " more" : "");
    return new FeatureDrift(feature, Kind.CATEGORICAL, bRows, cRows, rate(baselineNulls, bRows), rate(currentNulls, cRows), measures, note);
  }

  /** A feature that is not compared, and why (absent from a side, a type drift does not cover). */
  public static FeatureDrift notCompared(String feature, long baselineRows, long currentRows, String why) {
    return new FeatureDrift(feature, Kind.NOT_COMPARED, baselineRows, currentRows, Double.NaN, Double.NaN, List.of(), why);
  }

  private static Measure nullRate(long bRows, long bNulls, long cRows, long cNulls, DriftThresholds thresholds) {
    return thresholds.nullRateChange(rate(cNulls, cRows) - rate(bNulls, bRows));
  }

  private static double rate(long nulls, long rows) {
    return rows == 0 ? Double.NaN : (double) nulls / rows;
  }
}
