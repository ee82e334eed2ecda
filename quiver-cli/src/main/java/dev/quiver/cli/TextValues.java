package dev.quiver.cli;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.online.StrictValues;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Values as the command line reads and prints them. Reading is strict and typed by the declared
 * type ({@code "01"} and {@code "1.5"} are not int64); printing is exact: doubles in full (the
 * shortest text that reads back as the same double), timestamps as ISO-8601 UTC with microseconds
 * ({@code 2026-03-01T10:15:00.123456Z}, as training-set CSV writes them), bytes as base64, lists
 * with every item.
 */
final class TextValues {
  /** ISO-8601 UTC with exactly six fraction digits, the timestamp spelling of every CLI output. */
  static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private TextValues() {}

  /**
   * Reads {@code text} as a value of {@code type}. Lists are written {@code [1.5,2.0]}; bytes in
   * base64; timestamps as {@link Times#parse} reads them.
   *
   * @throws IllegalArgumentException with what a value of the type looks like, when it does not fit
   */
  static Object parse(String text, ValueType type) {
    return switch (type) {
      case ScalarType s -> scalar(text, s);
      case ListType l -> {
        String t = text.strip();
        if (!t.startsWith("[") || !t.endsWith("]")) {
          throw new IllegalArgumentException(hint(type));
        }
        String inner = t.substring(1, t.length() - 1);
        List<Object> items = new ArrayList<>();
        if (!inner.isBlank()) {
          for (String item : inner.split(",", -1)) {
            try {
              items.add(scalar(item.strip(), l.element()));
            } catch (IllegalArgumentException e) {
              throw new IllegalArgumentException("'" + item.strip() + "' is not " + l.element().spelling() + "; " + hint(type));
            }
          }
        }
        yield java.util.Collections.unmodifiableList(items);
      }
    };
  }

  /**
   * A scalar by core's one strict parser ({@link StrictValues}, as keys and request data are parsed
   * over HTTP and gRPC), except that a timestamp may also be {@code now} ({@link Times#parse}).
   */
  private static Object scalar(String text, ScalarType type) {
    try {
      return type == ScalarType.TIMESTAMP ? Times.parse(text) : StrictValues.parse(type, text);
    } catch (IllegalArgumentException | QuiverException e) {
      throw new IllegalArgumentException(hint(type));
    }
  }

  /** What a value of the type looks like, for messages. */
  static String hint(ValueType type) {
    return switch (type) {
      case ListType l -> "write a list like " + example(type);
      case ScalarType s -> switch (s) {
        case INT32, INT64 -> "write a whole number like 42";
        case FLOAT32, FLOAT64 -> "write a number like 10.5";
        case BOOL -> "write true or false";
        case STRING -> "write text";
        case BYTES -> "write base64 like aGVsbG8=";
        case TIMESTAMP -> "write a time like now, 2026-03-01 or 2026-03-01T12:00:00Z (UTC)";
      };
    };
  }

  /** A value of the type, as {@link #parse} reads it: for messages. */
  static String example(ValueType type) {
    return switch (type) {
      case ListType l -> "[" + example(l.element()) + "," + example(l.element()) + "]";
      case ScalarType s -> switch (s) {
        case INT32, INT64 -> "42";
        case FLOAT32, FLOAT64 -> "10.5";
        case BOOL -> "true";
        case STRING -> "DE";
        case BYTES -> "aGVsbG8=";
        case TIMESTAMP -> "2026-03-01T12:00:00Z";
      };
    };
  }

  /** A value printed exactly: see the class comment. */
  static String format(Object v) {
    return switch (v) {
      case null -> "null";
      case Double d -> Double.toString(d);
      case Float f -> Float.toString(f);
      case Instant t -> TIMESTAMP.format(t);
      case byte[] b -> Base64.getEncoder().encodeToString(b);
      case List<?> list -> {
        StringBuilder s = new StringBuilder("[");
        for (Object item : list) {
          s.append(s.length() == 1 ? "" : ", ").append(format(item));
        }
        yield s.append(']').toString();
      }
      default -> String.valueOf(v);
    };
  }
}
