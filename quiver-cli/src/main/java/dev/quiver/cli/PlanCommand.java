package dev.quiver.cli;

import dev.quiver.core.DefinitionException;
import dev.quiver.core.diff.Plan;
import dev.quiver.core.repo.FeatureRepo;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code quiver plan}: what apply would change, field by field, and what would break. */
@Command(
    name = "plan",
    description = "Show how the definitions differ from the registry: added, changed, removed, breaking.",
    exitCodeListHeading = "%nExit codes with --exit-code:%n",
    exitCodeList = {
      "0:no changes",
      "1:an error (invalid definitions included)",
      "2:changes",
      "3:breaking changes (apply would refuse them)"})
final class PlanCommand implements Callable<Integer> {
  /** {@code --exit-code}: the plan's outcome as the exit code, for CI. */
  static final int CHANGES = 2;
  static final int BREAKING = 3;

  @Mixin RepoOption repo;
  @Mixin OutputOption output;

  @Option(names = "--prune", description = "Also drop superseded feature services, and superseded view versions nothing pins.")
  boolean prune;

  @Option(names = "--exit-code", description = "Exit 0 when nothing changes, 2 when something does, 3 when a change is breaking, 1 on any error.")
  boolean exitCode;

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
      if (!exitCode) {
        return 0;
      }
      return !plan.breaking().isEmpty() ? BREAKING : plan.isEmpty() ? 0 : CHANGES;
    } catch (DefinitionException e) {
      if (!exitCode) {
        throw e;
      }
      // 2 means "changes" here: invalid definitions are an error like any other
      spec.commandLine().getErr().println(e.getMessage());
      spec.commandLine().getErr().flush();
      return 1;
    }
  }

  /**
   * Usage errors of {@code plan --exit-code} exit 1, like its other errors: picocli's usage code is 2,
   * which means "changes" there (a CI script with a mistyped option would read it as a plan to apply).
   * Every other command line keeps {@code next}'s code.
   */
  static CommandLine.IParameterExceptionHandler usageErrors(CommandLine.IParameterExceptionHandler next) {
    return (ex, args) -> {
      int code = next.handleParseException(ex, args);
      boolean flagged = ex.getCommandLine().getCommandSpec().userObject() instanceof PlanCommand
          && Arrays.asList(args).contains("--exit-code");
      return flagged && code == CHANGES ? 1 : code;
    };
  }
}
