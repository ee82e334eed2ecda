package dev.quiver.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.online.MaterializationException;
import dev.quiver.core.online.Materializer;
import dev.quiver.core.repo.FeatureRepo;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code quiver materialize START END}: latest feature rows from the offline store into the online
 * store; {@code quiver materialize --rebuild VIEW [END]}: one view's online state dropped and rebuilt
 * from the beginning.
 */
@Command(name = "materialize", description = {
    "Write, per entity, the latest feature row with START <= event_ts <= END to the online store.",
    "With --rebuild VIEW [END]: drop the view's online rows and watermark, and materialize it from the beginning to END"
        + " (default now)."})
final class MaterializeCommand implements Callable<Integer> {
  @Parameters(arity = "0..2", paramLabel = "START END",
      description = "now, 2026-03-01, 2026-03-01T12:00:00Z (UTC); with --rebuild only END, default now.")
  List<String> times = new ArrayList<>();

  @Option(names = "--rebuild", paramLabel = "VIEW", split = ",",
      description = "Rebuild these views (name or name@vN) from the offline store: drop their online rows, reset their"
          + " watermarks, materialize from the beginning.")
  List<String> rebuild = new ArrayList<>();

  @Option(names = "--views", paramLabel = "VIEW", split = ",", description = "Only these views (name or name@vN); default: every online view.")
  List<String> views = new ArrayList<>();

  @Option(names = "--author", description = "Recorded with the watermark: default $QUIVER_AUTHOR, else the OS user.")
  String author;

