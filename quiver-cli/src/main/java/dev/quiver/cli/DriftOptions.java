package dev.quiver.cli;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.monitor.DriftThresholds;
import java.util.List;
import picocli.CommandLine.Option;

/** The comparison options {@code quiver monitor drift} and {@code quiver monitor report} share. */
final class DriftOptions {
  @Option(names = "--features", split = ",", paramLabel = "F1,F2",
      description = "The columns to compare. Default: a saved dataset's features, or every column of the files but"
          + " entity keys and timestamps.")
  List<String> features;

  @Option(names = "--bins", defaultValue = "10", paramLabel = "N", description = "Quantile bins of the baseline for numeric PSI. Default 10.")
  int bins;

  @Option(names = "--top-k", defaultValue = "20", paramLabel = "K",
      description = "Categories kept by name for categorical PSI and chi-squared (the baseline's most frequent); the rest is one other bin. Default 20.")
  int topK;

  @Option(names = "--psi-warn", defaultValue = "0.1", paramLabel = "X", description = "PSI above it warns. Default 0.1.")
  double psiWarn;

  @Option(names = "--psi-fail", defaultValue = "0.25", paramLabel = "X", description = "PSI above it is drift. Default 0.25.")
  double psiFail;

  @Option(names = "--ks-fail", paramLabel = "P", description = "A Kolmogorov-Smirnov p-value below it is drift. Default: reported only.")
  Double ksFail;

  @Option(names = "--chi2-fail", paramLabel = "P", description = "A chi-squared p-value below it is drift. Default: reported only.")
  Double chi2Fail;

  @Option(names = "--null-rate-fail", paramLabel = "D",
      description = "A null-rate change above it (0.05 = five points, either way) is drift. Default: reported only.")
  Double nullRateFail;

  /**
   * The thresholds these options give.
   *
   * @throws InvalidRequestException naming the option that is out of range
   */
  DriftThresholds thresholds() {
    DriftThresholds t = new DriftThresholds(psiWarn, psiFail, orNaN(ksFail), orNaN(chi2Fail), orNaN(nullRateFail));
    if (bins < 2) {
      throw new InvalidRequestException("--bins must be at least 2, not " + bins);
    }
    if (topK < 1) {
      throw new InvalidRequestException("--top-k must be at least 1, not " + topK);
    }
    return t;
  }

  private static double orNaN(Double d) {
    return d == null ? Double.NaN : d;
  }
}
