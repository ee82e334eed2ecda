package dev.quiver.core.online;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.RequestField;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.model.ValueType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Request-context values as requests give them, converted to request-field types. */
final class RequestValues {
  private RequestValues() {}

  /** The value as its field type's Java class; null stays null; a misfit is the caller's error. */
  static Object coerce(RequestField field, String view, Object v) {
    if (v == null) {
      return null;
    }
    if (field.type() instanceof ListType l) {
      if (!(v instanceof List<?> items)) {
        throw mismatch(field, view, v);
      }
      List<Object> out = new ArrayList<>(items.size());
      for (Object item : items) {
        out.add(item == null ? null : scalar(field, view, l.element(), item));
      }
      return java.util.Collections.unmodifiableList(out);
    }
    return scalar(field, view, (ScalarType) field.type(), v);
  }

  private static Object scalar(RequestField field, String view, ScalarType t, Object v) {
    try {
      Object out = switch (t) {
        case INT32 -> {
          long l = whole(v);
          if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
            throw mismatch(field, view, v);
          }
          yield (int) l;
        }
        case INT64 -> whole(v);
        case FLOAT32 -> v instanceof Number n ? (Object) n.floatValue()
            : v instanceof String s ? (Object) Float.parseFloat(s.strip()) : null;
        case FLOAT64 -> v instanceof Number n ? (Object) n.doubleValue()
            : v instanceof String s ? (Object) Double.parseDouble(s.strip()) : null;
        case BOOL -> v instanceof Boolean b ? b
            : v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) ? Boolean.parseBoolean(s) : null;
        case STRING -> v instanceof String s ? s : null;
        case BYTES -> v instanceof byte[] b ? b : v instanceof String s ? Base64.getDecoder().decode(s) : null;
        case TIMESTAMP -> v instanceof Instant i ? Timestamps.truncate(i) : v instanceof String s ? timestamp(s) : null;
      };
      if (out == null) {
        throw mismatch(field, view, v);
      }
      return out;
    } catch (IllegalArgumentException | ArithmeticException | DateTimeParseException e) {
      throw mismatch(field, view, v); // NumberFormatException and bad base64 are IllegalArgumentExceptions
    }
  }

  private static long whole(Object v) {
    return switch (v) {
      case Integer i -> i;
      case Long l -> l;
      case Short s -> s;
      case Byte b -> b;
      case BigInteger b -> b.longValueExact();
      case BigDecimal b -> b.longValueExact();
      case Double d when d == Math.rint(d) && Math.abs(d) < 0x1p63 -> (long) d.doubleValue();
      case Float f when f == Math.rint(f) && Math.abs(f) < 0x1p63 -> (long) f.floatValue();
      case String s -> Long.parseLong(s.strip());
      default -> throw new NumberFormatException();
    };
  }

  private static Instant timestamp(String text) {
    String s = text.strip();
    String iso = s.length() > 10 && s.charAt(10) == ' ' ? s.substring(0, 10) + 'T' + s.substring(11) : s;
    Instant t;
    try {
      t = OffsetDateTime.parse(iso).toInstant();
    } catch (DateTimeParseException withoutZone) {
      try {
        t = LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException withoutTime) {
        t = LocalDate.parse(iso).atStartOfDay().toInstant(ZoneOffset.UTC);
      }
    }
    return Timestamps.truncate(t);
  }

  private static InvalidRequestException mismatch(RequestField field, String view, Object v) {
    return new InvalidRequestException("request field '" + field.name() + "' (of on-demand view " + view + ") is "
        + field.type().spelling() + ", but got " + (v instanceof String ? "'" + v + "'" : String.valueOf(v))
        + " (" + v.getClass().getSimpleName() + ")");
  }
}
