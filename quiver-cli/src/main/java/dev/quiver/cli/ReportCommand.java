package dev.quiver.cli;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.Durations;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.monitor.DriftStatistics;
import dev.quiver.core.monitor.DriftThresholds;
import dev.quiver.core.monitor.FeatureDrift;
import dev.quiver.core.monitor.Verdict;
import dev.quiver.core.monitor.report.Histogram;
import dev.quiver.core.monitor.report.Report;
import dev.quiver.core.monitor.report.ReportHtml;
import dev.quiver.core.online.Freshness;
import dev.quiver.core.quality.RuleResult;
import dev.quiver.core.registry.Watermark;
import dev.quiver.core.repo.FeatureRepo;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quiver monitor report --baseline DATASET --current DATASET [--out report.html]}: one
 * self-contained HTML page with the drift of each feature and its histograms, drift per time bucket of
 * the current side, skew over time, freshness per view and validation results (docs/monitoring.md).
 * Exit 0 when the page is written (whatever it shows), 2 on a usage error or unreadable input.
 */
@Command(name = "report", description = "Write an HTML report: drift and value histograms per feature, drift per day (or hour) of"
    + " the current side, freshness per view, validation results. One self-contained file (no script, nothing fetched)."
    + " Exit 0 when written, 2 on a usage error.")
final class ReportCommand implements Callable<Integer> {
  /** Time columns looked for on the current side, in order, when --time-column is not given. */
  static final List<String> TIME_COLUMNS = List.of("served_at", "event_timestamp");
  /** At most this many time buckets. */
  static final int MAX_BUCKETS = 1000;

  @Option(names = "--baseline", required = true, paramLabel = "DATASET",
      description = "A saved training set's name (quiver datasets list), a .parquet or .csv file, or a directory of .parquet files.")
  String baseline;

  @Option(names = "--current", required = true, paramLabel = "DATASET", description = "The same kinds of input as --baseline.")
  String current;

  @Option(names = "--out", paramLabel = "FILE", defaultValue = "report.html", description = "The HTML file to write. Default report.html.")
  Path out;

  @Option(names = "--title", paramLabel = "TEXT", description = "The page's title. Default: Quiver monitoring report: PROJECT.")
  String title;

  @Option(names = "--since", paramLabel = "WHEN", defaultValue = "30d",
      description = "Validation and skew results from this time on: a duration back from now (12h, 7d) or a time (2026-03-01). Default 30d.")
  String since;

  @Option(names = "--time-column", paramLabel = "COLUMN",
      description = "The current side's time column for drift over time. Default: served_at, else event_timestamp, else its only timestamp column.")
  String timeColumn;

  @Option(names = "--bucket", paramLabel = "DURATION", defaultValue = "auto",
      description = "Drift-over-time bucket width (1h, 1d, 7d), aligned to UTC midnight. Default auto: 1h up to 2 days of data, 1d up to 90, else 7d.")
  String bucket;

  @Option(names = "--histogram-bins", paramLabel = "N", defaultValue = "20",
      description = "Equal-width bins of a numeric feature's histogram. Default 20.")
  int histogramBins;

