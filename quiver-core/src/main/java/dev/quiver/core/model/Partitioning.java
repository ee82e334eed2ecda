package dev.quiver.core.model;

import java.util.Locale;
import java.util.Optional;

/**
 * How a batch source's folders add columns. {@link #HIVE}: files sit under {@code key=value/}
 * folders, and each key is a column of every row below it. {@link #NONE}: folders add nothing.
 * {@link #AUTO}, the default: a source whose path is a directory is {@code HIVE}; for a file or a
 * glob the engine's own detection applies (DuckDB adds {@code key=value} columns when the files'
 * paths have them).
 */
public enum Partitioning {
  AUTO,
  HIVE,
  NONE;

  /** The spelling used in definitions. */
  public String spelling() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** {@code hive} or {@code none}; {@code auto} is the default and not written. */
  public static Optional<Partitioning> parse(String s) {
    return switch (s == null ? "" : s.strip().toLowerCase(Locale.ROOT)) {
      case "hive" -> Optional.of(HIVE);
      case "none" -> Optional.of(NONE);
      default -> Optional.empty();
    };
  }
}
