package dev.quiver.core.quality;

import dev.quiver.core.registry.RegistryStore;
import java.util.List;
import java.util.logging.Logger;

/**
 * Where every entry path sends a run's results: the process's counters ({@link
 * ValidationCounters}), the log (a warning per failing rule) and the registry store's {@link
 * ValidationLog}. Materializations and training sets record every rule's result; pushes and stream
 * batches only runs where a rule failed, so a clean request adds nothing to the registry. Stateless.
 */
public final class ResultRecorder {
  private static final Logger LOG = Logger.getLogger(ResultRecorder.class.getName());

  private ResultRecorder() {}

  /**
   * Records {@code results}; a store that keeps no validation log, or fails to append, is logged
   * and does not fail the run (the results are in the counters and the log still).
   *
   * @param always record even when nothing failed
   */
  public static void record(RegistryStore registry, List<RuleResult> results, boolean always) {
    if (results.isEmpty()) {
      return;
    }
    ValidationCounters.add(results);
    boolean anyFailed = false;
    for (RuleResult r : results) {
      if (r.outcome() != RuleResult.Outcome.PASSED) {
        anyFailed = true;
        LOG.warning(() -> "validation (" + r.entry() + "): " + r.describe());
      }
    }
    if (registry == null || (!always && !anyFailed)) {
      return;
    }
    try {
      registry.validationLog().append(results);
    } catch (UnsupportedOperationException e) {
      LOG.fine(() -> "validation results not kept: " + e.getMessage());
    } catch (RuntimeException e) {
      LOG.warning(() -> "could not record validation results in the registry: " + e.getMessage());
    }
  }
}
