package dev.quiver.offline.duckdb;

import dev.quiver.core.spi.SourceFiles;
import static dev.quiver.offline.duckdb.Scans.id;

import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.TimestampFormat;
import java.nio.file.Path;
import java.util.List;

/**
 * How one source's rows are read and ordered: the relation to scan (CSV is staged into a table
 * first), each row's position in the source, and the ordering key {@code {event_ts, created_ts,
 * file, position}} that decides "latest" everywhere (point-in-time joins and materialization alike).
 * Event and created columns are the raw file columns, before field mapping.
 */
final class SourceScan {
  final String relation;
  final String position;
  final boolean byFile;
  final String eventColumn;
  final String createdColumn;
  /** The column of a staged CSV source holding each row's position. */
  static final String STAGED_POSITION = "__quiver_pos";
  /** The column of a staged CSV source holding each row's file, an index into {@link #files}. */
  static final String STAGED_FILE = "__quiver_file";
  /** The column of a staged CSV source holding each row's number in its file, from 0. */
  static final String STAGED_FILE_ROW = "__quiver_file_row";
  /** A statement to run first (staging a CSV source), or null. */
  final String staging;
  final FileSource source;
  final Path repoRoot;
  /** The source's files, in path order. */
  final List<Path> files;

  /**
   * @param stagedName the table a CSV source is staged into
   */
  SourceScan(FileSource source, Path repoRoot, String stagedName) {
    this.source = source;
    this.repoRoot = repoRoot;
    this.files = Scans.files(source, repoRoot);
    String partitions = Scans.partitionOptions(source, repoRoot);
    if (source.format() == FileFormat.PARQUET) {
      byFile = files.size() > 1;
      relation = Scans.scan(files, FileFormat.PARQUET, Scans.options(
          byFile ? "file_row_number = true, filename = true" : "file_row_number = true", partitions));
      position = "file_row_number";
      staging = null;
    } else {
      byFile = false;
      // an explicit position, not the table's rowid, which a CSV column named rowid would shadow;
      // row_number() OVER () numbers rows in input order (DuckDB preserves order for an empty OVER)
      // file_index numbers the files in the order given (path order); a row's number in its file is
      // its position less the first position of its file
      String numbered = "SELECT *, row_number() OVER () - 1 AS " + STAGED_POSITION + ", file_index AS " + STAGED_FILE
          + " FROM " + Scans.scan(files, FileFormat.CSV, partitions);
      staging = "CREATE OR REPLACE TEMP TABLE " + stagedName + " AS SELECT *, " + STAGED_POSITION + " - min(" + STAGED_POSITION
          + ") OVER (PARTITION BY " + STAGED_FILE + ") AS " + STAGED_FILE_ROW + " FROM (" + numbered + ")";
      relation = stagedName;
      position = STAGED_POSITION;
    }
    eventColumn = id(source.rawColumn(source.timestampColumn()));
    createdColumn = source.createdColumn() == null ? null : id(source.rawColumn(source.createdColumn()));
  }

  /** The event time as a TIMESTAMP, converted as the source's {@code timestamp_format} says. */
  String event() {
    return event("");
  }

  /** {@link #event()} of the relation aliased {@code alias} (with its dot, or empty). */
  String event(String alias) {
    return time(alias + eventColumn);
  }

  /** The created time as a TIMESTAMP, or {@code NULL}. */
  String created() {
    return created("");
  }

  /** {@link #created()} of the relation aliased {@code alias} (with its dot, or empty). */
  String created(String alias) {
    return createdColumn == null ? "NULL::TIMESTAMP" : time(alias + createdColumn);
  }

