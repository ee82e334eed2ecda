package dev.quiver.core.monitor;

import dev.quiver.core.NotFoundException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureResolver;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.OnDemandView;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.VersionedName;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.repo.FeatureRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Training–serving skew (docs/monitoring.md, "Skew"): reads the rows a feature service logged,
 * recomputes every feature offline at the time each row was served, through the plan {@code quiver
 * historical} runs (the logged keys and request data are the query rows, {@code served_at} their
 * time, the service version each row names), and counts per feature the rows whose served value is
 * not the offline one ({@link ServedValues}). Any offline engine: the logs are read, and the query
 * rows written, through the repo's. Thread-safe (each call works on its own).
 */
public final class SkewCheck {
  /** The query-rows column carrying each logged row's place, checked against the output order. */
  static final String ROW = "skew_row__";

  private SkewCheck() {}

  /**
   * Compares the logs {@code request} names with the repo's offline engine.
   *
   * @throws NotFoundException when the registry has no such service
   * @throws QuiverException when the logs cannot be read or recomputed, naming what and why
   */
  public static SkewReport run(FeatureRepo repo, SkewRequest request) {
    Definitions defs = repo.appliedDefinitions();
    FeatureResolver.service(defs, request.service(), 0); // an unknown service is named before any file is read
    List<Path> files = LogFiles.list(request.logs(), request.service(), request.since(), request.until());
    LoggedRows logged = LoggedRows.read(repo.offline(), files, request);
    Map<Integer, List<LoggedRows.Row>> byVersion = new TreeMap<>();
    logged.sample.forEach(r -> byVersion.computeIfAbsent(r.serviceVersion(), v -> new ArrayList<>()).add(r));
    Map<String, FeatureTally> tallies = new LinkedHashMap<>();
    List<String> notes = new ArrayList<>();
    long compared = 0;
    for (var e : byVersion.entrySet()) {
      compared += compareVersion(repo, defs, request.service(), e.getKey(), e.getValue(), tallies, notes);
    }
    return new SkewReport(request.service(), request.since(), request.until(), logged.files, logged.logged,
        compared, List.copyOf(byVersion.keySet()),
        tallies.values().stream().map(FeatureTally::result).toList(), notes);
  }

  /** Compares the rows of one service version; returns how many were compared (0 when they cannot be). */
  private static long compareVersion(FeatureRepo repo, Definitions defs, String service, int version,
      List<LoggedRows.Row> rows, Map<String, FeatureTally> tallies, List<String> notes) {
    List<FeatureResolver.Resolved> resolved;
    try {
      resolved = FeatureResolver.resolve(defs, FeatureResolver.service(defs, service, version));
    } catch (NotFoundException e) {
      notes.add(rows.size() + " rows of service version " + version + " not compared: " + e.getMessage());
      return 0;
    }
    List<PointInTimePlan.Column> columns = new ArrayList<>();
    columns.add(new PointInTimePlan.Column(ROW, ScalarType.INT64));
    columns.add(new PointInTimePlan.Column(LoggedRows.SERVED_AT, ScalarType.TIMESTAMP));
    List<String> inputs = new ArrayList<>();
    for (String name : inputColumns(defs, resolved)) {
      PointInTimePlan.Column c = rows.stream().map(r -> r.schema().column(name)).filter(java.util.Objects::nonNull)
          .findFirst().orElse(null);
      if (c == null) {
        notes.add(rows.size() + " rows of service version " + version + " not compared: the log has no column '" + name
            + "', which the service's features read (a join key or request field)");
        return 0;
      }
      columns.add(c);
      inputs.add(name);
    }
    Path dir;
    try {
      dir = Files.createTempDirectory("quiver-skew-");
    } catch (IOException e) {
      throw new QuiverException("cannot create a temporary folder for the skew query rows: " + e.getMessage(), e);
    }
    Path query = dir.resolve("logged-rows.parquet");
    try {
      Iterator<Object[]> queryRows = rows.stream().map(r -> {
        Object[] q = new Object[columns.size()];
        q[0] = r.order();
        q[1] = r.servedAt();
        for (int i = 0; i < inputs.size(); i++) {
          q[i + 2] = r.value(inputs.get(i));
        }
        return q;
      }).iterator();
      repo.offline().writeQueryRows(query, columns, queryRows);
      HistoricalRequest historical = new HistoricalRequest(new QueryInput.Files(query.toString(), FileFormat.PARQUET),
          List.of(), service, version, true, LoggedRows.SERVED_AT);
      try (HistoricalRows out = repo.getHistoricalFeatures(historical)) {
        compare(out, columns.size(), rows, inputs, version, tallies, notes);
      }
      return rows.size();
    } finally {
      try {
        Files.deleteIfExists(query);
        Files.deleteIfExists(dir);
      } catch (IOException ignored) {
        // a temporary file left behind is harmless
      }
    }
  }

