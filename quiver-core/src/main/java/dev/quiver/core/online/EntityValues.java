package dev.quiver.core.online;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.JoinKey;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Entity key values as requests give them (JSON numbers and strings, CLI text) coerced to key types. */
final class EntityValues {
  private EntityValues() {}

  /** The value as the key's Java type; null stays null; anything else that does not fit is an error. */
  static Object coerce(JoinKey key, Object v) {
    if (v == null) {
      return null;
    }
    try {
      return switch (key.type()) {
        case INT32, INT64 -> switch (v) {
          case Integer i -> i.longValue();
          case Long l -> l;
          case Short s -> s.longValue();
          case Byte b -> b.longValue();
          case java.math.BigInteger b -> b.longValueExact();
          case Double d when d == Math.rint(d) && Math.abs(d) < 0x1p63 -> (long) d.doubleValue(); // else no long is it
          case String s -> Long.parseLong(s.strip());
          default -> throw mismatch(key, v);
        };
        case FLOAT32, FLOAT64 -> v instanceof Number n ? n.doubleValue()
            : v instanceof String s ? Double.parseDouble(s.strip()) : fail(key, v);
        case STRING -> v instanceof String s ? s : fail(key, v);
        case BOOL -> v instanceof Boolean b ? b
            : v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) ? Boolean.parseBoolean(s) : fail(key, v);
        case BYTES -> v instanceof byte[] b ? b : v instanceof String s ? java.util.Base64.getDecoder().decode(s) : fail(key, v);
        case TIMESTAMP -> supported(key, v instanceof Instant t ? t : v instanceof String s ? Instant.parse(s.strip()) : (Instant) fail(key, v));
      };
    } catch (NumberFormatException | ArithmeticException | DateTimeParseException e) {
      throw mismatch(key, v);
    } catch (IllegalArgumentException e) {
      throw mismatch(key, v);
    }
  }

  private static Instant supported(JoinKey key, Instant t) {
    if (!dev.quiver.core.model.Timestamps.supported(t)) {
      throw new InvalidRequestException("entity column '" + key.name() + "': " + t + " is outside the supported years 0001 to 9999");
    }
    return t;
  }

  private static Object fail(JoinKey key, Object v) {
    throw mismatch(key, v);
  }

  private static InvalidRequestException mismatch(JoinKey key, Object v) {
    return new InvalidRequestException("entity column '" + key.name() + "' holds " + key.type().spelling()
        + " keys, but got " + (v instanceof String ? "'" + v + "'" : String.valueOf(v))
        + " (" + v.getClass().getSimpleName() + ")");
  }
}
