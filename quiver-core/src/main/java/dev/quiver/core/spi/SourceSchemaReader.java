package dev.quiver.core.spi;

import dev.quiver.core.model.FileSource;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads the column names and types of a source's files, so definitions are checked against the
 * data as it is. Implemented by an offline engine and found with {@link java.util.ServiceLoader}.
 * Implementations are thread-safe.
 */
public interface SourceSchemaReader {

  /**
   * The columns of the source's files, in file order, before field mapping.
   *
   * @param repoRoot the feature repo; relative source paths resolve against it
   * @throws dev.quiver.core.QuiverException when no file matches the path or a file cannot be read,
   *     with a message naming the path
   */
  List<SourceColumn> columns(FileSource source, Path repoRoot);
}
