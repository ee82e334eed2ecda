package dev.quiver.offline.duckdb;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.LatestRowsPlan;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.spi.SourceColumn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleConsumer;
import org.duckdb.DuckDBPreparedStatement;

/**
 * The embedded offline engine: each call opens its own in-memory DuckDB, renders the plan with
 * {@link PlanSql}, and reads source files in place. DuckDB spills to a temporary directory when the
 * work outgrows its memory limit. Thread-safe (calls share nothing).
 */
final class DuckDbOfflineEngine implements OfflineEngine {
  private final String memoryLimit;
  private final int threads;

  DuckDbOfflineEngine(String memoryLimit, int threads) {
    this.memoryLimit = memoryLimit;
    this.threads = threads;
  }

  @Override
  public List<SourceColumn> describe(QueryInput query, List<FileSource> tables, Path repoRoot) {
    try (Connection c = open(); Statement s = c.createStatement()) {
      if (query instanceof QueryInput.Sql) {
        for (String view : PlanSql.tableViews(tables, repoRoot)) {
          s.execute(view);
        }
      }
      return DuckDbSchemaReader.describe(c, PlanSql.queryRelation(query, Path.of("")));
    } catch (SQLException e) {
      throw new QuiverException("cannot read the query rows (" + query.describe() + "): " + DuckDbSchemaReader.reason(e.getMessage()), e);
    }
  }

  @Override
  public HistoricalRows rows(PointInTimePlan plan, Path repoRoot) {
    if (WindowAggregateSql.hasAggregates(plan)) {
      TrainingSql sql = TrainingSql.of(plan, repoRoot);
      return plan.finish(stream(sql.setup(), sql::prepare, sql.select(), plan.baseColumns()));
    }
    PlanSql sql = new PlanSql(plan, repoRoot);
    return plan.finish(stream(sql.setup(), c -> {}, sql.select(), plan.baseColumns()));
  }

  /** A step run on the connection between the setup statements and the select. */
  private interface Step {
    void run(Connection c) throws SQLException;
  }

  @Override
  public HistoricalRows latestRows(LatestRowsPlan plan, Path repoRoot) {
    LatestRowsSql sql = new LatestRowsSql(plan, repoRoot);
    List<PointInTimePlan.Column> columns = keyAndTimeColumns(plan);
    plan.features().forEach(f -> columns.add(new PointInTimePlan.Column(f.outputName(), f.type())));
    return stream(sql.setup(), c -> {}, sql.select(), columns);
  }

  /** The leading result columns of a {@link LatestRowsPlan}: its keys, then the event and created times. */
  private static List<PointInTimePlan.Column> keyAndTimeColumns(LatestRowsPlan plan) {
    List<PointInTimePlan.Column> columns = new java.util.ArrayList<>();
    plan.keys().forEach(k -> columns.add(new PointInTimePlan.Column(k.queryColumn(), k.type())));
    columns.add(new PointInTimePlan.Column(LatestRowsPlan.EVENT_TS, dev.quiver.core.model.ScalarType.TIMESTAMP));
    columns.add(new PointInTimePlan.Column(LatestRowsPlan.CREATED_TS, dev.quiver.core.model.ScalarType.TIMESTAMP));
    return columns;
  }

  @Override
  public HistoricalRows sourceRows(LatestRowsPlan plan, Path repoRoot) {
    LatestRowsSql sql = new LatestRowsSql(plan, repoRoot, true);
    List<PointInTimePlan.Column> columns = keyAndTimeColumns(plan);
    java.util.Map<String, dev.quiver.core.model.ValueType> sourceTypes = new java.util.HashMap<>();
    if (plan.features().stream().anyMatch(f -> f.type() == null)) {
      SourceScan scan = new SourceScan(plan.source(), repoRoot, "__quiver_source");
      try (Connection c = open(); Statement s = c.createStatement()) {
        if (scan.staging != null) {
          s.execute(scan.staging);
        }
        for (SourceColumn col : DuckDbSchemaReader.describe(c, scan.relation)) {
          sourceTypes.put(col.name(), col.type());
        }
      } catch (SQLException e) {
        throw failed(e);
      }
    }
    for (PointInTimePlan.LatestValue f : plan.features()) {
      dev.quiver.core.model.ValueType type = f.type() != null ? f.type() : sourceTypes.get(f.sourceColumn());
      if (type == null) {
        throw new QuiverException("view " + plan.view() + " reads column '" + f.sourceColumn() + "' of source '"
            + plan.source().name() + "', which its files " + (sourceTypes.containsKey(f.sourceColumn())
                ? "hold in a type Quiver cannot read" : "do not have") + "; fix the source or the definition and apply again");
      }
      columns.add(new PointInTimePlan.Column(f.outputName(), type));
    }
    return stream(sql.setup(), c -> {}, sql.select(), columns);
  }

