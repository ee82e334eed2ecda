package dev.quiver.cli;

import dev.quiver.core.diff.Plan;
import dev.quiver.core.registry.VersionInfo;
import dev.quiver.core.repo.FeatureRepo;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code quiver apply}: validate the definitions and record them as a new registry version. */
@Command(name = "apply", description = "Validate the definitions and record them as a new registry version.")
final class ApplyCommand implements Callable<Integer> {
  @Mixin RepoOption repo;

  @Option(names = {"-m", "--message"}, description = "Why: recorded in the registry's audit log.", defaultValue = "")
  String message;

  @Option(names = "--author", description = "Who: default $QUIVER_AUTHOR, else the OS user.")
  String author;

  @Option(names = "--force", description = "Apply even when the change alters what an online feature means.")
  boolean force;

  @Option(names = "--prune", description = "Drop superseded view versions that no feature service pins.")
  boolean prune;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (FeatureRepo r = FeatureRepo.open(repo.repo)) {
      Plan plan = r.plan(prune);
      PlanPrinter.print(plan, out);
      Optional<VersionInfo> applied = r.apply(plan, Authors.resolve(author), message, force);
      if (applied.isPresent()) {
        VersionInfo v = applied.get();
        out.printf("%nApplied registry version %d (%s) by %s at %s%n", v.version(), v.contentHash(), v.author(), v.appliedAt());
      }
      out.flush();
      return 0;
    }
  }
}