  /**
   * A raw time column as a TIMESTAMP, by the source's {@link TimestampFormat} (the rule is in the
   * plan's source; this is its DuckDB spelling): timestamps cast, epoch numbers scaled to
   * microseconds, strings parsed with the pattern's strftime spelling after checking their width (a
   * value that does not match fails the query with the source's name, the value and the pattern).
   * A null stays null.
   */
  private String time(String column) {
    TimestampFormat f = source.timestampFormat();
    return switch (f.kind()) {
      case TIMESTAMP -> "CAST(" + column + " AS TIMESTAMP)";
      case EPOCH_SECONDS, EPOCH_MILLIS, EPOCH_MICROS -> "make_timestamp(CAST(" + column + " AS BIGINT)"
          + (f.microsPerUnit() == 1 ? "" : " * " + f.microsPerUnit()) + ")";
      case PATTERN -> "CASE WHEN length(" + column + ") <> " + f.width() + " THEN error(" + Scans.literal("source '"
          + source.name() + "': '") + " || " + column + " || " + Scans.literal("' does not match timestamp_format '"
          + f.pattern() + "' (" + f.width() + " characters); fix the value or the pattern") + ") ELSE make_timestamp(epoch_us(strptime("
          + column + ", " + Scans.literal(f.strftime()) + "))) END";
    };
  }

  /** A row's ordering key; a null created time sorts first. */
  String rowOrder() {
    StringBuilder s = new StringBuilder("{'t': ").append(event());
    if (createdColumn != null) {
      s.append(", 'c': coalesce(").append(created()).append(", '-infinity'::TIMESTAMP)");
    }
    if (byFile) {
      s.append(", 'f': filename");
    }
    s.append(", 'r': ").append(position).append("::BIGINT");
    if (byFile) {
      // not part of the order ('f' and 'r' are unique): the file's index in files, read where no
      // filter on filename prunes the list (such pruning numbers the files left from 0)
      s.append(", 'i': file_index::BIGINT");
    }
    return s.append('}').toString();
  }

  /**
   * A row's position in the source as one BIGINT, ordered as {@link #rowOrder()} orders positions:
   * the row number, and for several files the file's index (files are listed in path order, as
   * {@code filename} compares) in the bits above 40.
   *
   * @param alias the relation's alias and a dot, or empty
   */
  String positionKey(String alias) {
    return byFile ? "((" + alias + "file_index::BIGINT << 40) + " + alias + "file_row_number)" : alias + position + "::BIGINT";
  }

  /**
   * A row's file as people and the online order key name it ({@link SourceFiles#display}: relative
   * to the repo when inside it), as a SQL expression of type VARCHAR.
   *
   * @param alias the relation's alias and a dot, or empty
   */
  String filePath(String alias) {
    return filePath(alias, source.format() == FileFormat.PARQUET ? alias + "file_index" : alias + STAGED_FILE);
  }

  /**
   * {@link #filePath(String)} from the latest row's ordering key {@code m.<order>} ({@link
   * #rowOrder}): a relation joined to the source on filename may prune the files and renumber them.
   */
  String filePathOf(String order) {
    return source.format() == FileFormat.PARQUET ? filePath("", "m." + order + ".i") : filePath("s.");
  }

  private String filePath(String alias, String index) {
    if (files.size() == 1) {
      return Scans.literal(SourceFiles.display(files.get(0), repoRoot));
    }
    StringBuilder list = new StringBuilder("[");
    for (int i = 0; i < files.size(); i++) {
      list.append(i == 0 ? "" : ", ").append(Scans.literal(SourceFiles.display(files.get(i), repoRoot)));
    }
    return list.append("][").append(index).append("::BIGINT + 1]").toString();
  }

  /** A row's file as its index into {@link #files}, as a BIGINT SQL expression. */
  String fileIndex(String alias) {
    if (source.format() != FileFormat.PARQUET) {
      return alias + STAGED_FILE + "::BIGINT";
    }
    return files.size() == 1 ? "0::BIGINT" : alias + "file_index::BIGINT";
  }

  /** A row's number in its file, from 0, as a BIGINT SQL expression. */
  String fileRow(String alias) {
    return source.format() == FileFormat.PARQUET ? alias + "file_row_number::BIGINT" : alias + STAGED_FILE_ROW + "::BIGINT";
  }

  /**
   * The columns that order rows of equal times (DESIGN §3, "Ties"), for an {@code ORDER BY} after
   * the event and created times: the file in path order, then the row in file order.
   */
  String tieOrder(String alias) {
    return positionKey(alias);
  }

  /** Joins a relation {@code m} holding an ordering key column {@code order} back to the source row {@code s}. */
  String matches(String order) {
    return "m." + order + ".r = s." + position + (byFile ? " AND m." + order + ".f = s.filename" : "");
  }
}
