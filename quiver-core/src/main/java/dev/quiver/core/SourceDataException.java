package dev.quiver.core;

import java.util.Objects;

/**
 * A source's data cannot be read as its definition says: no file matches its path, a file is
 * unreadable or damaged, lacks a column the applied definitions read, or holds a value Quiver
 * refuses (an infinite event time). The data's fault, neither the request's nor the store's: only the
 * views and training sets that read the source fail, and servers answer it with a 4xx (HTTP 422)
 * naming the source and the file. The message names both too; {@link #source()} and {@link #file()}
 * give them to programs.
 */
public class SourceDataException extends QuiverException {
  private final String source;
  private final String file;

  /**
   * @param source the source's name; never null
   * @param file the file at fault, relative to the feature repo when inside it, or the source's path
   *     when no single file is at fault; never null
   * @param message the whole message, naming the source and the file
   */
  public SourceDataException(String source, String file, String message) {
    this(source, file, message, null);
  }

  public SourceDataException(String source, String file, String message, Throwable cause) {
    super(message, cause);
    this.source = Objects.requireNonNull(source, "source");
    this.file = Objects.requireNonNull(file, "file");
  }

  /** The name of the source whose data is at fault. */
  public String source() {
    return source;
  }

  /** The file at fault (repo-relative when inside the repo), or the source's path. */
  public String file() {
    return file;
  }
}