  private static void compare(HistoricalRows out, int queryColumns, List<LoggedRows.Row> rows, List<String> inputs,
      int version, Map<String, FeatureTally> tallies, List<String> notes) {
    List<PointInTimePlan.Column> outColumns = out.columns();
    List<FeatureTally> features = new ArrayList<>();
    List<Integer> at = new ArrayList<>();
    for (int i = queryColumns; i < outColumns.size(); i++) {
      String logged = outColumns.get(i).name().replaceFirst("@v\\d+__", "__");
      features.add(tallies.computeIfAbsent(logged, FeatureTally::new));
      at.add(i);
    }
    Set<String> missing = new LinkedHashSet<>();
    int n = 0;
    while (out.hasNext()) {
      Object[] o = out.next();
      LoggedRows.Row row = n < rows.size() ? rows.get(n) : null;
      if (row == null || !(o[0] instanceof Number order) || order.longValue() != row.order()) {
        throw new QuiverException("the offline engine returned the logged rows out of order (row " + n + "); skew cannot"
            + " be compared with it");
      }
      n++;
      for (int f = 0; f < features.size(); f++) {
        FeatureTally t = features.get(f);
        if (row.schema().column(t.feature) == null) {
          missing.add(t.feature);
          continue;
        }
        Object status = row.value(t.feature + "__status");
        t.add(row, inputs, status == null ? null : status.toString(), row.value(t.feature), o[at.get(f)]);
      }
    }
    if (n != rows.size()) {
      throw new QuiverException("the offline engine returned " + n + " rows for " + rows.size() + " logged rows; skew"
          + " cannot be compared with it");
    }
    missing.forEach(m -> notes.add("feature " + m + " of service version " + version + " is not in every log file;"
        + " rows without it are not compared"));
  }

  /** The join keys and request fields the resolved features read, in first-use order. */
  static List<String> inputColumns(Definitions defs, List<FeatureResolver.Resolved> resolved) {
    Set<String> names = new LinkedHashSet<>();
    for (FeatureResolver.Resolved r : resolved) {
      switch (r) {
        case FeatureResolver.ViewFeature vf -> keys(defs, vf.view(), names);
        case FeatureResolver.OnDemandFeature of -> {
          OnDemandView o = of.view();
          for (String input : o.inputs()) {
            VersionedName v = VersionedName.parse(input).orElseThrow(() ->
                new QuiverException("on-demand view " + o.qualifiedName() + " reads '" + input + "', not a view name"));
            defs.view(v.name(), v.version()).ifPresent(view -> keys(defs, view, names));
          }
          o.requestFields().forEach(f -> names.add(f.name()));
        }
      }
    }
    return List.copyOf(names);
  }

  private static void keys(Definitions defs, FeatureView view, Set<String> names) {
    for (String entity : view.entities()) {
      defs.entity(entity).ifPresent(e -> e.joinKeys().forEach(k -> names.add(k.name())));
    }
  }
}
