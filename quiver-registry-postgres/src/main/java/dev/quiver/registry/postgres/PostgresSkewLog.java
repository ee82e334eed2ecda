package dev.quiver.registry.postgres;

import dev.quiver.core.monitor.SkewLog;
import dev.quiver.core.monitor.SkewResult;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The skew results in the {@code skew_results} table ({@link AppendOnlyTable}): one row per feature
 * result, a run's rows inserted in one transaction, read in append order. Thread-safe; safe from
 * many processes.
 */
final class PostgresSkewLog implements SkewLog {
  private final AppendOnlyTable table;

  PostgresSkewLog(RegistryDatabase db) {
    this.table = new AppendOnlyTable(db, "skew_results", "the skew results", "a skew result",
        List.of("service", "feature", "since_nanos", "until_nanos", "rows_compared", "mismatches", "examples"));
  }

  @Override
  public void append(List<SkewResult> results) {
    Objects.requireNonNull(results, "results");
    table.append(results, SkewResult::time, (r, s) -> {
      s.setString(3, r.service());
      s.setString(4, r.feature());
      AppendOnlyTable.setNanos(s, 5, r.since());
      AppendOnlyTable.setNanos(s, 6, r.until());
      s.setLong(7, r.rowsCompared());
      s.setLong(8, r.mismatches());
      s.setString(9, AppendOnlyTable.strings(r.examples()));
    });
  }

  @Override
  public List<SkewResult> read(Instant since, String service, int limit) {
    Objects.requireNonNull(since, "since");
    return table.read(since, limit, "service, feature, since_nanos, until_nanos, rows_compared, mismatches, examples",
        service == null ? "" : "service = ?", service == null ? List.of() : List.of(service), "seq",
        (time, rs) -> new SkewResult(time, rs.getString(2), rs.getString(3), AppendOnlyTable.instantOrNull(rs, 4),
            AppendOnlyTable.instantOrNull(rs, 5), rs.getLong(6), rs.getLong(7), AppendOnlyTable.strings(rs.getString(8), "skew examples")));
  }
}
