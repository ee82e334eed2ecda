package dev.quiver.offline.duckdb;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.function.DoubleConsumer;

/**
 * One step of a rendered training set, run in order on one connection: a SQL statement, or work
 * done in Java between statements (matching rows, window aggregates). {@link #explain()} is what
 * {@code quiver historical --explain} prints for it.
 */
sealed interface Step {
  /** For {@code explain}: the statement, or SQL comments saying what the Java step does. */
  String explain();

  /** A SQL statement. */
  record Sql(String sql) implements Step {
    @Override
    public String explain() {
      return sql + ";\n";
    }
  }

  /** Work in Java on the connection; {@code progress} takes the fraction done (0 to 1), from any thread. */
  record Java(String description, Body body) implements Step {
    @Override
    public String explain() {
      return description.lines().map(l -> "-- " + l + "\n").reduce("", String::concat);
    }
  }

  /** The body of a {@link Java} step. */
  @FunctionalInterface
  interface Body {
    void run(Connection connection, DoubleConsumer progress) throws SQLException;
  }

  /** Plain statements as steps. */
  static List<Step> sql(List<String> statements) {
    return statements.stream().<Step>map(Sql::new).toList();
  }
}
