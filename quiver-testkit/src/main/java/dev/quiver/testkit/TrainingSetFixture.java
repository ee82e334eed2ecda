package dev.quiver.testkit;

import static dev.quiver.testkit.TrainingSetCells.createParent;
import static dev.quiver.testkit.TrainingSetCells.drain;
import static dev.quiver.testkit.TrainingSetCells.same;
import static dev.quiver.testkit.TrainingSetCells.show;
import static dev.quiver.testkit.TrainingSetCells.showRow;
import static dev.quiver.testkit.TrainingSetCells.sortedByName;
import static dev.quiver.testkit.TrainingSetCells.writeCsv;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.load.Origins;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.core.offline.PointInTimePlan.ViewJoin;
import dev.quiver.core.offline.PointInTimePlanner;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.spi.SourceColumn;
import dev.quiver.core.validate.DefinitionValidator;
import dev.quiver.testkit.NaivePointInTime.Table;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One case of the offline contract being built and run: definitions, source files, query rows.
 * {@link #run} plans the request, runs the engine through {@code rows()}, the Arrow batches (when the
 * engine makes them) and {@code write()} then {@code read()}, and compares each cell with {@link
 * NaivePointInTime}; a difference fails with the case, the seed, the row and the source rows that
 * compete for it.
 */
public final class TrainingSetFixture {
  final String name;
  final long seed;
  final Definitions.Builder defs = Definitions.builder("contract");
  private final Map<String, List<Column>> schemas = new HashMap<>();
  private final Map<String, Table> sourceRows = new HashMap<>();
  private Table query;
  private QueryInput queryInput;

  private final EngineUnderTest on;
  private final OfflineEngine engine;
  private final Path repo;

  TrainingSetFixture(EngineUnderTest on, String name, long seed) {
    this.on = on;
    this.engine = on.engine();
    this.repo = on.repo();
    this.name = name;
    this.seed = seed;
  }

  /**
   * Writes a Parquet source: one file per entry (a file name under the glob's directory, or ""
   * for the path itself) and defines it.
   */
  void parquetFiles(String source, String path, List<Column> columns, Map<String, List<Object[]>> files,
      String timestamp, String created, Map<String, String> mapping) {
    List<Object[]> inOrder = new ArrayList<>();
    for (var file : sortedByName(files).entrySet()) {
      Path p = file.getKey().isEmpty() ? repo.resolve(path) : repo.resolve(path).resolveSibling(file.getKey());
      createParent(p);
      on.writeTable(p, columns, file.getValue());
      inOrder.addAll(file.getValue());
    }
    define(source, path, FileFormat.PARQUET, columns, inOrder, timestamp, created, mapping);
  }

  /** Writes a CSV source, one file per entry, with event_ts and created_ts columns. */
  void csvFiles(String source, String path, List<Column> columns, Map<String, List<Object[]>> files) {
    List<Object[]> inOrder = new ArrayList<>();
    for (var file : sortedByName(files).entrySet()) {
      Path p = repo.resolve(path).resolveSibling(file.getKey());
      createParent(p);
      writeCsv(p, columns, file.getValue());
      inOrder.addAll(file.getValue());
    }
    define(source, path, FileFormat.CSV, columns, inOrder, "event_ts", "created_ts", Map.of());
  }

  private void define(String source, String path, FileFormat format, List<Column> columns, List<Object[]> rows,
      String timestamp, String created, Map<String, String> mapping) {
    defs.source(new FileSource(source, path, format, timestamp, created, mapping, Metadata.EMPTY));
    schemas.put(source, columns);
    sourceRows.put(source, new Table(columns.stream().map(Column::name).toList(), rows));
  }

  void query(List<Column> columns, List<Object[]> rows) {
    Path p = repo.resolve("query.parquet");
    on.writeTable(p, columns, rows);
    queryInput = new QueryInput.Files(p.toString(), FileFormat.PARQUET);
    query = new Table(columns.stream().map(Column::name).toList(), rows);
  }

  /** Query rows from SQL over the sources; {@code rows} are what the SQL returns, in order. */
  void sqlQuery(String sql, List<String> columns, List<Object[]> rows) {
    queryInput = new QueryInput.Sql(sql);
    query = new Table(columns, rows);
  }

  void csvQuery(List<Column> columns, List<Object[]> rows) {
    Path p = repo.resolve("query.csv");
    writeCsv(p, columns, rows);
    queryInput = new QueryInput.Files(p.toString(), FileFormat.CSV);
    query = new Table(columns.stream().map(Column::name).toList(), rows);
  }

  Result run(String... refs) {
    return run(false, null, refs);
  }

