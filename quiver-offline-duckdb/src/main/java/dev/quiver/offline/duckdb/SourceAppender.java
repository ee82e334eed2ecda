package dev.quiver.offline.duckdb;

import dev.quiver.core.spi.SourceAppend;
import dev.quiver.core.model.FileSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Appends pushed rows to a file source: a temporary table shaped like the source's existing files
 * (same columns, same types), the rows inserted into it, written to a file under {@code .quiver/tmp}
 * and moved atomically into the source's directory under the name {@link SourceAppend} gives it.
 * Readers see the whole file or nothing.
 */
final class SourceAppender {
  private SourceAppender() {}

  /**
   * Appends {@code rows} as a new file named {@code fileName}, or, when null, a generated {@code push-...} name that
   * carries {@code tag} when given (then once per tag: a file with that tag already there is returned instead).
   */
  static Path append(Connection c, FileSource source, Path repoRoot, String fileName, List<String> columns,
      List<Object[]> rows, String tag) throws SQLException {
    Scans.requireLocal(source);
    SourceAppend append = SourceAppend.plan(source, repoRoot, fileName, tag);
    if (append.already()) {
      return append.file();
    }
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TEMP TABLE quiver_push AS SELECT * FROM "
          + Scans.scan(List.of(append.template()), source.format(), "") + " LIMIT 0");
    }
    Map<String, String> types = new LinkedHashMap<>();
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("DESCRIBE quiver_push")) {
      while (r.next()) {
        types.put(r.getString(1), r.getString(2));
      }
    }
    append.requireColumns(types.keySet(), columns);
    StringBuilder insert = new StringBuilder("INSERT INTO quiver_push (");
    StringBuilder marks = new StringBuilder();
    for (int i = 0; i < columns.size(); i++) {
      insert.append(i == 0 ? "" : ", ").append(Scans.id(columns.get(i)));
      marks.append(i == 0 ? "?" : ", ?");
    }
    insert.append(") VALUES (").append(marks).append(')');
    try (PreparedStatement p = c.prepareStatement(insert.toString())) {
      for (int r = 0; r < rows.size(); r++) {
        Object[] row = rows.get(r);
        for (int i = 0; i < columns.size(); i++) {
          p.setObject(i + 1, jdbc(c, row[i], types.get(columns.get(i))));
        }
        try {
          p.execute();
        } catch (SQLException e) {
          throw append.misfit(r, DuckDbSchemaReader.reason(e.getMessage()));
        }
      }
    }
    Path tmp = append.temporary();
    try (Statement s = c.createStatement()) {
      s.execute("COPY quiver_push TO " + Scans.literal(tmp.toString()) + switch (source.format()) {
        case PARQUET -> " (FORMAT parquet, COMPRESSION zstd)";
        case CSV -> " (FORMAT csv, HEADER true)";
      });
      s.execute("DROP TABLE quiver_push");
    }
    return append.publish(tmp);
  }

  private static Object jdbc(Connection c, Object v, String type) throws SQLException {
    return switch (v) {
      case Instant t -> LocalDateTime.ofInstant(t, ZoneOffset.UTC);
      case List<?> list -> c.createArrayOf(type.toUpperCase(Locale.ROOT).replace("[]", ""), list.stream()
          .map(e -> e instanceof Instant t ? LocalDateTime.ofInstant(t, ZoneOffset.UTC) : e).toArray());
      case null, default -> v;
    };
  }
}
