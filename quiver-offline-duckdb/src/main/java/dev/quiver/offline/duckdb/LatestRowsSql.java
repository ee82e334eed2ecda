package dev.quiver.offline.duckdb;

import static dev.quiver.offline.duckdb.Scans.id;

import dev.quiver.core.model.Timestamps;
import dev.quiver.core.offline.LatestRowsPlan;
import dev.quiver.core.offline.PointInTimePlan.KeyBinding;
import dev.quiver.core.offline.PointInTimePlan.LatestValue;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders a {@link LatestRowsPlan} to DuckDB SQL: a hash aggregate keeps, per key, only the maximum
 * ordering key (a small struct) of the rows in range; a hash join then fetches those rows' columns by
 * position. Sorting whole rows is avoided: on 10M rows this is about five times faster than a window
 * with {@code row_number()}.
 */
final class LatestRowsSql {
  private static final String LATEST = "__quiver_latest";
  private static final String ORDER = "__quiver_order";

  private final List<Step> setup = new ArrayList<>();
  private final String select;
  private final List<String> files;

  LatestRowsSql(LatestRowsPlan plan, Path repoRoot) {
    this(plan, repoRoot, false, false);
  }

  /**
   * With {@code all}, every row in range, sorted by keys and {@code (event_ts, created_ts, position)}
   * (the tie order), instead of the latest per key; with {@code positions} too, each followed by its
   * file, as an index into {@link #files()}, and its row in that file ({@link LatestRowsPlan#SOURCE_FILE},
   * {@link LatestRowsPlan#SOURCE_ROW}).
   */
  LatestRowsSql(LatestRowsPlan plan, Path repoRoot, boolean all, boolean positions) {
    SourceScan scan = new SourceScan(plan.source(), repoRoot, "__quiver_source");
    files = scan.files.stream().map(f -> dev.quiver.core.spi.SourceFiles.display(f, repoRoot)).toList();
    setup.add(new Step.Sql("SET TimeZone = 'UTC'"));
    if (scan.staging != null) {
      setup.add(new Step.Sql(scan.staging));
    }
    setup.add(FiniteTimes.sourceStep(scan));
    StringBuilder keys = new StringBuilder();
    StringBuilder where = new StringBuilder(scan.eventColumn + " IS NOT NULL");
    for (KeyBinding k : plan.keys()) {
      keys.append(id(k.sourceColumn())).append(", ");
      where.append(" AND ").append(id(k.sourceColumn())).append(" IS NOT NULL");
    }
    where.append(" AND ").append(scan.event()).append(" >= ").append(timestamp(plan.start()))
        .append(" AND ").append(scan.event()).append(" <= ").append(timestamp(plan.end()));
    if (all) {
      String order = keys + scan.event() + (scan.createdColumn == null ? "" : ", " + scan.created() + " NULLS FIRST")
          + ", " + scan.tieOrder("");
      // the file's index into files, not its path: a string per row sorted along would double the read's time
      String position = positions ? ", " + scan.fileIndex("") + " AS " + LatestRowsPlan.SOURCE_FILE + ", " + scan.fileRow("")
          + " AS " + LatestRowsPlan.SOURCE_ROW : "";
      select = "SELECT " + columns(plan, scan, "") + position + " FROM " + scan.relation + " WHERE " + where + " ORDER BY " + order;
      return;
    }
    setup.add(new Step.Sql("CREATE OR REPLACE TEMP TABLE " + LATEST + " AS SELECT max(" + scan.rowOrder() + ") AS " + ORDER
        + ", count(*) AS " + LatestRowsPlan.SOURCE_ROWS
        + " FROM " + scan.relation + " WHERE " + where + " GROUP BY " + keys.substring(0, keys.length() - 2)));
    select = "SELECT " + columns(plan, scan, "s.") + ", " + scan.filePathOf(ORDER) + " AS " + LatestRowsPlan.SOURCE_FILE
        + ", " + scan.fileRow("s.") + " AS " + LatestRowsPlan.SOURCE_ROW
        + ", m." + LatestRowsPlan.SOURCE_ROWS + " FROM " + LATEST + " m JOIN "
        + scan.relation + " s ON " + scan.matches(ORDER);
  }

  /** The result columns of {@link LatestRowsPlan}: keys, event and created time, features; {@code prefix} qualifies source columns. */
  private static String columns(LatestRowsPlan plan, SourceScan scan, String prefix) {
    StringBuilder out = new StringBuilder();
    for (KeyBinding k : plan.keys()) {
      out.append(prefix).append(id(k.sourceColumn())).append(" AS ").append(id(k.queryColumn())).append(", ");
    }
    out.append(scan.event(prefix)).append(" AS ").append(LatestRowsPlan.EVENT_TS);
    out.append(", ").append(scan.created(prefix)).append(" AS ").append(LatestRowsPlan.CREATED_TS);
    for (LatestValue f : plan.features()) {
      out.append(", ").append(prefix).append(id(f.sourceColumn())).append(" AS ").append(id(f.outputName()));
    }
    return out.toString();
  }

  /**
   * The source's files as the select numbers them (its {@link LatestRowsPlan#SOURCE_FILE} column holds
   * an index into this list when asked for positions), as {@link dev.quiver.core.spi.SourceFiles#display} names them.
   */
  List<String> files() {
    return files;
  }

  List<Step> setup() {
    return setup;
  }

  String select() {
    return select;
  }

  private static String timestamp(Instant t) {
    return "make_timestamp(" + Timestamps.toMicros(t) + "::BIGINT)";
  }
}
