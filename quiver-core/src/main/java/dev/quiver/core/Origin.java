package dev.quiver.core;

import java.util.Objects;

/**
 * Where a definition was written: a file relative to the feature repo, and a 1-based line.
 *
 * @param file the path of the definition file as the user would type it, or {@code "<java>"}
 * @param line 1-based line number, or 0 when unknown
 */
public record Origin(String file, int line) {
  /** The origin of definitions built with the Java builder API. */
  public static final Origin UNKNOWN = new Origin("<java>", 0);

  public Origin {
    Objects.requireNonNull(file, "file");
  }

  @Override
  public String toString() {
    return line > 0 ? file + ":" + line : file;
  }
}
