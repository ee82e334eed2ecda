package dev.quiver.offline.duckdb;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.SourceDataException;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.spi.SourceFiles;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;

/**
 * DuckDB errors turned into the exceptions a user can act on ({@link DuckDbOfflineEngine}): a request
 * error for query SQL reading outside the repo, a {@link SourceDataException} naming a source's file
 * that is gone or unreadable, else the engine's failure with a hint when the files changed since apply.
 */
final class DuckDbFailures {
  private DuckDbFailures() {}

  /**
   * A DuckDB error while computing a training set: the query SQL reading a file outside the repo (a
   * request error), a source's file that vanished or could not be read (a source data error naming
   * it), or else the engine's failure.
   */
  static QuiverException failure(SQLException e, PointInTimePlan plan, Path repoRoot) {
    InvalidRequestException outside = QuerySql.outsideRepo(e, repoRoot);
    return outside != null ? outside : failure(e, RepoConfinement.sources(plan), repoRoot);
  }

  /**
   * A DuckDB error while reading {@code sources}: a {@link SourceDataException} naming the source and
   * its file when one of them is gone or is the file DuckDB names, else the engine's failure.
   */
  static QuiverException failure(SQLException e, Collection<FileSource> sources, Path repoRoot) {
    String reason = DuckDbSchemaReader.reason(e.getMessage());
    for (FileSource source : sources) {
      List<Path> files;
      try {
        files = SourceFiles.resolve(source, repoRoot);
      } catch (SourceDataException gone) {
        gone.addSuppressed(e);
        return gone; // deleted or made unreadable while the engine was reading it
      }
      for (Path file : files) {
        if (reason.contains(file.toAbsolutePath().toString())) {
          return DuckDbSchemaReader.unreadable(source, repoRoot, List.of(file), e);
        }
      }
    }
    return failed(e);
  }

  static QuiverException failed(SQLException e) {
    String reason = DuckDbSchemaReader.reason(e.getMessage());
    // a column the applied definitions read is gone: the files changed after apply
    String hint = reason != null && reason.contains("Binder Error") && (reason.contains("not found") || reason.contains("does not have a column"))
        ? "; the source files may have changed since the definitions were applied: run 'quiver plan' to see what differs"
        : "";
    return new QuiverException("the offline engine (DuckDB) failed: " + reason + hint, e);
  }
}
