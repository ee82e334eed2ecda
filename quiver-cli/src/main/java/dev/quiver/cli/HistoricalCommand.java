package dev.quiver.cli;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.VersionedName;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.core.repo.TrainingSet;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code quiver historical}: a point-in-time-correct training set. */
@Command(name = "historical", description = "Build a point-in-time-correct training set: each query row gets the feature values as of its timestamp.")
final class HistoricalCommand implements Callable<Integer> {
  static final class Query {
    @Option(names = "--query", paramLabel = "FILE", required = true,
        description = "Query rows (Parquet or CSV; a glob works): entity keys, a timestamp, any label columns.")
    String file;

    @Option(names = "--query-sql", paramLabel = "SQL", required = true,
        description = "Query rows from one SELECT over the sources (each source is a table named after it) and files inside the repo.")
    String sql;
  }

  static final class Features {
    @Option(names = "--features", paramLabel = "REFS", split = ",", required = true,
        description = "Feature refs: view:feature, view@v2:feature or view:*, comma-separated.")
    List<String> refs;

    @Option(names = "--service", paramLabel = "NAME[@vN]", required = true, description = "A feature service.")
    String service;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Query query;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Features features;

  @Option(names = "--out", paramLabel = "FILE|DIR/", required = true, description = "Where to write the training set: a .parquet or"
      + " .csv file, or a directory (a path without those extensions, e.g. training/) of Parquet part files in query order,"
      + " written in parallel by the Spark executors.")
  Path out;

  @Option(names = "--allow-external-files",
      description = "Let --query-sql read files outside the feature repo (other folders, URLs); it is still one SELECT.")
  boolean allowExternalFiles;

  @Option(names = "--full-feature-names", description = "Name columns view__feature instead of feature.")
  boolean fullFeatureNames;

  @Option(names = "--timestamp-column", paramLabel = "COLUMN", description = "The query's timestamp column (default: event_timestamp, or the only timestamp column).")
  String timestampColumn;

  @Option(names = "--save", paramLabel = "NAME", description = "Record the run in the registry as a dataset that can be audited and reproduced.")
  String save;

  @Option(names = "--author", description = "Who saves the dataset: default $QUIVER_AUTHOR, else the OS user.")
  String author;

  @Option(names = "--preview", paramLabel = "N", description = "Print the first N rows (default ${DEFAULT-VALUE}).", defaultValue = "0")
  int preview;

  @Option(names = "--explain", description = "Print what the offline engine would run (its SQL) and stop.")
  boolean explain;

  @Mixin RepoOption repo;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (FeatureRepo r = FeatureRepo.open(repo.repo)) {
      HistoricalRequest request = request();
      if (explain) {
        out.print(r.offline().explain(r.planHistoricalFeatures(request), r.config().root()));
        out.flush();
        return 0;
      }
      long started = System.nanoTime();
      Progress progress = Progress.percent(err, "training set");
      TrainingSet set;
      try {
        set = r.writeHistoricalFeatures(request, this.out, p -> progress.update((long) p), save, Authors.resolve(author));
      } catch (RuntimeException e) {
        if (save != null) {
          CliAudit.record(r, err, Authors.resolve(author), "save_dataset", "dataset " + save, "failed", String.valueOf(e.getMessage()));
        }
        throw e;
      }
      if (set.dataset() != null) {
        CliAudit.record(r, err, Authors.resolve(author), "save_dataset", "dataset " + set.dataset().name(), "ok",
            set.rows() + " rows to " + set.dataset().output() + " (" + set.dataset().outputFingerprint() + "), registry version "
                + set.dataset().registryVersion());
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      progress.done(set.rows());
      out.printf("Wrote %,d rows x %d features to %s in %.2f s (%,.0f rows/s), registry version %d%n",
          set.rows(), set.plan().outputs().size(), shown(set.output()), seconds, set.rows() / Math.max(seconds, 1e-9),
          set.plan().registryVersion());
      if (set.dataset() != null) {
        out.printf("Saved as dataset '%s' (%s); reproduce with: quiver datasets reproduce %s --out FILE%n",
            set.dataset().name(), set.dataset().outputFingerprint(), set.dataset().name());
      }
      if (preview > 0) {
        Preview.print(r.offline(), set.output(), preview, out);
      }
      out.flush();
      return 0;
    }
  }

  /** The output as people read it: a directory with its part count. */
  static String shown(Path output) {
    if (!java.nio.file.Files.isDirectory(output)) {
      return output.toString();
    }
    int parts = dev.quiver.core.offline.DatasetDirectory.parts(output).size();
    return output + "/ (" + parts + " Parquet part file" + (parts == 1 ? "" : "s") + ")";
  }

  private HistoricalRequest request() {
    if (allowExternalFiles && query.sql == null) {
      throw new QuiverException("--allow-external-files applies to --query-sql only; a --query file may be anywhere already");
    }
    QueryInput input = query.file != null ? files(query.file) : new QueryInput.Sql(query.sql, allowExternalFiles);
    HistoricalRequest request;
    if (features.service != null) {
      VersionedName service = VersionedName.parse(features.service).orElseThrow(() ->
          new QuiverException("'" + features.service + "' is not a service; write NAME or NAME@vN"));
      request = new HistoricalRequest(input, List.of(), service.name(), service.version(), false, null);
    } else {
      List<FeatureRef> refs = new ArrayList<>();
      for (String ref : features.refs) {
        refs.add(FeatureRef.parse(ref).orElseThrow(() ->
            new QuiverException("'" + ref + "' is not a feature ref; write view:feature, view@v2:feature or view:*")));
      }
      request = HistoricalRequest.ofFeatures(input, refs);
    }
    return request.withFullFeatureNames(fullFeatureNames).withTimestampColumn(timestampColumn);
  }

  private static QueryInput files(String path) {
    try {
      return QueryInput.Files.of(path);
    } catch (IllegalArgumentException e) {
      throw new QuiverException(e.getMessage());
    }
  }
}
