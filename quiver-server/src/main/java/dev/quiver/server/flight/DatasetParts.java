package dev.quiver.server.flight;

import dev.quiver.core.NotFoundException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.offline.DatasetDirectory;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A saved dataset written as a directory ({@link DatasetDirectory}) read back as one table: its part
 * files one after the other in name order, which is the query's row order, each read by the engine
 * as {@code quiver historical} wrote it. One part is open at a time. The parts must share their
 * columns (the engine writes them so); a part that differs is reported, naming it.
 */
final class DatasetParts implements HistoricalRows {
  private final OfflineEngine engine;
  private final List<Path> parts;
  private final List<PointInTimePlan.Column> columns;
  private HistoricalRows current;
  private int next;

  private DatasetParts(OfflineEngine engine, List<Path> parts) {
    this.engine = engine;
    this.parts = parts;
    this.current = engine.read(parts.get(0), FileFormat.PARQUET);
    this.columns = current.columns();
    this.next = 1;
  }

  /**
   * The rows of the dataset directory {@code dir}.
   *
   * @throws NotFoundException when the directory is gone or holds no part files
   */
  static HistoricalRows read(OfflineEngine engine, String dataset, Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new NotFoundException("saved dataset '" + dataset + "' was written to the directory " + dir + ", which is gone;"
          + " compute it again with quiver datasets reproduce " + dataset + " --out DIR/");
    }
    List<Path> parts = DatasetDirectory.parts(dir);
    if (parts.isEmpty()) {
      throw new NotFoundException("saved dataset '" + dataset + "' was written to " + dir + ", which holds no part files"
          + " (part-00000.parquet, ...); compute it again with quiver datasets reproduce " + dataset + " --out DIR/");
    }
    return new DatasetParts(engine, parts);
  }

  @Override
  public List<PointInTimePlan.Column> columns() {
    return columns;
  }

  @Override
  public boolean hasNext() {
    while (!current.hasNext()) {
      if (next >= parts.size()) {
        return false;
      }
      current.close();
      Path part = parts.get(next++);
      current = engine.read(part, FileFormat.PARQUET);
      if (!current.columns().equals(columns)) {
        throw new QuiverException("part file " + part + " has columns " + current.columns() + " where the dataset's first"
            + " part has " + columns + "; the directory was changed after it was written");
      }
    }
    return true;
  }

  @Override
  public Object[] next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return current.next();
  }

  @Override
  public void close() {
    current.close();
  }
}
