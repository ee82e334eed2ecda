package dev.quiver.core.monitor;

/** What a threshold says of one statistic. */
public enum Verdict {
  /** No threshold is set for this statistic: reported only. */
  INFO,
  /** Within the thresholds. */
  OK,
  /** Past the warn threshold, not the fail one. */
  WARN,
  /** Past the fail threshold: drift. */
  DRIFT
}