  @Mixin RepoOption repo;
  @Mixin TokenOption token;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (!rebuild.isEmpty()) {
      if (!views.isEmpty() || times.size() > 1) {
        throw new dev.quiver.core.QuiverException("--rebuild takes the views itself and one END at most:"
            + " quiver materialize --rebuild VIEW[,VIEW] [END]");
      }
      Instant to = times.isEmpty() ? Times.parse("now") : Times.parse(times.getFirst());
      var server = RunningServer.find(repo.repo, token.resolve(), spec.commandLine().getErr());
      if (server.isPresent()) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("rebuild", true).put("end_ts", to.toString());
        rebuild.forEach(body.putArray("feature_views")::add);
        return runRemote(spec.commandLine(), server.get(), "/materialize", body);
      }
      try (FeatureRepo r = FeatureRepo.open(repo.repo)) {
        return run(spec.commandLine(), r, "rebuild", rebuild, "to " + to, () -> r.rebuild(rebuild, to, listener(spec.commandLine().getErr()),
            Authors.resolve(author)));
      }
    }
    if (times.size() != 2) {
      throw new dev.quiver.core.QuiverException("materialize needs START and END (quiver materialize 2026-01-01 now),"
          + " or --rebuild VIEW [END]");
    }
    Instant from = Times.parse(times.get(0));
    Instant to = Times.parse(times.get(1));
    var server = RunningServer.find(repo.repo, token.resolve(), spec.commandLine().getErr());
    if (server.isPresent()) {
      ObjectNode body = Json.MAPPER.createObjectNode().put("start_ts", from.toString()).put("end_ts", to.toString());
      views.forEach(body.putArray("feature_views")::add);
      return runRemote(spec.commandLine(), server.get(), "/materialize", body);
    }
    try (FeatureRepo r = FeatureRepo.open(repo.repo)) {
      return run(spec.commandLine(), r, "materialize", views, "from " + from + " to " + to,
          () -> r.materialize(views, from, to, listener(spec.commandLine().getErr()),
          Authors.resolve(author)));
    }
  }

  /**
   * Runs a materialization and prints its table, recording the outcome in the audit log ({@link
   * CliAudit}). Views whose source data could not be read get a line each on stderr (the others are
   * still materialized and listed) and exit code 1.
   *
   * @param action {@code materialize}, {@code materialize_incremental} or {@code rebuild}
   * @param views the views named (every online view when empty)
   * @param range the time range, for the audit log
   */
  static int run(picocli.CommandLine cli, FeatureRepo repo, String action, List<String> views, String range,
      Supplier<List<Materializer.ViewResult>> run) {
    PrintWriter out = cli.getOut();
    PrintWriter err = cli.getErr();
    String resource = "feature_view " + (views.isEmpty() ? "* (every online view)" : String.join(", ", views));
    String who = Authors.resolve(null);
    try {
      List<Materializer.ViewResult> results = run.get();
      CliAudit.record(repo, err, who, action, resource, "ok", range + ": "
          + results.stream().mapToLong(Materializer.ViewResult::rowsWritten).sum() + " rows written to "
          + results.stream().map(Materializer.ViewResult::view).toList());
      report(out, results);
      return 0;
    } catch (MaterializationException e) {
      CliAudit.record(repo, err, who, action, resource, "failed", range + ": " + e.failed().size()
          + " views not materialized: " + e.failed().stream().map(MaterializationException.ViewFailure::view).toList());
      if (!e.completed().isEmpty()) {
        report(out, e.completed());
      }
      out.flush();
      for (MaterializationException.ViewFailure f : e.failed()) {
        err.println("error: view " + f.view() + " not materialized: " + f.cause().getMessage());
      }
      int total = e.completed().size() + e.failed().size();
      err.printf("error: %d of %d %s not materialized%s; fix the source data and run again%n", e.failed().size(), total,
          total == 1 ? "view" : "views", e.completed().isEmpty() ? "" : " (the others were)");
      err.flush();
      return 1;
    } catch (RuntimeException e) {
      CliAudit.record(repo, err, who, action, resource, "failed", range + ": " + e.getMessage());
      throw e;
    }
  }

  /**
   * Runs a materialization on the server that owns the online store ({@link RemoteMaterialization})
   * and prints what {@link #run} prints for a local one.
   */
  static int runRemote(picocli.CommandLine cli, RunningServer server, String route, ObjectNode body) {
    try {
      report(cli.getOut(), RemoteMaterialization.run(server, route, body, listener(cli.getErr())));
      return 0;
    } catch (RemoteMaterialization.Failed e) {
      if (!e.completed().isEmpty()) {
        report(cli.getOut(), e.completed());
      }
      cli.getOut().flush();
      cli.getErr().println("error: " + e.getMessage());
      cli.getErr().flush();
      return 1;
    }
  }

  /** Prints a running count per view on stderr. */
  static Materializer.Listener listener(PrintWriter err) {
    boolean terminal = System.console() != null;
    return new Materializer.Listener() {
      long lastPrinted;

      @Override
      public void batchWritten(String view, long rowsRead, long rowsWritten) {
        if (terminal) {
          err.printf(Locale.ROOT, "\r  %s: %,d rows", view, rowsRead);
          err.flush();
        } else if (rowsRead - lastPrinted >= 1_000_000) {
          lastPrinted = rowsRead;
          err.printf(Locale.ROOT, "  %s: %,d rows%n", view, rowsRead);
          err.flush();
        }
      }

      @Override
      public void viewDone(Materializer.ViewResult result) {
        lastPrinted = 0;
        if (terminal) {
          err.print("\r");
          err.flush();
        }
      }
    };
  }

  static void report(PrintWriter out, List<Materializer.ViewResult> results) {
    Table t = new Table("VIEW", "FROM", "TO", "ROWS READ", "WRITTEN", "SECONDS", "ROWS/S");
    for (Materializer.ViewResult v : results) {
      double s = v.took().toNanos() / 1e9;
      t.add(v.view(), v.start().toString(), v.end().toString(), String.format(Locale.ROOT, "%,d", v.rowsRead()),
          String.format(Locale.ROOT, "%,d", v.rowsWritten()), String.format(Locale.ROOT, "%.2f", s),
          String.format(Locale.ROOT, "%,.0f", v.rowsRead() / Math.max(s, 1e-9)));
    }
    t.print(out);
    for (Materializer.ViewResult v : results) {
      if (v.start().isAfter(v.end())) {
        out.printf("%s: already materialized to %s, after %s; nothing to do (materialize START END rebuilds any range)%n",
            v.view(), v.start(), v.end());
      } else if (v.nothingNew()) {
        out.printf("%s: nothing new: no source rows from %s to %s; nothing written%n", v.view(), v.start(), v.end());
      }
      if (v.keysSkippedConcurrent() > 0) {
        out.printf(Locale.ROOT, "%s: %,d tile row(s) were written online (a push or a stream) during the run and were left"
            + " as the writers made them; run materialize again and it rebuilds them%n", v.view(), v.keysSkippedConcurrent());
      }
    }
  }
}
