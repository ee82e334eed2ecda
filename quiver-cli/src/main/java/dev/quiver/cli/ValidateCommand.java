package dev.quiver.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.quiver.core.quality.RuleResult;
import dev.quiver.core.repo.FeatureRepo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code quiver validate results}: the validation results the registry store keeps (docs/validation.md). */
@Command(name = "validate", description = "Data validation: the results of the rules checked where data entered.",
    subcommands = {ValidateCommand.Results.class})
final class ValidateCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code quiver validate results [--view V] [--since WHEN] [--until WHEN] [--limit N] [--output table|json]}. */
  @Command(name = "results", description = "Rule results since a time, oldest first (the newest N with --limit):"
      + " materializations and training sets record every rule, pushes and stream batches only failures.")
  static final class Results implements Callable<Integer> {
    @Option(names = "--view", paramLabel = "VIEW", description = "Only this view (all its versions), or name@vN.")
    String view;

    @Mixin RecordListing listing;
    @Mixin RepoOption repo;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      try (FeatureRepo r = FeatureRepo.open(repo.repo)) {
        listing.print(new RecordListing.Kind<RuleResult>("validation results", view == null ? "" : " for view " + view,
            from -> r.registry().validationLog().read(from, view, Integer.MAX_VALUE), RuleResult::time,
            (x, n) -> {
              n.put("time", x.time().toString()).put("entry", x.entry()).put("view", x.view()).put("feature", x.feature())
                  .put("rule", x.rule()).put("argument", x.argument()).put("on_fail", x.onFail())
                  .put("rows_checked", x.rowsChecked()).put("rows_failed", x.rowsFailed());
              ArrayNode samples = n.putArray("samples");
              x.samples().forEach(samples::add);
              n.put("outcome", x.outcome().spelling());
            },
            new String[] {"TIME", "ENTRY", "VIEW", "FEATURE", "RULE", "ON_FAIL", "CHECKED", "FAILED", "OUTCOME", "SAMPLES"},
            x -> new String[] {x.time().toString(), x.entry(), x.view(), x.feature() == null ? "-" : x.feature(),
                x.rule() + "(" + x.argument() + ")", x.onFail(), Long.toString(x.rowsChecked()),
                Long.toString(x.rowsFailed()), x.outcome().spelling(), String.join(", ", x.samples())}),
            "1d", spec.commandLine().getOut(), spec.commandLine().getErr());
        return 0;
      }
    }
  }
}
