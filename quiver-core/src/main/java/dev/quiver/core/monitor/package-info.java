/**
 * Drift monitoring (docs/monitoring.md): the statistics as pure functions over samples and histograms
 * ({@link dev.quiver.core.monitor.DriftStatistics}: PSI, two-sample Kolmogorov-Smirnov, chi-squared),
 * the per-feature result with its verdicts ({@link dev.quiver.core.monitor.FeatureDrift}) and the
 * thresholds that decide them ({@link dev.quiver.core.monitor.DriftThresholds}). No engine, file or
 * network here: the CLI reads columns and a server can export the same numbers as metrics.
 */
package dev.quiver.core.monitor;
