package dev.quiver.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.monitor.DriftThresholds;
import dev.quiver.core.monitor.FeatureDrift;
import dev.quiver.core.monitor.Measure;
import dev.quiver.core.monitor.Verdict;
import dev.quiver.core.registry.DatasetRecord;
import dev.quiver.core.repo.FeatureRepo;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quiver monitor drift --baseline DATASET --current DATASET}: PSI, Kolmogorov-Smirnov and
 * chi-squared per feature, null-rate changes; exit 0 without drift, 1 with drift past a fail
 * threshold, 2 on a usage error or unreadable input.
 */
@Command(name = "drift", description = "Compare each feature's distribution in a current dataset with a baseline:"
    + " PSI and Kolmogorov-Smirnov for numbers, PSI and chi-squared for strings and booleans, null rates."
    + " Exit 0 without drift, 1 when a statistic passes a fail threshold, 2 on a usage error.")
final class DriftCommand implements Callable<Integer> {
  enum Format {
    table,
    json
  }

  @Option(names = "--baseline", required = true, paramLabel = "DATASET",
      description = "A saved training set's name (quiver datasets list), a .parquet or .csv file, or a directory of .parquet files.")
  String baseline;

  @Option(names = "--current", required = true, paramLabel = "DATASET", description = "The same kinds of input as --baseline.")
  String current;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table", description = "table (default) or json.")
  Format format;

