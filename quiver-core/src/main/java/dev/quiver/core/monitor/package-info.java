/**
 * Drift monitoring (docs/monitoring.md): the statistics as pure functions over samples and histograms
 * ({@link dev.quiver.core.monitor.DriftStatistics}: PSI, two-sample Kolmogorov-Smirnov, chi-squared),
 * the per-feature result with its verdicts ({@link dev.quiver.core.monitor.FeatureDrift}) and the
 * thresholds that decide them ({@link dev.quiver.core.monitor.DriftThresholds}). No engine, file or
 * network here: the CLI reads columns and a server can export the same numbers as metrics.
 *
 * <p>Training–serving skew: {@link dev.quiver.core.monitor.SkewCheck} reads a feature service's
 * logged answers through the offline engine, recomputes them with the training-set plan at the time
 * each was served, and compares them by {@link dev.quiver.core.monitor.ServedValues}' rule into a
 * {@link dev.quiver.core.monitor.SkewReport}; registry stores keep each run's {@link
 * dev.quiver.core.monitor.SkewResult}s in their {@link dev.quiver.core.monitor.SkewLog}.
 */
package dev.quiver.core.monitor;
