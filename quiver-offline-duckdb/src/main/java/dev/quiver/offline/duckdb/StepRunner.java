package dev.quiver.offline.duckdb;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleConsumer;
import org.duckdb.DuckDBPreparedStatement;

/**
 * Runs a training set's {@link Step}s on one connection ({@link DuckDbOfflineEngine}), reporting the
 * fraction done and, with a poller, DuckDB's progress within a statement; with {@code
 * -Dquiver.offline.timings=true}, each step's time goes to standard error.
 */
final class StepRunner {
  private StepRunner() {}

  /**
   * Runs {@code steps} in order on {@code c}. {@code progress} receives the fraction of the steps
   * done (0 to 1); with a {@code poller}, SQL statements report DuckDB's progress within them. With
   * {@code -Dquiver.offline.timings=true} each step's time goes to standard error.
   */
  static void runSteps(Connection c, List<Step> steps, DoubleConsumer progress, ScheduledExecutorService poller)
      throws SQLException {
    for (int i = 0; i < steps.size(); i++) {
      int step = i;
      DoubleConsumer within = fraction -> progress.accept((step + fraction) / steps.size());
      long started = System.nanoTime();
      switch (steps.get(i)) {
        case Step.Sql q -> {
          if (poller == null) {
            try (Statement s = c.createStatement()) {
              s.execute(q.sql());
            }
          } else {
            run(c, q.sql(), within, poller);
          }
        }
        case Step.Java j -> j.body().run(c, within);
      }
      within.accept(1);
      if (timings()) {
        System.err.printf("quiver offline: %7.3f s  %s%n", (System.nanoTime() - started) / 1e9,
            abbreviate(steps.get(i).explain()));
      }
    }
  }

  /** True when {@code -Dquiver.offline.timings=true}: step times go to standard error. */
  static boolean timings() {
    return Boolean.getBoolean("quiver.offline.timings");
  }

  static String abbreviate(String s) {
    String flat = s.replaceAll("\\s+", " ").strip();
    return flat.length() <= 160 ? flat : flat.substring(0, 157) + "...";
  }

  /** Runs one statement, reporting DuckDB's progress within it (0 to 1); returns its update count. */
  static long run(Connection c, String sql, DoubleConsumer within, ScheduledExecutorService poller) throws SQLException {
    try (DuckDBPreparedStatement s = c.prepareStatement(sql).unwrap(DuckDBPreparedStatement.class)) {
      var task = poller.scheduleAtFixedRate(() -> {
        try {
          double pct = s.getQueryProgress().getPercentage();
          if (pct >= 0) {
            within.accept(pct / 100.0);
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
}
