package dev.quiver.core.model;

import java.util.Locale;
import java.util.Optional;

/** How a stream source's record values are encoded. */
public enum StreamFormat {
  /** One JSON object per record: field names as the source's raw columns, times as ISO-8601 text. */
  JSON;

  /** The spelling used in definitions. */
  public String spelling() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<StreamFormat> parse(String s) {
    return switch (s == null ? "" : s.strip().toLowerCase(Locale.ROOT)) {
      case "json" -> Optional.of(JSON);
      default -> Optional.empty();
    };
  }
}
