package dev.quiver.core.model;

import java.util.Locale;
import java.util.Optional;

/** How a stream source's record values are encoded. */
public enum StreamFormat {
  /** One JSON object per record: field names as the source's raw columns, times as ISO-8601 text. */
  JSON,
  /**
   * One Avro record per value: in the Confluent wire format with writer schemas from a schema
   * registry, or plain Avro binary written with one schema ({@link AvroSettings}).
   */
  AVRO;

  /** The spelling used in definitions. */
  public String spelling() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<StreamFormat> parse(String s) {
    return switch (s == null ? "" : s.strip().toLowerCase(Locale.ROOT)) {
      case "json" -> Optional.of(JSON);
      case "avro" -> Optional.of(AVRO);
      default -> Optional.empty();
    };
  }
}
