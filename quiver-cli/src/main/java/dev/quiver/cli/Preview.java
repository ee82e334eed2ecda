package dev.quiver.cli;

import dev.quiver.core.model.FileFormat;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * Prints the first rows of a training set file as a table, values exactly as {@link
 * TextValues#format} writes them (doubles in full, timestamps with microseconds, lists in full).
 */
final class Preview {
  private Preview() {}

  static void print(OfflineEngine engine, Path file, int limit, PrintWriter out) {
    FileFormat format = FileFormat.fromPath(file.toString()).orElse(FileFormat.PARQUET);
    Path read = java.nio.file.Files.isDirectory(file) ? file.resolve("part-*.parquet") : file; // parts in name = row order
    try (HistoricalRows rows = engine.read(read, format)) {
      Table table = new Table(rows.columns().stream().map(PointInTimePlan.Column::name).toArray(String[]::new));
      for (int i = 0; i < limit && rows.hasNext(); i++) {
        Object[] row = rows.next();
        String[] cells = new String[row.length];
        for (int c = 0; c < row.length; c++) {
          cells[c] = TextValues.format(row[c]);
        }
        table.add(cells);
      }
      table.print(out);
    }
  }
}
