package dev.quiver.cli;

import dev.quiver.core.BreakingChangeException;
import dev.quiver.core.diff.Plan;
import dev.quiver.core.registry.VersionInfo;
import dev.quiver.core.repo.FeatureRepo;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import dev.quiver.core.online.ServingVersions;
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

  @Option(names = "--prune", description = "Drop superseded feature services, and superseded view versions nothing pins.")
  boolean prune;

  @Option(names = "--materialize", description = "Then materialize (to now) the view versions serving cannot answer in full:"
      + " new versions, and versions that gained features.")
  boolean materialize;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (FeatureRepo r = FeatureRepo.open(repo.repo)) {
      Plan plan = r.plan(prune);
      PlanPrinter.print(plan, out, false);
      Optional<VersionInfo> applied;
      String who = Authors.resolve(author);
      try {
        applied = r.apply(plan, who, message, force);
      } catch (BreakingChangeException e) {
        CliAudit.record(r, spec.commandLine().getErr(), who, "apply", "registry *", "failed",
            "refused: " + plan.breaking().size() + " breaking changes (no --force)");
        // the plan above lists them with their reasons and readers: say what to do, not the list again
        out.flush();
        PrintWriter err = spec.commandLine().getErr();
        int n = plan.breaking().size();
        err.printf("error: refusing to apply %s (listed above under BREAKING): give the view a new version"
            + " (version: N+1) so old and new coexist, or pass --force to change the meaning in place%n",
            n == 1 ? "1 breaking change" : n + " breaking changes");
        err.flush();
        return 1;
      } catch (RuntimeException e) {
        CliAudit.record(r, spec.commandLine().getErr(), who, "apply", "registry *", "failed", String.valueOf(e.getMessage()));
        throw e;
      }
      if (applied.isPresent()) {
        VersionInfo v = applied.get();
        CliAudit.record(r, spec.commandLine().getErr(), who, "apply", "registry *", "ok", "version " + v.version()
            + " (" + v.contentHash() + ", " + plan.changes().size() + " changes)"
            + (message.isEmpty() ? "" : ": " + message));
        out.printf("%nApplied registry version %d (%s) by %s at %s%n", v.version(), v.contentHash(), v.author(), v.appliedAt());
      }
      if (r.registry().head().isEmpty()) {
        out.flush();
        return 0;
      }
      List<ServingVersions.Pending> pending = r.servingVersions().pending();
      int exit = 0;
      if (materialize && !pending.isEmpty()) {
        List<String> views = pending.stream().map(ServingVersions.Pending::view).toList();
        out.printf("%nMaterializing %s to now:%n", String.join(", ", views));
        out.flush();
        // as 'quiver materialize': a view whose source data cannot be read fails alone, named on stderr
        exit = MaterializeCommand.run(spec.commandLine(), r, "materialize_incremental", views, "from each watermark to now",
            () -> r.materializeIncremental(views, Instant.now(),
            MaterializeCommand.listener(spec.commandLine().getErr()), Authors.resolve(author)));
        pending = r.servingVersions().pending();
      }
      printServing(out, pending);
      out.flush();
      return exit;
    }
  }

  /** What online serving does now: every view answered in full, or what is pending and why. */
  static void printServing(PrintWriter out, List<ServingVersions.Pending> pending) {
    if (pending.isEmpty()) {
      out.printf("%nServing: every online view version is materialized; reads answer from the newest versions.%n");
      return;
    }
    out.printf("%nServing:%n");
    for (ServingVersions.Pending p : pending) {
      out.printf("  %s%n", p.describe());
    }
    out.println("  (quiver apply --materialize materializes them right after applying)");
  }
}
