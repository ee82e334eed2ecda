package dev.quiver.core.monitor;

/**
 * A statistical test's outcome.
 *
 * @param statistic the test statistic (KS: the largest distance between the two empirical CDFs;
 *     chi-squared: the sum over bins)
 * @param pValue the probability of a statistic at least this large when both samples come from one
 *     distribution
 */
public record TestResult(double statistic, double pValue) {}
