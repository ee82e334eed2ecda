package dev.quiver.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.QuiverException;
import dev.quiver.core.monitor.FeatureSkew;
import dev.quiver.core.monitor.SkewCheck;
import dev.quiver.core.monitor.SkewExample;
import dev.quiver.core.monitor.SkewReport;
import dev.quiver.core.monitor.SkewRequest;
import dev.quiver.core.monitor.SkewResult;
import dev.quiver.core.repo.FeatureRepo;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quiver monitor skew --service S}: logged online answers recomputed offline at the time they
 * were served, the mismatch rate per feature (docs/monitoring.md, "Skew"); each run's results are
 * recorded in the registry store. Exit 0 when no feature is above {@code --fail-rate}, 1 when one is,
 * 2 on a usage error or unreadable logs.
 */
@Command(name = "skew", description = "Recompute a feature service's logged online answers offline at the time each was"
    + " served and report, per feature, the rows compared, the mismatches and their rate, with examples. The results"
    + " are recorded in the registry. Exit 0, 1 when a feature's mismatch rate is above --fail-rate, 2 on a usage error.",
    subcommands = {SkewCommand.Results.class})
final class SkewCommand implements Callable<Integer> {
  private static final Logger LOG = Logger.getLogger(SkewCommand.class.getName());

  enum Format {
    table,
    json
  }

  /** The feature-log folder when neither --logs nor quiver.yaml's feature_logging.path names one, relative to the repo. */
  static final String DEFAULT_LOGS = "feature_logs";

  @Option(names = "--service", paramLabel = "NAME", description = "The feature service whose logs are compared (required).")
  String service;

  @Option(names = "--since", paramLabel = "WHEN", defaultValue = "1d",
      description = "Rows served at or after: a duration back from now (90s, 15m, 1h, 7d) or a time (2026-03-01,"
          + " 2026-03-01T12:00:00Z). Default 1d.")
  String since;

  @Option(names = "--until", paramLabel = "WHEN", description = "Rows served before this time (or duration back from now). Default: now.")
  String until;

  @Option(names = "--logs", paramLabel = "DIR",
      description = "The feature-log folder (holding a folder per service). Default: quiver.yaml's feature_logging.path, else "
          + DEFAULT_LOGS + " in the repo.")
  Path logs;

