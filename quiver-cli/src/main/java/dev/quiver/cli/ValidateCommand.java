package dev.quiver.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.QuiverException;
import dev.quiver.core.quality.RuleResult;
import dev.quiver.core.repo.FeatureRepo;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
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

  /** {@code quiver validate results [--view V] [--since 1d|ISO] [--limit N] [--output table|json]}. */
  @Command(name = "results", description = "Rule results since a time, oldest first (the newest N with --limit):"
      + " materializations and training sets record every rule, pushes and stream batches only failures.")
  static final class Results implements Callable<Integer> {
    enum Format {
      table,
      json
    }

    @Option(names = "--view", paramLabel = "VIEW", description = "Only this view (all its versions), or name@vN.")
    String view;

    @Option(names = "--since", paramLabel = "WHEN", defaultValue = "1d",
        description = "A duration back from now (90s, 15m, 1h, 7d) or a time (2026-03-01, 2026-03-01T12:00:00Z). Default 1d.")
    String since;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "1000", description = "At most the newest N results. Default 1000.")
    int limit;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table", description = "table (default) or json.")
    Format format;

    @Mixin RepoOption repo;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      if (limit < 1) {
        throw new QuiverException("--limit must be at least 1, not " + limit);
      }
      Instant from = AuditCommand.Log.from(since);
      PrintWriter out = spec.commandLine().getOut();
      try (FeatureRepo r = FeatureRepo.open(repo.repo)) {
        List<RuleResult> all;
        try {
          all = r.registry().validationLog().read(from, view, Integer.MAX_VALUE);
        } catch (UnsupportedOperationException e) {
          throw new QuiverException("this registry store keeps no validation results; the file and PostgreSQL registries do");
        }
        List<RuleResult> results = all.subList(Math.max(0, all.size() - limit), all.size());
        if (format == Format.json) {
          ArrayNode arr = Json.MAPPER.createArrayNode();
          for (RuleResult x : results) {
            ObjectNode n = arr.addObject();
            n.put("time", x.time().toString());
            n.put("entry", x.entry());
            n.put("view", x.view());
            n.put("feature", x.feature());
            n.put("rule", x.rule());
            n.put("argument", x.argument());
            n.put("on_fail", x.onFail());
            n.put("rows_checked", x.rowsChecked());
            n.put("rows_failed", x.rowsFailed());
            ArrayNode samples = n.putArray("samples");
            x.samples().forEach(samples::add);
            n.put("outcome", x.outcome().spelling());
          }
          Json.print(arr, out);
          return 0;
        }
        if (results.isEmpty()) {
          out.println("No validation results since " + from + (view == null ? "" : " for view " + view) + ".");
          out.flush();
          return 0;
        }
        Table t = new Table("TIME", "ENTRY", "VIEW", "FEATURE", "RULE", "ON_FAIL", "CHECKED", "FAILED", "OUTCOME", "SAMPLES");
        for (RuleResult x : results) {
          t.add(x.time().toString(), x.entry(), x.view(), x.feature() == null ? "-" : x.feature(),
              x.rule() + "(" + x.argument() + ")", x.onFail(), Long.toString(x.rowsChecked()),
              Long.toString(x.rowsFailed()), x.outcome().spelling(), String.join(", ", x.samples()));
        }
        t.print(out);
        if (all.size() > results.size()) {
          out.printf("(the newest %d of %d results since %s; --limit N shows more)%n", results.size(), all.size(), from);
          out.flush();
        }
        return 0;
      }
    }
  }
}
