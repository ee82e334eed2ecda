package dev.quiver.cli;

import dev.quiver.core.diff.Plan;
import dev.quiver.core.repo.FeatureRepo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code quiver plan}: what apply would change, field by field, and what would break. */
@Command(
    name = "plan",
    description = "Show how the definitions differ from the registry: added, changed, removed, breaking.")
final class PlanCommand implements Callable<Integer> {
  @Mixin RepoOption repo;
  @Mixin OutputOption output;

  @Option(names = "--prune", description = "Also drop superseded feature services, and superseded view versions nothing pins.")
  boolean prune;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    try (FeatureRepo r = FeatureRepo.open(repo.repo)) {
      Plan plan = r.plan(prune);
      if (output.json()) {
        Json.print(PlanPrinter.json(plan), spec.commandLine().getOut());
      } else {
        PlanPrinter.print(plan, spec.commandLine().getOut());
      }
      return 0;
    }
  }
}