  @Mixin DriftOptions options;
  @Mixin RepoOption repo;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    try {
      return write();
    } catch (QuiverException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return 2;
    }
  }

  private int write() {
    DriftThresholds thresholds = options.thresholds();
    if (histogramBins < 1 || histogramBins > Histogram.MAX_BINS) {
      throw new InvalidRequestException("--histogram-bins must be between 1 and " + Histogram.MAX_BINS + ", not " + histogramBins);
    }
    Duration width = bucket.equalsIgnoreCase("auto") ? null : Durations.parse(bucket).filter(d -> d.toSeconds() >= 1)
        .orElseThrow(() -> new InvalidRequestException("--bucket '" + bucket + "' is neither auto nor a duration of at least a second (1h, 1d, 7d)"));
    Instant from = Times.parseWhen(since, "--since");
    Instant now = Instant.now();
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:"); DriftCommand.Repo r = new DriftCommand.Repo(repo.repo)) {
      try (Statement s = duckdb.createStatement()) {
        s.execute("SET TimeZone = 'UTC'"); // zoned times bucket by UTC days
      }
      DriftInput base = r.input(baseline, duckdb);
      DriftInput cur = r.input(current, duckdb);
      Set<String> keys = r.entityKeys();
      long baseRows = base.rows();
      long curRows = cur.rows();
      Timeline timeline = Timeline.of(cur, timeColumn, width, options);
      List<Report.Feature> features = new ArrayList<>();
      for (String f : DriftCommand.featureNames(options.features, base, cur, keys)) {
        Histogram[] histogram = new Histogram[1];
        FeatureDrift d = DriftCommand.compare(f, base, baseRows, cur, curRows, keys, options, thresholds, new DriftCommand.Seen() {
          @Override
          public void numbers(DriftInput.Numbers b, DriftInput.Numbers c) {
            histogram[0] = Histogram.numeric(b.values(), c.values(), histogramBins);
            timeline.numeric(f, b);
          }

          @Override
          public void counts(DriftInput.Counts b, DriftInput.Counts c) {
            histogram[0] = Histogram.categorical(DriftStatistics.categoryBins(b.counts(), c.counts(), options.topK));
            timeline.categorical(f, b);
          }
        });
        features.add(new Report.Feature(d, d.kind() == FeatureDrift.Kind.NOT_COMPARED ? null : histogram[0]));
      }
      FeatureRepo fr = r.repo();
      Report report = new Report(title != null ? title : "Quiver monitoring report" + project(fr), now,
          new Report.Side(base.label, baseRows), new Report.Side(cur.label, curRows), thresholds, features, timeline.result(),
          skew(fr, from), freshness(fr), validation(fr, from));
      writeFile(report);
      PrintWriter o = spec.commandLine().getOut();
      List<String> drifted = features.stream().map(Report.Feature::drift).filter(d -> d.verdict() == Verdict.DRIFT)
          .map(FeatureDrift::feature).toList();
      o.printf("Wrote %s: %s; drift over time: %s; freshness: %d views; validation: %d results since %s%n", out,
          drifted.isEmpty() ? "no drift in " + features.size() + " features"
              : "DRIFT in " + drifted.size() + " of " + features.size() + " features (" + String.join(", ", drifted) + ")",
          report.timeline().starts().isEmpty() ? "none" : report.timeline().starts().size() + " buckets of " + report.timeline().bucket()
              + " by " + report.timeline().timeColumn(),
          report.freshness().rows().size(), report.validation().rows().size(), from);
      o.flush();
      return 0;
    } catch (SQLException e) {
      throw new QuiverException("DuckDB did not start: " + e.getMessage());
    }
  }

  private void writeFile(Report report) {
    Path target = out.toAbsolutePath();
    try {
      if (target.getParent() != null) {
        Files.createDirectories(target.getParent());
      }
      Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
      try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        ReportHtml.write(report, w);
      }
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new QuiverException("cannot write the report to " + out + ": " + e.getMessage());
    }
  }

  private static String project(FeatureRepo r) {
    try {
      return r == null ? "" : ": " + r.appliedDefinitions().project();
    } catch (QuiverException e) {
      return "";
    }
  }

  /**
   * Skew results over time: what runs of {@code quiver monitor skew} and the server's schedule recorded in the
   * registry store's {@link dev.quiver.core.monitor.SkewLog} from {@code since} on, one point per run and feature.
   */
  static Report.Section<Report.SkewPoint> skew(FeatureRepo r, Instant since) {
    if (r == null) {
      return Report.Section.empty("No feature repo here (give --repo): skew results are not shown.");
    }
    List<dev.quiver.core.monitor.SkewResult> results;
    try {
      results = r.registry().skewLog().read(since, null, Integer.MAX_VALUE);
    } catch (UnsupportedOperationException e) {
      return Report.Section.empty("This registry store keeps no skew results.");
    }
    List<Report.SkewPoint> points = new ArrayList<>();
    for (dev.quiver.core.monitor.SkewResult s : results) {
      points.add(new Report.SkewPoint(s.time(), s.service(), s.feature(), s.rowsCompared(), s.mismatches()));
    }
    return new Report.Section<>(points, points.isEmpty() ? "No skew results since " + since
        + ": run quiver monitor skew, or schedule it in quiver serve (monitoring: {skew: ...})." : "");
  }

  /** Each online view's newest event time (the online store's freshness rows) and its materialization watermark. */
  static Report.Section<Report.ViewFreshness> freshness(FeatureRepo r) {
    if (r == null) {
      return Report.Section.empty("No feature repo here (give --repo): freshness per view is not shown.");
    }
    dev.quiver.core.model.Definitions defs;
    try {
      defs = r.appliedDefinitions();
    } catch (QuiverException e) {
      return Report.Section.empty("Nothing applied to the registry yet (quiver apply): no views to show.");
    }
    List<String> views = defs.views().stream().filter(FeatureView::online).map(FeatureView::qualifiedName).toList();
    if (views.isEmpty()) {
      return Report.Section.empty("No online views.");
    }
    Map<String, Watermark> marks = new HashMap<>();
    r.registry().watermarks().forEach(w -> marks.put(w.view(), w));
    Map<String, Instant> newest = Map.of();
    String note = "";
    try {
      newest = Freshness.read(r.online(), defs.project(), views);
    } catch (RuntimeException e) {
      note = "The online store could not be read (" + e.getMessage() + "): newest event times are not shown.";
    }
    List<Report.ViewFreshness> rows = new ArrayList<>();
    for (String v : views) {
      Watermark w = marks.get(v);
      rows.add(new Report.ViewFreshness(v, newest.get(v), w == null ? null : w.end(), w == null ? null : w.updatedAt()));
    }
    return new Report.Section<>(rows, note);
  }

  /** The registry store's validation results from {@code since} on. */
  static Report.Section<RuleResult> validation(FeatureRepo r, Instant since) {
    if (r == null) {
      return Report.Section.empty("No feature repo here (give --repo): validation results are not shown.");
    }
    try {
      List<RuleResult> results = r.registry().validationLog().read(since, null, Integer.MAX_VALUE);
      return new Report.Section<>(results, results.isEmpty() ? "No validation results since " + since + "." : "");
    } catch (UnsupportedOperationException e) {
      return Report.Section.empty("This registry store keeps no validation results.");
    }
  }
}
