package dev.quiver.core.model;

import java.util.Locale;
import java.util.Optional;

/** File formats a batch source can read. */
public enum FileFormat {
  PARQUET,
  CSV;

  /** The spelling used in definitions. */
  public String spelling() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<FileFormat> parse(String s) {
    return switch (s == null ? "" : s.strip().toLowerCase(Locale.ROOT)) {
      case "parquet" -> Optional.of(PARQUET);
      case "csv" -> Optional.of(CSV);
      default -> Optional.empty();
    };
  }

  /** The format a path's extension implies, if any. */
  public static Optional<FileFormat> fromPath(String path) {
    String p = path.toLowerCase(Locale.ROOT);
    if (p.endsWith(".parquet") || p.endsWith(".pq")) {
      return Optional.of(PARQUET);
    }
    if (p.endsWith(".csv") || p.endsWith(".csv.gz")) {
      return Optional.of(CSV);
    }
    return Optional.empty();
  }
}