  /** Runs the setup statements, then streams the select; the rows own the connection. */
  private HistoricalRows stream(List<String> setup, Step prepare, String select, List<PointInTimePlan.Column> columns) {
    Connection c = null;
    try {
      c = open();
      try (Statement s = c.createStatement()) {
        for (String statement : setup) {
          s.execute(statement);
        }
      }
      prepare.run(c);
      return new DuckDbRows(c, columns, select);
    } catch (SQLException e) {
      closeQuietly(c);
      throw failed(e);
    } catch (RuntimeException e) {
      closeQuietly(c);
      throw e;
    }
  }

  @Override
  public String explain(PointInTimePlan plan, Path repoRoot) {
    if (WindowAggregateSql.hasAggregates(plan)) {
      TrainingSql t = TrainingSql.of(plan, repoRoot);
      StringBuilder out = new StringBuilder();
      t.setup().forEach(st -> out.append(st).append(";\n"));
      out.append(t.describePrepare());
      if (plan.derivation() != null) {
        out.append("-- then derived features: the core evaluator computes them from each row (").append(plan.derivation().plan()).append(")\n");
      }
      return out.append(t.select()).append(";\n").toString();
    }
    PlanSql sql = new PlanSql(plan, repoRoot);
    StringBuilder out = new StringBuilder();
    sql.setup().forEach(st -> out.append(st).append(";\n"));
    if (plan.derivation() == null) {
      return out.append(sql.select()).append(";\n").toString();
    }
    out.append("-- derived features: the core evaluator reads these rows and fills ").append(DerivationStep.TABLE)
        .append(" (").append(plan.derivation().plan()).append(")\n").append(sql.derivationInputs()).append(";\n");
    return out.append(sql.derivedSelect(DerivationStep.TABLE)).append(";\n").toString();
  }

  @Override
  public HistoricalRows read(Path file, FileFormat format) {
    Connection c = null;
    try {
      c = open();
      String relation = PlanSql.queryRelation(new QueryInput.Files(file.toString(), format), Path.of(""));
      List<PointInTimePlan.Column> columns = DuckDbSchemaReader.describe(c, relation).stream()
          .map(col -> new PointInTimePlan.Column(col.name(), col.type())).toList();
      return new DuckDbRows(c, columns, "SELECT * FROM " + relation);
    } catch (SQLException e) {
      closeQuietly(c);
      throw new QuiverException("cannot read " + file + ": " + DuckDbSchemaReader.reason(e.getMessage()), e);
    } catch (RuntimeException e) {
      closeQuietly(c);
      throw e;
    }
  }

