package dev.quiver.core.quality;

import dev.quiver.core.SourceDataException;
import java.util.List;

/**
 * Data failed a validation rule whose {@code on_fail} is {@code fail}; nothing of the run (the
 * view's materialization, the push) was written. The data's fault: servers answer it with HTTP 422,
 * and a materialization run fails this view alone. The message names the rule, the feature, a
 * sample value and the number of failing rows.
 */
public final class ValidationException extends SourceDataException {
  private final transient List<RuleResult> results;

  /**
   * @param source the source whose data failed
   * @param results every rule's result for the run; at least one {@link RuleResult.Outcome#FAILED}
   */
  public ValidationException(String source, String where, List<RuleResult> results) {
    super(source, where, message(results));
    this.results = List.copyOf(results);
  }

  /** Every rule's result for the refused run. */
  public List<RuleResult> results() {
    return results;
  }

  private static String message(List<RuleResult> results) {
    StringBuilder b = new StringBuilder("validation failed, nothing was written:");
    results.stream().filter(r -> r.outcome() == RuleResult.Outcome.FAILED)
        .forEach(r -> b.append("\n  ").append(r.describe()));
    b.append("\n  fix the data, or change the rule's on_fail (warn records, skip_row drops the failing rows)");
    return b.toString();
  }
}
