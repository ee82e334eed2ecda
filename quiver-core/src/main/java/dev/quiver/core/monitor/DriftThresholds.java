package dev.quiver.core.monitor;

import dev.quiver.core.InvalidRequestException;

/**
 * When a statistic counts as drift. A NaN threshold is not set: the statistic is reported with
 * {@link Verdict#INFO}.
 *
 * @param psiWarn PSI above it warns (default 0.1)
 * @param psiFail PSI above it is drift (default 0.25)
 * @param ksFailP a KS p-value below it is drift
 * @param chi2FailP a chi-squared p-value below it is drift
 * @param nullRateFail an absolute change of the null rate above it is drift (0.05 = five points)
 */
public record DriftThresholds(double psiWarn, double psiFail, double ksFailP, double chi2FailP, double nullRateFail) {
  /** PSI 0.1 warns and 0.25 fails (the customary bands); no p-value or null-rate threshold. */
  public static final DriftThresholds DEFAULTS = new DriftThresholds(0.1, 0.25, Double.NaN, Double.NaN, Double.NaN);

  /** @throws InvalidRequestException naming the threshold that is out of range */
  public DriftThresholds {
    if (!(psiWarn >= 0) || !(psiFail >= 0)) {
      throw new InvalidRequestException("PSI thresholds must be numbers >= 0, not warn " + psiWarn + " / fail " + psiFail);
    }
    if (psiWarn > psiFail) {
      throw new InvalidRequestException("--psi-warn " + psiWarn + " is above --psi-fail " + psiFail + "; the warn band must come first");
    }
    checkP("--ks-fail", ksFailP);
    checkP("--chi2-fail", chi2FailP);
    if (!Double.isNaN(nullRateFail) && !(nullRateFail >= 0 && nullRateFail <= 1)) {
      throw new InvalidRequestException("--null-rate-fail must be a change of rate between 0 and 1, not " + nullRateFail);
    }
  }

  private static void checkP(String option, double p) {
    if (!Double.isNaN(p) && !(p > 0 && p < 1)) {
      throw new InvalidRequestException(option + " is a p-value: a number between 0 and 1 exclusive, not " + p);
    }
  }

  Measure psi(double value) {
    Verdict v = value > psiFail ? Verdict.DRIFT : value > psiWarn ? Verdict.WARN : Verdict.OK;
    return new Measure("psi", value, psiFail, "> " + psiFail + " (warn > " + psiWarn + ")", v);
  }

  Measure pValue(String statistic, double p, double threshold) {
    if (Double.isNaN(threshold)) {
      return new Measure(statistic, p, Double.NaN, "", Verdict.INFO);
    }
    return new Measure(statistic, p, threshold, "p < " + threshold, p < threshold ? Verdict.DRIFT : Verdict.OK);
  }

  Measure nullRateChange(double change) {
    if (Double.isNaN(nullRateFail)) {
      return new Measure("null_rate_change", change, Double.NaN, "", Verdict.INFO);
    }
    return new Measure("null_rate_change", change, nullRateFail, "|change| > " + nullRateFail,
        Math.abs(change) > nullRateFail ? Verdict.DRIFT : Verdict.OK);
  }
}