  @Override
  public long write(PointInTimePlan plan, Path repoRoot, Path out, FileFormat format, DoubleConsumer progress) {
    if (WindowAggregateSql.hasAggregates(plan)) {
      return writeWithAggregates(plan, repoRoot, out, format, progress);
    }
    PlanSql sql = new PlanSql(plan, repoRoot);
    Path target = out.toAbsolutePath();
    Path temp = target.resolveSibling("." + target.getFileName() + ".quiver-tmp");
    boolean derive = plan.derivation() != null;
    int steps = sql.setup().size() + (derive ? 2 : 1);
    ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "quiver-duckdb-progress");
      t.setDaemon(true);
      return t;
    });
    try (Connection c = open()) {
      if (target.getParent() != null) {
        Files.createDirectories(target.getParent());
      }
      int step = 0;
      for (String statement : sql.setup()) {
        run(c, statement, step++, steps, progress, poller);
      }
      String select = sql.select();
      if (derive) {
        int derivationStep = step++;
        select = sql.derivedSelect(DerivationStep.run(c, sql, plan,
            done -> progress.accept((derivationStep + done) * 100.0 / steps)));
      }
      String options = format == FileFormat.PARQUET ? "FORMAT parquet" : "FORMAT csv, HEADER true";
      long rows = run(c, "COPY (" + select + ") TO " + Scans.literal(temp.toString()) + " (" + options + ")",
          step, steps, progress, poller);
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      progress.accept(100);
      return rows;
    } catch (SQLException e) {
      throw failed(e);
    } catch (IOException e) {
      throw new QuiverException("cannot write " + out + ": " + e.getMessage(), e);
    } finally {
      poller.shutdownNow();
      try {
        Files.deleteIfExists(temp);
      } catch (IOException ignored) {
        // best effort: a leftover hidden temp file is harmless and replaced next time
      }
    }
  }

  /** {@link #write} of a plan with window aggregates: setup, the Java sweep, then one COPY. */
  private long writeWithAggregates(PointInTimePlan plan, Path repoRoot, Path out, FileFormat format, DoubleConsumer progress) {
    TrainingSql sql = TrainingSql.of(plan, repoRoot);
    Path target = out.toAbsolutePath();
    Path temp = target.resolveSibling("." + target.getFileName() + ".quiver-tmp");
    try (Connection c = open()) {
      if (target.getParent() != null) {
        Files.createDirectories(target.getParent());
      }
      try (Statement s = c.createStatement()) {
        int step = 0;
        for (String statement : sql.setup()) {
          s.execute(statement);
          progress.accept(++step * 40.0 / sql.setup().size());
        }
      }
      sql.prepare(c);
      progress.accept(plan.derivation() == null ? 80 : 60);
      String select = sql.select();
      if (plan.derivation() != null) {
        // derived features over aggregates: the base rows into a table, the evaluator over them, a join back
        String base = "__quiver_base";
        try (Statement s = c.createStatement()) {
          s.execute("CREATE OR REPLACE TEMP TABLE " + base + " AS " + ((WindowAggregateSql) sql).selectWithPosition());
        }
        String derived = DerivationStep.runOver(c, base, plan, done -> progress.accept(60 + 20 * done));
        select = derivedOver(plan, base, derived);
      }
      String options = format == FileFormat.PARQUET ? "FORMAT parquet" : "FORMAT csv, HEADER true";
      long rows;
      try (Statement s = c.createStatement()) {
        rows = s.executeUpdate("COPY (" + select + ") TO " + Scans.literal(temp.toString()) + " (" + options + ")");
      }
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      progress.accept(100);
      return rows;
    } catch (SQLException e) {
      throw failed(e);
    } catch (IOException e) {
      throw new QuiverException("cannot write " + out + ": " + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException ignored) {
        // best effort
      }
    }
  }

  /** The training set from the base table and the derived values, in query order. */
  private static String derivedOver(PointInTimePlan plan, String base, String derived) {
    List<Integer> outputs = plan.derivation().derivedOutputs();
    StringBuilder sql = new StringBuilder("SELECT ");
    String sep = "";
    for (PointInTimePlan.Column c : plan.queryColumns()) {
      sql.append(sep).append("b.").append(Scans.id(c.name()));
      sep = ", ";
    }
    for (int i = 0; i < plan.outputs().size(); i++) {
      int k = outputs.indexOf(i);
      String name = plan.outputs().get(i).name();
      sql.append(sep).append(k >= 0 ? "d." + PlanSql.derivedColumn(k) : "b." + Scans.id(name)).append(" AS ").append(Scans.id(name));
      sep = ", ";
    }
    return sql.append(" FROM ").append(base).append(" b LEFT JOIN ").append(derived).append(" d ON d.").append(PlanSql.ROW)
        .append(" = b.").append(WindowAggregateSql.POSITION).append(" ORDER BY b.").append(WindowAggregateSql.POSITION).toString();
  }

  /** Runs one statement, reporting overall progress as its share of the steps; returns its update count. */
  private static long run(Connection c, String sql, int step, int steps, DoubleConsumer progress,
      ScheduledExecutorService poller) throws SQLException {
    try (DuckDBPreparedStatement s = c.prepareStatement(sql).unwrap(DuckDBPreparedStatement.class)) {
      var task = poller.scheduleAtFixedRate(() -> {
        try {
          double pct = s.getQueryProgress().getPercentage();
          if (pct >= 0) {
            progress.accept((step + pct / 100.0) * 100.0 / steps);
          }
        } catch (SQLException | RuntimeException ignored) {
          // the statement finished between two polls
        }
      }, 200, 200, TimeUnit.MILLISECONDS);
      try {
        s.execute();
        return Math.max(0, s.getUpdateCount());
      } finally {
        task.cancel(false);
      }
    }
  }

  @Override
  public Path appendToSource(FileSource source, Path repoRoot,
      List<String> columns, List<Object[]> rows) {
    try (Connection c = open()) {
      return SourceAppender.append(c, source, repoRoot, columns, rows);
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  private Connection open() throws SQLException {
    Connection c = DuckDbSchemaReader.openInMemory();
    try (Statement s = c.createStatement()) {
      if (memoryLimit != null) {
        s.execute("SET memory_limit = " + Scans.literal(memoryLimit));
      }
      if (threads > 0) {
        s.execute("SET threads = " + threads);
      }
      s.execute("SET preserve_insertion_order = true");
    }
    return c;
  }

  static QuiverException failed(SQLException e) {
    return new QuiverException("the offline engine (DuckDB) failed: " + DuckDbSchemaReader.reason(e.getMessage()), e);
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // already failing
      }
    }
  }

  @Override
  public void close() {
    // each call owns its connection; nothing to release here
  }
}
