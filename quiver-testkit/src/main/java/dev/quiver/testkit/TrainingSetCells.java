package dev.quiver.testkit;

import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.PointInTimePlan.Column;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Training-set cells as the offline contract compares and shows them, and the files it writes by
 * hand: exact equality of the Java values {@link HistoricalRows} documents, their display in
 * failure messages, and CSV files.
 */
final class TrainingSetCells {
  private TrainingSetCells() {}

  static Map<String, List<Object[]>> sortedByName(Map<String, List<Object[]>> files) {
    return new java.util.TreeMap<>(files);
  }

  static void createParent(Path file) {
    try {
      Files.createDirectories(file.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Object[]> drain(HistoricalRows rows) {
    List<Object[]> all = new ArrayList<>();
    rows.forEachRemaining(all::add);
    return all;
  }

  /** Equal values of equal Java types; bytes by content, floats by bits (NaN equals NaN, -0.0 is not 0.0). */
  static boolean same(Object expected, Object actual) {
    if (expected == null || actual == null) {
      return expected == actual;
    }
    if (expected instanceof byte[] e) {
      return actual instanceof byte[] a && Arrays.equals(e, a);
    }
    if (expected instanceof List<?> e) {
      if (!(actual instanceof List<?> a) || a.size() != e.size()) {
        return false;
      }
      for (int i = 0; i < e.size(); i++) {
        if (!same(e.get(i), a.get(i))) {
          return false;
        }
      }
      return true;
    }
    return expected.getClass() == actual.getClass() && expected.equals(actual);
  }

  static String show(Object v) {
    return switch (v) {
      case null -> "null";
      case byte[] b -> "0x" + HexFormat.of().formatHex(b) + " (bytes)";
      case List<?> l -> l.stream().map(TrainingSetCells::show).toList() + " (List)";
      case String s -> '"' + s.replace("\n", "\\n") + "\" (String)";
      default -> v + " (" + v.getClass().getSimpleName() + ")";
    };
  }

  static String showRow(List<String> columns, Object[] row) {
    StringBuilder s = new StringBuilder("{");
    for (int i = 0; i < columns.size(); i++) {
      s.append(i == 0 ? "" : ", ").append(columns.get(i)).append('=').append(switch (row[i]) {
        case null -> "null";
        case byte[] b -> "0x" + HexFormat.of().formatHex(b);
        case String str -> '"' + str.replace("\n", "\\n") + '"';
        default -> row[i].toString();
      });
    }
    return s.append('}').toString();
  }

  private static final DateTimeFormatter CSV_TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

  /** A header line, then one line per row; null is an empty field; timestamps in UTC. */
  static void writeCsv(Path file, List<Column> columns, List<Object[]> rows) {
    StringBuilder csv = new StringBuilder();
    csv.append(String.join(",", columns.stream().map(Column::name).toList())).append('\n');
    for (Object[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        csv.append(i == 0 ? "" : ",").append(switch (row[i]) {
          case null -> "";
          case Instant t -> CSV_TIME.format(t);
          case String s -> '"' + s.replace("\"", "\"\"") + '"';
          default -> Objects.toString(row[i]);
        });
      }
      csv.append('\n');
    }
    try {
      Files.writeString(file, csv, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