  @Option(names = "--sample", paramLabel = "N", defaultValue = "" + SkewRequest.DEFAULT_SAMPLE,
      description = "Compare at most N logged rows, a uniform random sample when there are more. Default 100000.")
  int sample;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "The sample's seed. Default 1.")
  long seed;

  @Option(names = "--fail-rate", paramLabel = "R",
      description = "Exit 1 when a feature's mismatch rate is above R (0.01 = 1%%). Default: report only.")
  Double failRate;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table", description = "table (default) or json.")
  Format format;

  @Mixin RepoOption repo;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    try {
      return check();
    } catch (QuiverException | IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return 2;
    }
  }

  private int check() {
    if (service == null) {
      throw new QuiverException("--service NAME is required: the feature service whose logs are compared");
    }
    if (failRate != null && (failRate < 0 || failRate > 1 || failRate.isNaN())) {
      throw new QuiverException("--fail-rate must be between 0 and 1 (0.01 = 1%), not " + failRate);
    }
    if (sample < 1) {
      throw new QuiverException("--sample must be at least 1, not " + sample);
    }
    Instant from = Times.parseWhen(since, "--since");
    Instant to = until == null ? null : Times.parseWhen(until, "--until");
    if (to != null && !from.isBefore(to)) {
      throw new QuiverException("--since " + from + " is not before --until " + to + ": no row can be served in between");
    }
    try (FeatureRepo r = FeatureRepo.open(repo.repo)) {
      Path dir = logs != null ? logs : r.config().root().resolve(String.valueOf(
          r.config().featureLogging().getOrDefault("path", DEFAULT_LOGS)));
      SkewReport report = SkewCheck.run(r, new SkewRequest(service, from, to, dir, sample, seed));
      record(r, report);
      print(report);
      return failRate != null && !report.above(failRate).isEmpty() ? 1 : 0;
    }
  }

  private static void record(FeatureRepo r, SkewReport report) {
    if (report.features().isEmpty()) {
      return;
    }
    try {
      r.registry().skewLog().append(report.results(Instant.now()));
    } catch (UnsupportedOperationException e) {
      LOG.warning(() -> "the skew results are not recorded: " + e.getMessage());
    }
  }

  private void print(SkewReport report) {
    PrintWriter out = spec.commandLine().getOut();
    List<FeatureSkew> failing = failRate == null ? List.of() : report.above(failRate);
    if (format == Format.json) {
      ObjectNode root = Json.MAPPER.createObjectNode();
      root.put("service", report.service());
      root.put("since", report.since() == null ? null : report.since().toString());
      root.put("until", report.until() == null ? null : report.until().toString());
      root.put("files", report.files()).put("rows_logged", report.rowsLogged()).put("rows_compared", report.rowsCompared());
      ArrayNode versions = root.putArray("service_versions");
      report.serviceVersions().forEach(versions::add);
      if (failRate == null) {
        root.putNull("fail_rate");
      } else {
        root.put("fail_rate", failRate);
      }
      root.put("skew", !failing.isEmpty());
      ArrayNode fs = root.putArray("features");
      for (FeatureSkew f : report.features()) {
        ObjectNode n = fs.addObject();
        n.put("feature", f.feature()).put("rows_compared", f.rowsCompared()).put("mismatches", f.mismatches())
            .put("mismatch_rate", f.mismatchRate()).put("served_null_only", f.servedNullOnly())
            .put("offline_null_only", f.offlineNullOnly()).put("values_differ", f.valuesDiffer());
        ArrayNode ex = n.putArray("examples");
        for (SkewExample e : f.examples()) {
          ObjectNode x = ex.addObject();
          ObjectNode keys = x.putObject("keys");
          e.keys().forEach(keys::put);
          x.put("served_at", e.servedAt().toString()).put("status", e.status()).put("served", e.served())
              .put("offline", e.offline());
        }
      }
      ArrayNode notes = root.putArray("notes");
      report.notes().forEach(notes::add);
      Json.print(root, out);
      return;
    }
    out.printf("service %s: %d rows logged%s%s (%d %s), %d compared (service versions %s)%n", report.service(),
        report.rowsLogged(), report.since() == null ? "" : " from " + report.since(),
        report.until() == null ? "" : " until " + report.until(), report.files(), report.files() == 1 ? "file" : "files",
        report.rowsCompared(), report.serviceVersions().stream().map(v -> "v" + v).collect(java.util.stream.Collectors.joining(", ")));
    report.notes().forEach(n -> out.println("note: " + n));
    if (report.features().isEmpty()) {
      out.println("No logged rows of service " + report.service() + " to compare.");
      out.flush();
      return;
    }
    out.println();
    Table t = new Table("FEATURE", "COMPARED", "MISMATCHES", "RATE", "SERVED_NULL", "OFFLINE_NULL", "DIFFER");
    for (FeatureSkew f : report.features()) {
      t.add(f.feature(), Long.toString(f.rowsCompared()), Long.toString(f.mismatches()), rate(f.mismatchRate()),
          Long.toString(f.servedNullOnly()), Long.toString(f.offlineNullOnly()), Long.toString(f.valuesDiffer()));
    }
    t.print(out);
    boolean anyExample = false;
    for (FeatureSkew f : report.features()) {
      for (SkewExample e : f.examples()) {
        if (!anyExample) {
          out.println();
          out.println("Examples:");
          anyExample = true;
        }
        out.println("  " + f.feature() + ": " + e.describe());
      }
    }
    out.println();
    long mismatched = report.features().stream().filter(f -> f.mismatches() > 0).count();
    if (!failing.isEmpty()) {
      out.println("SKEW in " + failing.size() + " of " + report.features().size() + " features (mismatch rate above "
          + failRate + "): " + String.join(", ", failing.stream().map(FeatureSkew::feature).toList()));
    } else if (mismatched == 0) {
      out.println("No skew: " + report.features().size() + " features, every served value equals its offline recomputation");
    } else {
      out.println(mismatched + " of " + report.features().size() + " features have mismatches"
          + (failRate == null ? " (--fail-rate R makes a rate above R exit 1)" : ", none above " + failRate));
    }
    out.flush();
  }

  static String rate(double r) {
    return String.format(Locale.ROOT, "%.4f", r);
  }

  /** {@code quiver monitor skew results [--service S] [--since WHEN] [--until WHEN] [--limit N] [--output table|json]}. */
  @Command(name = "results", description = "Skew results recorded by earlier runs (the CLI's and the server's), oldest first"
      + " (the newest N with --limit).")
  static final class Results implements Callable<Integer> {
    @Option(names = "--service", paramLabel = "NAME", description = "Only this feature service.")
    String service;

    @Mixin RecordListing listing;
    @Mixin RepoOption repo;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      try (FeatureRepo r = FeatureRepo.open(repo.repo)) {
        listing.print(new RecordListing.Kind<SkewResult>("skew results", service == null ? "" : " for service " + service,
            from -> r.registry().skewLog().read(from, service, Integer.MAX_VALUE), SkewResult::time,
            (x, n) -> {
              n.put("time", x.time().toString()).put("service", x.service()).put("feature", x.feature())
                  .put("since", RecordListing.text(x.since())).put("until", RecordListing.text(x.until()))
                  .put("rows_compared", x.rowsCompared()).put("mismatches", x.mismatches())
                  .put("mismatch_rate", x.mismatchRate());
              ArrayNode ex = n.putArray("examples");
              x.examples().forEach(ex::add);
            },
            new String[] {"TIME", "SERVICE", "FEATURE", "COMPARED", "MISMATCHES", "RATE"},
            x -> new String[] {x.time().toString(), x.service(), x.feature(), Long.toString(x.rowsCompared()),
                Long.toString(x.mismatches()), rate(x.mismatchRate())}),
            "7d", spec.commandLine().getOut(), spec.commandLine().getErr());
        return 0;
      }
    }
  }
}
