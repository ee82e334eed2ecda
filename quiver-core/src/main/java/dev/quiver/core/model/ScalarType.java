package dev.quiver.core.model;

import java.util.Locale;
import java.util.Optional;

/** The scalar value types. Timestamps are UTC with microsecond precision. */
public enum ScalarType implements ValueType {
  INT32("int32", true),
  INT64("int64", true),
  FLOAT32("float32", true),
  FLOAT64("float64", true),
  BOOL("bool", false),
  STRING("string", false),
  BYTES("bytes", false),
  TIMESTAMP("timestamp", false);

  private final String spelling;
  private final boolean numeric;

  ScalarType(String spelling, boolean numeric) {
    this.spelling = spelling;
    this.numeric = numeric;
  }

  @Override
  public String spelling() {
    return spelling;
  }

  boolean numeric() {
    return numeric;
  }

  /** True for int32 and int64. */
  public boolean isIntegral() {
    return this == INT32 || this == INT64;
  }

  /** Parses one scalar spelling; accepts the common aliases (int, long, double, float, boolean). */
  public static Optional<ScalarType> parse(String spelling) {
    String s = spelling.strip().toLowerCase(Locale.ROOT);
    return Optional.ofNullable(
        switch (s) {
          case "int32", "int", "integer" -> INT32;
          case "int64", "long", "bigint" -> INT64;
          case "float32", "float", "real" -> FLOAT32;
          case "float64", "double" -> FLOAT64;
          case "bool", "boolean" -> BOOL;
          case "string", "str", "varchar" -> STRING;
          case "bytes", "binary", "blob" -> BYTES;
          case "timestamp", "unix_timestamp", "datetime" -> TIMESTAMP;
          default -> null;
        });
  }

  @Override
  public String toString() {
    return spelling;
  }
}
