package dev.quiver.core.diff;

import dev.quiver.core.model.Definitions;
import java.util.List;

/**
 * The result of planning: what applying {@code target} on top of registry version {@code base} would
 * change.
 *
 * @param base the registry head the plan was made against; 0 when the registry is empty
 * @param target the complete definitions the new version would hold
 * @param changes every definition added, changed or removed
 * @param breaking the changes that alter an existing online feature's meaning
 * @param kept superseded view versions the registry keeps because a newer version replaced them
 *     ({@code name@vN})
 */
public record Plan(long base, Definitions target, List<Change> changes, List<BreakingChange> breaking, List<String> kept) {
  public Plan {
    changes = List.copyOf(changes);
    breaking = List.copyOf(breaking);
    kept = List.copyOf(kept);
  }

  /** True when applying would record nothing new. */
  public boolean isEmpty() {
    return changes.isEmpty();
  }
}