  @Mixin DriftOptions options;
  @Mixin RepoOption repo;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    try {
      return compare();
    } catch (QuiverException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return 2;
    }
  }

  private int compare() {
    DriftThresholds thresholds = options.thresholds();
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:"); Repo r = new Repo(repo.repo)) {
      DriftInput base = r.input(baseline, duckdb);
      DriftInput cur = r.input(current, duckdb);
      Set<String> keys = r.entityKeys();
      List<FeatureDrift> results = new ArrayList<>();
      long baseRows = base.rows();
      long curRows = cur.rows();
      for (String f : featureNames(options.features, base, cur, keys)) {
        results.add(compare(f, base, baseRows, cur, curRows, keys, options, thresholds, null));
      }
      print(base, baseRows, cur, curRows, results, thresholds);
      return results.stream().anyMatch(d -> d.verdict() == Verdict.DRIFT) ? 1 : 0;
    } catch (SQLException e) {
      throw new QuiverException("DuckDB did not start: " + e.getMessage());
    }
  }

  /** The features to compare: {@code wanted} when given, else a saved dataset's features, else the files' columns. */
  static List<String> featureNames(List<String> wanted, DriftInput base, DriftInput cur, Set<String> keys) {
    if (wanted != null && !wanted.isEmpty()) {
      return wanted.stream().map(String::strip).distinct().toList();
    }
    Set<String> names = new LinkedHashSet<>();
    for (DriftInput side : List.of(base, cur)) {
      if (side.record != null) {
        for (var f : side.record.features()) {
          // the record's refs carry the view version they resolved to; the columns are named as the request asked
          // (user_txn__amount for user_txn:amount with full feature names, user_txn@v1__amount only for user_txn@v1:amount)
          String n = f.outputName(side.record.fullFeatureNames());
          String unversioned = n.replaceFirst("@v[0-9]+__", "__");
          names.add(side.has(n) || !side.has(unversioned) ? n : unversioned);
        }
      }
    }
    if (names.isEmpty()) {
      for (DriftInput side : List.of(base, cur)) {
        side.columns().stream().filter(c -> !keys.contains(c) && side.kind(c) != DriftInput.ColumnKind.TIMESTAMP).forEach(names::add);
      }
    }
    return List.copyOf(names);
  }

  /** What one comparison read: a numeric feature's values or a categorical one's counts, per side. */
  interface Seen {
    void numbers(DriftInput.Numbers baseline, DriftInput.Numbers current);

    void counts(DriftInput.Counts baseline, DriftInput.Counts current);
  }

  /** Compares one feature; {@code seen} (may be null) is shown the values read, before they are dropped. */
  static FeatureDrift compare(String f, DriftInput base, long baseRows, DriftInput cur, long curRows, Set<String> keys,
      DriftOptions options, DriftThresholds thresholds, Seen seen) {
    if (!base.has(f) || !cur.has(f)) {
      return FeatureDrift.notCompared(f, base.has(f) ? baseRows : 0, cur.has(f) ? curRows : 0,
          "absent from the " + (!base.has(f) && !cur.has(f) ? "baseline and the current side" : !base.has(f) ? "baseline" : "current side"));
    }
    if (keys.contains(f)) {
      return FeatureDrift.notCompared(f, baseRows, curRows, "an entity key");
    }
    DriftInput.ColumnKind bk = base.kind(f);
    DriftInput.ColumnKind ck = cur.kind(f);
    if (bk == DriftInput.ColumnKind.TIMESTAMP || ck == DriftInput.ColumnKind.TIMESTAMP) {
      return FeatureDrift.notCompared(f, baseRows, curRows, "a timestamp");
    }
    if (bk != ck || bk == DriftInput.ColumnKind.OTHER) {
      return FeatureDrift.notCompared(f, baseRows, curRows, bk != ck
          ? "types differ: " + base.type(f) + " in the baseline, " + cur.type(f) + " in the current side"
          : "type " + base.type(f) + " is not compared (numbers, strings and booleans are)");
    }
    if (bk == DriftInput.ColumnKind.NUMERIC) {
      DriftInput.Numbers b = base.numbers(f);
      DriftInput.Numbers c = cur.numbers(f);
      if (seen != null) {
        seen.numbers(b, c);
      }
      return FeatureDrift.numeric(f, b.values(), b.nulls(), c.values(), c.nulls(), options.bins, thresholds);
    }
    DriftInput.Counts b = base.counts(f);
    DriftInput.Counts c = cur.counts(f);
    if (seen != null) {
      seen.counts(b, c);
    }
    return FeatureDrift.categorical(f, b.counts(), b.nulls(), c.counts(), c.nulls(), options.topK, thresholds);
  }

  private void print(DriftInput base, long baseRows, DriftInput cur, long curRows, List<FeatureDrift> results,
      DriftThresholds thresholds) {
    PrintWriter out = spec.commandLine().getOut();
    List<String> drifted = results.stream().filter(d -> d.verdict() == Verdict.DRIFT).map(FeatureDrift::feature).toList();
    if (format == Format.json) {
      ObjectNode root = Json.MAPPER.createObjectNode();
      root.put("baseline", base.label).put("baseline_rows", baseRows).put("current", cur.label).put("current_rows", curRows)
          .put("bins", options.bins).put("top_k", options.topK).put("drift", !drifted.isEmpty());
      ObjectNode t = root.putObject("thresholds");
      t.put("psi_warn", thresholds.psiWarn()).put("psi_fail", thresholds.psiFail());
      number(t, "ks_fail", thresholds.ksFailP());
      number(t, "chi2_fail", thresholds.chi2FailP());
      number(t, "null_rate_fail", thresholds.nullRateFail());
      ArrayNode fs = root.putArray("features");
      for (FeatureDrift d : results) {
        ObjectNode n = fs.addObject();
        n.put("feature", d.feature()).put("kind", d.kind().name().toLowerCase(java.util.Locale.ROOT))
            .put("verdict", d.verdict().name().toLowerCase(java.util.Locale.ROOT))
            .put("baseline_rows", d.baselineRows()).put("current_rows", d.currentRows());
        number(n, "baseline_null_rate", d.baselineNullRate());
        number(n, "current_null_rate", d.currentNullRate());
        n.put("note", d.note());
        ArrayNode ms = n.putArray("measures");
        for (Measure m : d.measures()) {
          ObjectNode mn = ms.addObject().put("statistic", m.statistic());
          number(mn, "value", m.value());
          number(mn, "threshold", m.threshold());
          mn.put("rule", m.rule()).put("verdict", m.verdict().name().toLowerCase(java.util.Locale.ROOT));
        }
      }
      Json.print(root, out);
      return;
    }
    out.printf("baseline: %s, %,d rows%ncurrent:  %s, %,d rows%n%n", base.label, baseRows, cur.label, curRows);
    Table table = new Table("FEATURE", "STATISTIC", "VALUE", "THRESHOLD", "VERDICT", "NOTE");
    for (FeatureDrift d : results) {
      if (d.measures().isEmpty()) {
        table.add(d.feature(), "-", "-", "-", "NOT COMPARED", d.note());
      }
      boolean first = true;
      for (Measure m : d.measures()) {
        table.add(d.feature(), m.statistic(), format(m.value()), m.rule().isEmpty() ? "-" : m.rule(),
            d.kind() == FeatureDrift.Kind.NOT_COMPARED && first ? "NOT COMPARED" : m.verdict().name(),
            first ? d.note() : "");
        first = false;
      }
    }
    table.print(out);
    out.println();
    long compared = results.stream().filter(d -> d.kind() != FeatureDrift.Kind.NOT_COMPARED).count();
    if (drifted.isEmpty()) {
      out.printf("No drift: %d of %d features compared, none past a fail threshold%n", compared, results.size());
    } else {
      out.printf("DRIFT in %d of %d features: %s%n", drifted.size(), results.size(), String.join(", ", drifted));
    }
    out.flush();
  }

  private static String format(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    return v != 0 && Math.abs(v) < 1e-4 ? String.format(java.util.Locale.ROOT, "%.3e", v) : String.format(java.util.Locale.ROOT, "%.4f", v);
  }

  private static void number(ObjectNode n, String field, double v) {
    if (Double.isNaN(v)) {
      n.putNull(field);
    } else {
      n.put(field, v);
    }
  }

  /** The feature repo, opened only when a saved dataset is named or its entity keys are wanted. */
  static final class Repo implements AutoCloseable {
    private final Path root;
    private FeatureRepo open;

    Repo(Path root) {
      this.root = root;
    }

    DriftInput input(String name, Connection duckdb) {
      Path p = Path.of(name);
      Optional<DatasetRecord> saved = Files.exists(p) && (name.contains("/") || name.contains(".")) ? Optional.empty() : record(name);
      if (saved.isPresent()) {
        return DriftInput.dataset(saved.get(), root, duckdb);
      }
      if (Files.exists(p)) {
        return DriftInput.path(p, duckdb);
      }
      throw new InvalidRequestException("'" + name + "' is neither a saved dataset in the repo at " + root.toAbsolutePath().normalize()
          + " (quiver datasets list) nor a file or directory");
    }

    private Optional<DatasetRecord> record(String name) {
      if (!dev.quiver.core.Names.isValid(name) || repo() == null) {
        return Optional.empty();
      }
      return open.registry().dataset(name);
    }

    /** Every entity's join keys, when the repo has applied definitions. */
    Set<String> entityKeys() {
      Set<String> keys = new LinkedHashSet<>();
      try {
        if (repo() != null) {
          for (Entity e : open.appliedDefinitions().entities()) {
            e.joinKeys().stream().map(JoinKey::name).forEach(keys::add);
          }
        }
      } catch (QuiverException e) {
        // nothing applied yet: no keys to leave out
      }
      return keys;
    }

    /** The repo, or null when {@code root} holds no quiver.yaml. */
    FeatureRepo repo() {
      if (open == null && Files.isRegularFile(root.resolve("quiver.yaml"))) {
        open = FeatureRepo.open(root);
      }
      return open;
    }

    @Override
    public void close() {
      if (open != null) {
        open.close();
      }
    }
  }
}
