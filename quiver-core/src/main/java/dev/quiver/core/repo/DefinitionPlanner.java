package dev.quiver.core.repo;

import dev.quiver.core.diff.BreakingChange;
import dev.quiver.core.diff.Plan;
import dev.quiver.core.diff.Planner;
import dev.quiver.core.load.LoadedRepo;
import dev.quiver.core.load.RepoConfig;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.spi.SourceSchemaReader;
import dev.quiver.core.validate.DefinitionValidator;
import java.util.List;
import java.util.Optional;

/**
 * The plan step of a feature repo: validates loaded definitions against the repo's data and diffs
 * them against the registry head; and the message that lists a plan's breaking changes. Thread-safe.
 */
final class DefinitionPlanner {
  private final RepoConfig config;
  private final RegistryStore registry;
  private final SourceSchemaReader schemas;
  private final RepoPlugins plugins;

  DefinitionPlanner(RepoConfig config, RegistryStore registry, SourceSchemaReader schemas, RepoPlugins plugins) {
    this.config = config;
    this.registry = registry;
    this.schemas = schemas;
    this.plugins = plugins;
  }

  /** See {@link FeatureRepo#plan(boolean)}. */
  Plan plan(LoadedRepo loaded, boolean prune) {
    // the stores quiver.yaml names must exist before a version that needs them is recorded
    plugins.onlineProvider();
    plugins.offlineProvider();
    Optional<RegistrySnapshot> head = registry.latest();
    Definitions before = head.map(RegistrySnapshot::definitions).orElse(null);
    Planner.Retained retained = Planner.retain(loaded.definitions(), before, prune);
    Definitions typed = new DefinitionValidator(schemas, config.root(), plugins.transformClasspath().loader())
        .validate(retained.definitions(), loaded.origins(), retained.frozen());
    long base = head.map(h -> h.info().version()).orElse(0L);
    return Planner.plan(base, before, typed, retained.kept());
  }

  /** See {@link FeatureRepo#describeBreaking}. */
  static String describeBreaking(List<BreakingChange> breaking) {
    StringBuilder b = new StringBuilder("refusing to apply: ")
        .append(breaking.size() == 1 ? "1 breaking change" : breaking.size() + " breaking changes")
        .append(" to features that are already online:");
    for (BreakingChange c : breaking) {
      b.append("\n  ").append(c.view()).append(':').append(c.feature()).append(" — ")
          .append(String.join("; ", c.reasons()));
      b.append(c.consumers().isEmpty() ? " (no feature service reads it)"
          : " (read by " + String.join(", ", c.consumers()) + ")");
    }
    b.append("\nGive the view a new version (version: N+1) so old and new coexist, or pass --force"
        + " to change the meaning in place.");
    return b.toString();
  }
}