  /**
   * Plans the request, runs the engine both ways and compares each with the reference.
   *
   * @param timestampColumn the request's timestamp column, or null for the default
   */
  Result run(boolean fullFeatureNames, String timestampColumn, String... refs) {
    Definitions typed = new DefinitionValidator(
        (source, root) -> schemas.get(source.name()).stream()
            .map(c -> new SourceColumn(c.name(), c.type(), c.type().spelling())).toList(),
        repo).validate(defs.build(), Origins.none(), Set.of());
    HistoricalRequest request = new HistoricalRequest(queryInput, Arrays.stream(refs).map(FeatureRef::of).toList(),
        null, 0, fullFeatureNames, timestampColumn);
    List<FileSource> tables = typed.sources().stream().map(s -> (FileSource) s).toList();
    PointInTimePlan plan = PointInTimePlanner.plan(typed, 1, request, engine.describe(queryInput, tables, repo));
    List<Object[]> expected = NaivePointInTime.join(plan, query, sourceRows);

    List<Object[]> streamed;
    try (HistoricalRows rows = engine.rows(plan, repo)) {
      assertColumns(plan, rows.columns(), "rows()");
      streamed = drain(rows);
    }
    compare(plan, expected, streamed, "rows()");
    List<Object[]> arrow = on.arrowRows(plan);
    if (arrow != null) {
      assertThat(arrow).as("%s: rows", header("arrowRows()")).hasSameSizeAs(expected);
      compare(plan, expected, arrow, "arrowRows()");
    }

    Path out = repo.resolve("out").resolve("training.parquet");
    createParent(out);
    long written = engine.write(plan, repo, out, FileFormat.PARQUET, pct -> {});
    assertThat(written).as("%s: the row count write() returns", header("write()")).isEqualTo(expected.size());
    List<Object[]> readBack;
    try (HistoricalRows rows = engine.read(out, FileFormat.PARQUET)) {
      assertColumns(plan, rows.columns(), "write() then read()");
      readBack = drain(rows);
    }
    compare(plan, expected, readBack, "write() then read()");
    return new Result(plan, expected);
  }

  private void assertColumns(PointInTimePlan plan, List<Column> actual, String path) {
    assertThat(actual.stream().map(Column::name).toList()).as("%s: column names", header(path))
        .isEqualTo(plan.columns().stream().map(Column::name).toList());
  }

  private String header(String path) {
    return "[" + on.testName() + ": " + name + (seed != 0 ? ", seed " + seed + " (rerun with -Dquiver.contract.seed=" + seed + ")" : "")
        + ", via " + path + "]";
  }

  private void compare(PointInTimePlan plan, List<Object[]> expected, List<Object[]> actual, String path) {
    List<Column> columns = plan.columns();
    for (int r = 0; r < Math.min(expected.size(), actual.size()); r++) {
      for (int c = 0; c < columns.size(); c++) {
        Object e = expected.get(r)[c];
        Object a = c < actual.get(r).length ? actual.get(r)[c] : "<missing>";
        if (!same(e, a)) {
          throw new AssertionError(header(path) + " row " + r + " of " + expected.size() + ", column '"
              + columns.get(c).name() + "': expected " + show(e) + " but the engine gave " + show(a)
              + "\n  query row: " + showRow(query.columns(), query.rows().get(r))
              + explain(plan, r));
        }
      }
    }
    if (expected.size() != actual.size()) {
      throw new AssertionError(header(path) + " expected " + expected.size() + " rows but the engine gave " + actual.size());
    }
  }

  /** The source rows competing for query row r, per join, and the one the reference picks. */
  private String explain(PointInTimePlan plan, int r) {
    StringBuilder s = new StringBuilder();
    Object[] queryRow = query.rows().get(r);
    Instant t = (Instant) queryRow[query.column(plan.timestampColumn())];
    for (ViewJoin join : plan.joins()) {
      Table source = sourceRows.get(join.source().name());
      int picked = NaivePointInTime.pick(join, query, queryRow, t, source);
      s.append("\n  ").append(join.view()).append(" (source ").append(join.source().name())
          .append(join.ttl() == null ? "" : ", ttl " + join.ttl()).append("): reference picks ")
          .append(picked < 0 ? "no row" : "position " + picked).append("; rows with these keys:");
      int matching = 0;
      for (int p = 0; p < source.rows().size(); p++) {
        if (NaivePointInTime.sameKeys(join, query, queryRow, source, source.rows().get(p)) && (++matching <= 20 || p == picked)) {
          s.append("\n    ").append(p == picked ? "* " : "  ").append(p).append(": ")
              .append(showRow(source.columns(), source.rows().get(p)));
        }
      }
      if (matching > 20) {
        s.append("\n    (").append(matching).append(" rows with these keys in all)");
      }
    }
    return s.toString();
  }

  /** A training set: its plan and rows (the reference's, which the engine matched). */
  public record Result(PointInTimePlan plan, List<Object[]> rows) {
    List<Object> column(String name) {
      int i = plan.columns().stream().map(Column::name).toList().indexOf(name);
      assertThat(i).as("column %s in %s", name, plan.columns()).isNotNegative();
      return rows.stream().map(r -> r[i]).toList();
    }
  }
}
