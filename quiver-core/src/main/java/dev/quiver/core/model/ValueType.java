package dev.quiver.core.model;

import java.util.Locale;
import java.util.Optional;

/**
 * The type of a feature value, join key or request field: a {@link ScalarType} or a {@link ListType}
 * of a scalar. Any value of any type may be null.
 *
 * <p>Spelled in definitions as {@code int32, int64, float32, float64, bool, string, bytes,
 * timestamp} or {@code list<T>} (for example {@code list<float32>} for an embedding).
 */
public sealed interface ValueType extends java.io.Serializable permits ScalarType, ListType {

  /** The spelling used in definitions and in the registry, e.g. {@code int64} or {@code list<float32>}. */
  String spelling();

  /** True for int32, int64, float32 and float64. */
  default boolean isNumeric() {
    return this instanceof ScalarType s && s.numeric();
  }

  /** True when values can be ordered (numbers, strings, timestamps, bools). */
  default boolean isOrderable() {
    return this instanceof ScalarType s && s != ScalarType.BYTES;
  }

  /**
   * Parses a type spelling.
   *
   * @return the type, or empty when the spelling names no type
   */
  static Optional<ValueType> parse(String spelling) {
    if (spelling == null) {
      return Optional.empty();
    }
    String s = spelling.strip().toLowerCase(Locale.ROOT);
    for (String prefix : new String[] {"list<", "array<"}) {
      if (s.startsWith(prefix) && s.endsWith(">")) {
        return ScalarType.parse(s.substring(prefix.length(), s.length() - 1))
            .map(ListType::new);
      }
    }
    return ScalarType.parse(s).map(t -> t);
  }

  /** The list of spellings, for error messages. */
  static String spellings() {
    return "int32, int64, float32, float64, bool, string, bytes, timestamp, list<T>";
  }
}
