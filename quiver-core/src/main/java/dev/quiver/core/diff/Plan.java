package dev.quiver.core.diff;

import dev.quiver.core.model.Definitions;
import java.util.List;
import java.util.Objects;

/**
 * The result of planning: what applying {@code target} on top of registry version {@code base} would
 * change.
 *
 * @param base the registry head the plan was made against; 0 when the registry is empty
 * @param target the complete definitions the new version would hold
 * @param changes every definition added, changed or removed
 * @param breaking the changes that alter an existing online feature's meaning within its version
 * @param moves the refs written without a version (feature-service refs, on-demand inputs) whose
 *     view version changes: they follow the newest version; not breaking
 * @param kept superseded versions the registry keeps because a newer version replaced them
 */
public record Plan(long base, Definitions target, List<Change> changes, List<BreakingChange> breaking, List<Move> moves,
    List<Kept> kept) {
  public Plan {
    changes = List.copyOf(changes);
    breaking = List.copyOf(breaking);
    moves = List.copyOf(moves);
    kept = List.copyOf(kept);
  }

  /** True when applying would record nothing new. */
  public boolean isEmpty() {
    return changes.isEmpty();
  }

  /**
   * A superseded version kept in the registry, for callers and services that pin it.
   *
   * @param kind {@code feature view}, {@code on-demand view} or {@code feature service}
   * @param name {@code name@vN}
   */
  public record Kept(String kind, String name) {
    public Kept {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(name, "name");
    }
  }

  /**
   * A ref that reads another view version after the apply: a feature-service ref, or an on-demand
   * view's input, usually written without a version so that it follows the newest one.
   *
   * @param consumer who reads through the ref: {@code feature service fraud_model@v1} or {@code
   *     on-demand view txn_risk@v1}
   * @param ref the ref as the definitions write it ({@code user_txn:amount_avg_30d}; for an
   *     on-demand input, the input, e.g. {@code user_txn})
   * @param from the view version it read before ({@code user_txn@v1})
   * @param to the view version it reads after ({@code user_txn@v2})
   * @param changes how the meaning of what it reads differs between the two versions
   *     ({@code amount_avg_30d: aggregate.window: 30d -> 7d}); empty when it means the same
   */
  public record Move(String consumer, String ref, String from, String to, List<String> changes) {
    public Move {
      changes = List.copyOf(changes);
    }
  }
}
