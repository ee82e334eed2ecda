package dev.quiver.core.quality;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What one rule found in one run where data entered.
 *
 * @param time when the run was checked
 * @param entry where data entered: {@code materialize}, {@code push}, {@code stream}, {@code training_set}
 * @param view {@code name@vN}
 * @param feature the feature judged; null for a view rule
 * @param rule the rule's kind ({@code min}, {@code row_count}...)
 * @param argument the rule's argument as written ({@code 0}, {@code [US, FR]})
 * @param onFail {@code warn}, {@code skip_row} or {@code fail}
 * @param rowsChecked rows the rule judged
 * @param rowsFailed rows that failed it (for a run rule: 1 when the run failed it, else 0)
 * @param samples up to {@link ViewRules#SAMPLES} failing values, as text (a run rule: what it measured)
 * @param outcome what happened
 */
public record RuleResult(Instant time, String entry, String view, String feature, String rule, String argument,
    String onFail, long rowsChecked, long rowsFailed, List<String> samples, Outcome outcome) {
  /** What a rule's result did to the run. */
  public enum Outcome {
    /** Nothing failed. */
    PASSED,
    /** Rows failed a {@code warn} rule; they went in. */
    WARNED,
    /** Rows failed a {@code skip_row} rule and were left out. */
    SKIPPED,
    /** The run failed a {@code fail} rule: nothing of it was written. */
    FAILED;

    public String spelling() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public RuleResult {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(entry, "entry");
    Objects.requireNonNull(view, "view");
    Objects.requireNonNull(rule, "rule");
    argument = Objects.requireNonNullElse(argument, "");
    Objects.requireNonNull(onFail, "onFail");
    samples = List.copyOf(samples);
    Objects.requireNonNull(outcome, "outcome");
  }

  /** One line for logs and errors: {@code user_txn@v1 min(0) on amount: 3 of 120 rows failed (e.g. -5) -> skipped}. */
  public String describe() {
    String head = view + " " + rule + "(" + argument + ")" + (feature == null ? "" : " on " + feature) + ": ";
    if (judgesRun()) {
      return head + (rowsFailed == 0 ? "held" : "failed") + " over " + rowsChecked + " rows"
          + (samples.isEmpty() ? "" : " (" + String.join(", ", samples) + ")") + " -> " + outcome.spelling();
    }
    return head + rowsFailed + " of " + rowsChecked + " rows failed"
        + (samples.isEmpty() ? "" : " (e.g. " + String.join(", ", samples) + ")") + " -> " + outcome.spelling();
  }

  /** True for a rule over a whole run (row_count, freshness, a null rate), false for a row rule. */
  public boolean judgesRun() {
    return rule.equals("row_count") || rule.equals("freshness") || argument.startsWith("max rate");
  }
}
