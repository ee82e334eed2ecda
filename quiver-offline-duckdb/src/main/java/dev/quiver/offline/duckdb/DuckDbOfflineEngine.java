package dev.quiver.offline.duckdb;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.offline.DatasetDirectory;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.LatestRowsPlan;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.offline.UploadedQueryRows;
import dev.quiver.core.spi.SourceColumn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.DoubleConsumer;
import java.util.function.Function;

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
    List<FileSource> read = query instanceof QueryInput.Sql sql ? QuerySql.check(sql.sql()).read(tables) : List.of();
    try (Connection c = open()) {
      List<String> views = new ArrayList<>();
      String relation = PlanSql.queryRelation(query, read, repoRoot, views);
      try (Statement s = c.createStatement()) {
        for (int i = 0; i < views.size(); i++) {
          try {
            s.execute(views.get(i));
          } catch (SQLException e) {
            throw DuckDbSchemaReader.unreadable(read.get(i), repoRoot, Scans.files(read.get(i), repoRoot), e);
          }
        }
      }
      if (RepoConfinement.confined(query)) {
        QuerySql.confine(c, repoRoot, RepoConfinement.files(read, repoRoot));
      }
      return DuckDbSchemaReader.describe(c, relation);
    } catch (SQLException e) {
      InvalidRequestException outside = QuerySql.outsideRepo(e, repoRoot);
      if (outside != null) {
        throw outside;
      }
      throw new QuiverException("cannot read the query rows (" + query.describe() + "): " + DuckDbSchemaReader.reason(e.getMessage()), e);
    }
  }

  @Override
  public List<FileSource> tablesRead(QueryInput.Sql query, List<FileSource> tables) {
    return QuerySql.check(query.sql()).read(tables);
  }

  @Override
  public HistoricalRows rows(PointInTimePlan plan, Path repoRoot) {
    TrainingSql sql = TrainingSql.of(plan, repoRoot);
    return plan.finish(stream(sql.steps(), sql.select(), plan.baseColumns(),
        c -> RepoConfinement.confine(c, plan, repoRoot, List.of()), e -> DuckDbFailures.failure(e, plan, repoRoot)));
  }

  /**
   * The training set as DuckDB's own Arrow batches ({@link DuckDbArrowRows}): the steps of {@link
   * #write}, then the select streamed through Arrow's C data interface instead of JDBC rows. Empty when
   * a query column has no Quiver type (its Arrow type would be DuckDB's, not a promised one).
   */
  @Override
  public java.util.Optional<dev.quiver.core.offline.ArrowRows> arrowRows(PointInTimePlan plan, Path repoRoot, Object allocator,
      int batchRows) {
    List<PointInTimePlan.Column> columns = plan.columns();
    if (!DuckDbArrowRows.typed(columns)) {
      return java.util.Optional.empty();
    }
    TrainingSql sql = TrainingSql.of(plan, repoRoot);
    DuckDbArrowRows.Work work = (rows, c) -> {
      RepoConfinement.confine(c, plan, repoRoot, List.of());
      String[] select = {sql.select()};
      for (Step step : TrainingSteps.trainingSteps(plan, sql, select)) {
        long started = System.nanoTime();
        switch (step) {
          case Step.Sql q -> rows.execute(q.sql());
          case Step.Java j -> {
            rows.checkCancelled();
            j.body().run(c, f -> {});
            rows.checkCancelled();
          }
        }
        if (StepRunner.timings()) {
          System.err.printf("quiver offline: %7.3f s  %s%n", (System.nanoTime() - started) / 1e9,
              StepRunner.abbreviate(step.explain()));
        }
      }
      return select[0];
    };
    return java.util.Optional.of(new DuckDbArrowRows(columns, () -> {
      try {
        return open(true);
      } catch (SQLException e) {
        throw DuckDbFailures.failed(e);
      }
    }, work, e -> DuckDbFailures.failure(e, plan, repoRoot), allocator, batchRows));
  }

  @Override
  public HistoricalRows latestRows(LatestRowsPlan plan, Path repoRoot) {
    LatestRowsSql sql = new LatestRowsSql(plan, repoRoot);
    return stream(sql.setup(), sql.select(), plan.latestRowsColumns(), c -> {},
        e -> DuckDbFailures.failure(e, List.of(plan.source()), repoRoot));
  }

  @Override
  public HistoricalRows sourceRows(LatestRowsPlan plan, Path repoRoot) {
    return sourceRows(plan, repoRoot, false);
  }

  @Override
  public HistoricalRows sourceRowsWithPositions(LatestRowsPlan plan, Path repoRoot) {
    return sourceRows(plan, repoRoot, true);
  }

  private HistoricalRows sourceRows(LatestRowsPlan plan, Path repoRoot, boolean positions) {
    LatestRowsSql sql = new LatestRowsSql(plan, repoRoot, true, positions);
    List<PointInTimePlan.Column> columns = plan.keyAndTimeColumns();
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
        throw DuckDbFailures.failure(e, List.of(plan.source()), repoRoot);
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
    if (!positions) {
      return stream(sql.setup(), sql.select(), columns, c -> {},
          e -> DuckDbFailures.failure(e, List.of(plan.source()), repoRoot));
    }
    int file = columns.size();
    columns.add(new PointInTimePlan.Column(LatestRowsPlan.SOURCE_FILE, dev.quiver.core.model.ScalarType.INT64));
    columns.add(new PointInTimePlan.Column(LatestRowsPlan.SOURCE_ROW, dev.quiver.core.model.ScalarType.INT64));
    return new FileNamedRows(stream(sql.setup(), sql.select(), columns, c -> {},
        e -> DuckDbFailures.failure(e, List.of(plan.source()), repoRoot)), file, sql.files());
  }

  /** Work on a fresh connection before the steps run. */
  private interface Setup {
    void run(Connection c) throws SQLException;
  }

  /**
   * Runs the steps, then streams the select; the rows own the connection. {@code failure} turns a
   * DuckDB error into the exception to throw.
   */
  private HistoricalRows stream(List<Step> steps, String select, List<PointInTimePlan.Column> columns, Setup setup,
      Function<SQLException, QuiverException> failure) {
    Connection c = null;
    try {
      c = open();
      setup.run(c);
      StepRunner.runSteps(c, steps, p -> {}, null);
      return new DuckDbRows(c, columns, select);
    } catch (SQLException e) {
      closeQuietly(c);
      throw failure.apply(e);
    } catch (RuntimeException e) {
      closeQuietly(c);
      throw e;
    }
  }

  @Override
  public String explain(PointInTimePlan plan, Path repoRoot) {
    TrainingSql t = TrainingSql.of(plan, repoRoot);
    StringBuilder out = new StringBuilder();
    if (RepoConfinement.confined(plan.query())) {
      out.append("-- first, the query SQL is confined to files inside the feature repo and those the engine reads and writes:\n");
      QuerySql.sandbox(repoRoot, RepoConfinement.files(RepoConfinement.sources(plan), repoRoot))
          .forEach(st -> out.append(st).append(";\n"));
    }
    t.steps().forEach(st -> out.append(st.explain()));
    if (plan.derivation() == null) {
      return out.append(t.select()).append(";\n").toString();
    }
    if (t instanceof WindowAggregateSql) {
      out.append("-- then derived features: the core evaluator computes them from each row (").append(plan.derivation().plan()).append(")\n");
      return out.append(t.select()).append(";\n").toString();
    }
    PlanSql sql = (PlanSql) t;
    out.append("-- derived features: the core evaluator reads these rows and fills ").append(DerivationStep.TABLE)
        .append(" (").append(plan.derivation().plan()).append(")\n").append(sql.derivationInputs()).append(";\n");
    return out.append(sql.derivedSelect(DerivationStep.TABLE)).append(";\n").toString();
  }

  @Override
  public long writeQueryRows(Path out, List<PointInTimePlan.Column> columns, java.util.Iterator<Object[]> rows) {
    try (Connection c = open()) {
      return QueryRowsFile.write(c, out, columns, rows);
    } catch (SQLException e) {
      throw new QuiverException("could not write the query rows to " + out + ": " + DuckDbSchemaReader.reason(e.getMessage()), e);
    }
  }

  @Override
  public long writeQueryRows(Path out, UploadedQueryRows rows) {
    java.util.Optional<Object> arrow = rows.arrowStream();
    if (arrow.isEmpty()) {
      return writeQueryRows(out, rows.columns(), rows.rows());
    }
    try (Connection c = open()) {
      return QueryRowsFile.writeArrow(c, out, rows.columns(), arrow.get());
    } catch (SQLException e) {
      if (String.valueOf(e.getMessage()).contains("Conversion Error")) { // an unsigned 64-bit value beyond int64
        throw new InvalidRequestException("the uploaded query rows do not fit their columns' types: "
            + DuckDbSchemaReader.reason(e.getMessage()) + "; convert the column (to int64, or to string)");
      }
      throw new QuiverException("could not write the query rows to " + out + ": " + DuckDbSchemaReader.reason(e.getMessage()), e);
    }
  }

  @Override
  public HistoricalRows read(Path file, FileFormat format) {
    Connection c = null;
    try {
      c = open();
      String relation = PlanSql.queryRelation(new QueryInput.Files(file.toString(), format), List.of(), Path.of(""), new ArrayList<>());
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
    Path target = out.toAbsolutePath();
    Path temp = target.resolveSibling("." + target.getFileName() + ".quiver-tmp");
    try {
      if (target.getParent() != null) {
        Files.createDirectories(target.getParent());
      }
      long rows = writeFile(plan, repoRoot, temp, target, format, progress);
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      progress.accept(100);
      return rows;
    } catch (IOException e) {
      throw new QuiverException("cannot write " + out + ": " + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException ignored) {
        // best effort: a leftover hidden temp file is harmless and replaced next time
      }
    }
  }

  /**
   * Writes the training set as a directory with one part file (DuckDB writes one ordered file fast;
   * {@code PER_THREAD_OUTPUT} would lose the query order across files), so a repo that switches
   * between DuckDB and Spark keeps its {@code --out DIR/}.
   */
  @Override
  public long writeDataset(PointInTimePlan plan, Path repoRoot, Path dir, DoubleConsumer progress) {
    Path target = dir.toAbsolutePath();
    DatasetDirectory.checkTarget(target);
    Path temp = DatasetDirectory.temp(target);
    try {
      DatasetDirectory.deleteTree(temp);
      Files.createDirectories(temp);
      long rows = writeFile(plan, repoRoot, temp.resolve(DatasetDirectory.partName(0)), target, FileFormat.PARQUET, progress);
      DatasetDirectory.commit(temp, target);
      progress.accept(100);
      return rows;
    } catch (IOException e) {
      throw new QuiverException("cannot write " + dir + ": " + e.getMessage(), e);
    } finally {
      try {
        DatasetDirectory.deleteTree(temp);
      } catch (IOException ignored) {
        // best effort: a leftover hidden directory is harmless and replaced next time
      }
    }
  }

  /** Runs the plan's steps and COPYs the training set to {@code file}; returns the rows written. */
  private long writeFile(PointInTimePlan plan, Path repoRoot, Path file, Path target, FileFormat format, DoubleConsumer progress) {
    TrainingSql sql = TrainingSql.of(plan, repoRoot);
    String[] select = {sql.select()};
    List<Step> steps = TrainingSteps.trainingSteps(plan, sql, select);
    ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "quiver-duckdb-progress");
      t.setDaemon(true);
      return t;
    });
    try (Connection c = open()) {
      // DuckDB writes through a tmp_ file beside the target when the target exists
      RepoConfinement.confine(c, plan, repoRoot, List.of(file, file.resolveSibling("tmp_" + file.getFileName())));
      // the steps take the first 80%, writing the rest
      StepRunner.runSteps(c, steps, f -> progress.accept(80 * f), poller);
      long started = System.nanoTime();
      long rows = StepRunner.run(c, "COPY (" + TrainingSetFile.select(c, select[0], format) + ") TO "
          + Scans.literal(file.toString())
          + " (" + TrainingSetFile.options(format) + ")", f -> progress.accept(80 + 20 * f), poller);
      if (StepRunner.timings()) {
        System.err.printf("quiver offline: %7.3f s  COPY the training set to %s%n", (System.nanoTime() - started) / 1e9, target);
      }
      return rows;
    } catch (SQLException e) {
      throw DuckDbFailures.failure(e, plan, repoRoot);
    } finally {
      poller.shutdownNow();
    }
  }

  @Override
  public Path appendToSource(FileSource source, Path repoRoot,
      List<String> columns, List<Object[]> rows) {
    return appendToSource(source, repoRoot, columns, rows, null);
  }

  @Override
  public Path appendToSource(FileSource source, Path repoRoot, List<String> columns, List<Object[]> rows, String tag) {
    try (Connection c = open()) {
      return SourceAppender.append(c, source, repoRoot, null, columns, rows, tag);
    } catch (SQLException e) {
      throw DuckDbFailures.failure(e, List.of(source), repoRoot);
    }
  }

  @Override
  public Path appendToSource(FileSource source, Path repoRoot, String fileName, List<String> columns, List<Object[]> rows) {
    java.util.Objects.requireNonNull(fileName, "fileName");
    try (Connection c = open()) {
      return SourceAppender.append(c, source, repoRoot, fileName, columns, rows, null);
    } catch (SQLException e) {
      throw DuckDbFailures.failure(e, List.of(source), repoRoot);
    }
  }

  private Connection open() throws SQLException {
    return open(false);
  }

  /** A fresh in-memory connection with the engine's settings; {@code stream}: results are streamed, not materialized first. */
  private Connection open(boolean stream) throws SQLException {
    Connection c = DuckDbSchemaReader.openInMemory(stream);
    try (Statement s = c.createStatement()) {
      if (memoryLimit != null) {
        s.execute("SET memory_limit = " + Scans.literal(memoryLimit));
      }
      if (threads > 0) {
        s.execute("SET threads = " + threads);
      }
      s.execute("SET preserve_insertion_order = true");
      // timestamps without a zone are UTC (DESIGN §3), and zoned ones are read and written in UTC,
      // whatever the machine's time zone
      s.execute("SET TimeZone = 'UTC'");
    }
    return c;
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
