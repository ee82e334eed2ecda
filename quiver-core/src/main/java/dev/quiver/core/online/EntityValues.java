package dev.quiver.core.online;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.JoinKey;

/**
 * Entity key values as requests give them (JSON numbers and strings, protobuf values, CLI text, Java
 * objects), parsed strictly to the join key's type by {@link StrictValues}: the one place every key
 * that enters Quiver is parsed (online reads over HTTP, gRPC, the CLI and the Java API; pushed rows,
 * online and offline).
 */
final class EntityValues {
  private EntityValues() {}

  /**
   * The value as the key type's Java class ({@code Long} for int64, {@code Integer} for int32, ...);
   * null stays null.
   *
   * @throws InvalidRequestException naming the column, the value and the type expected
   */
  static Object coerce(JoinKey key, Object v) {
    return coerce(key, v, -1);
  }

  /** As {@link #coerce(JoinKey, Object)}, naming the row ({@code row >= 0}) of pushed rows in the message. */
  static Object coerce(JoinKey key, Object v, int row) {
    try {
      return StrictValues.parse(key.type(), v);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("entity column '" + key.name() + "' holds " + key.type().spelling()
          + " keys, but got " + StrictValues.describe(v) + (row >= 0 ? " in row " + row : "") + "; expected " + e.getMessage());
    }
  }
}
