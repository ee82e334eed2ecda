package dev.quiver.registry.postgres;

import dev.quiver.core.quality.RuleResult;
import dev.quiver.core.quality.ValidationLog;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The validation results in the {@code validation_results} table ({@link AppendOnlyTable}): one row
 * per rule result, a run's rows inserted in one transaction, read in append order. Thread-safe; safe
 * from many processes.
 */
final class PostgresValidationLog implements ValidationLog {
  private final AppendOnlyTable table;

  PostgresValidationLog(RegistryDatabase db) {
    this.table = new AppendOnlyTable(db, "validation_results", "the validation results", "a validation result",
        List.of("entry", "view_name", "feature", "rule", "argument", "on_fail", "rows_checked", "rows_failed", "samples",
            "outcome"));
  }

  @Override
  public void append(List<RuleResult> results) {
    Objects.requireNonNull(results, "results");
    table.append(results, RuleResult::time, (r, s) -> {
      s.setString(3, r.entry());
      s.setString(4, r.view());
      s.setString(5, r.feature());
      s.setString(6, r.rule());
      s.setString(7, r.argument());
      s.setString(8, r.onFail());
      s.setLong(9, r.rowsChecked());
      s.setLong(10, r.rowsFailed());
      s.setString(11, AppendOnlyTable.strings(r.samples()));
      s.setString(12, r.outcome().spelling());
    });
  }

  @Override
  public List<RuleResult> read(Instant since, String view, int limit) {
    Objects.requireNonNull(since, "since");
    String where = view == null ? "" : view.contains("@v") ? "view_name = ?" : "view_name LIKE ? ESCAPE '!'";
    List<Object> parameters = view == null ? List.of()
        : List.of(view.contains("@v") ? view : view.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "@v%");
    List<RuleResult> read = table.read(since, limit,
        "entry, view_name, feature, rule, argument, on_fail, rows_checked, rows_failed, samples, outcome", where,
        parameters, "seq",
        (time, rs) -> new RuleResult(time, rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
            rs.getString(6), rs.getString(7), rs.getLong(8), rs.getLong(9), AppendOnlyTable.strings(rs.getString(10), "validation samples"),
            RuleResult.Outcome.valueOf(rs.getString(11).toUpperCase(Locale.ROOT))));
    return read.stream().filter(r -> ValidationLog.matches(r, view)).toList();
  }
}
