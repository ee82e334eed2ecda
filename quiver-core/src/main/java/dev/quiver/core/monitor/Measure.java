package dev.quiver.core.monitor;

/**
 * One statistic of one feature with the threshold it was judged against.
 *
 * @param statistic {@code psi}, {@code ks}, {@code ks_p}, {@code chi2}, {@code chi2_p}, {@code null_rate_change}
 * @param value its value
 * @param threshold the fail threshold applied (NaN when none is set), described by {@code rule}
 * @param rule how the value is judged, e.g. {@code > 0.25} or {@code p < 0.01}; empty when none
 * @param verdict the outcome
 */
public record Measure(String statistic, double value, double threshold, String rule, Verdict verdict) {}
