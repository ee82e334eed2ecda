package dev.quiver.offline.spark;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import scala.collection.Iterator;

/**
 * Values between Spark's external row values (with {@code spark.sql.datetime.java8API.enabled}) and
 * the Java values {@link dev.quiver.core.offline.HistoricalRows} documents: {@code Integer}, {@code
 * Long}, {@code Float}, {@code Double}, {@code Boolean}, {@code String}, {@code byte[]}, {@code
 * Instant} (UTC) and {@code java.util.List} for lists. Values of other types pass through unchanged.
 */
final class SparkValues {
  private SparkValues() {}

  /** A Spark row value as a Quiver Java value. */
  static Object toJava(Object value) {
    return switch (value) {
      case null -> null;
      case scala.collection.Seq<?> seq -> {
        List<Object> list = new ArrayList<>(seq.size());
        Iterator<?> it = seq.iterator();
        while (it.hasNext()) {
          list.add(toJava(it.next()));
        }
        yield list;
      }
      case Object[] array -> {
        List<Object> list = new ArrayList<>(array.length);
        for (Object o : array) {
          list.add(toJava(o));
        }
        yield list;
      }
      case LocalDateTime t -> t.toInstant(ZoneOffset.UTC);
      case LocalDate d -> d.atStartOfDay().toInstant(ZoneOffset.UTC);
      case java.sql.Timestamp t -> t.toInstant();
      case Short s -> s.intValue();
      case Byte b -> b.intValue();
      case java.math.BigDecimal d -> d.doubleValue();
      default -> value;
    };
  }

  /** A Quiver Java value as a Spark external row value (lists become arrays, which Spark's row encoder takes). */
  static Object toSpark(Object value) {
    return switch (value) {
      case null -> null;
      case List<?> list -> {
        Object[] array = new Object[list.size()];
        for (int i = 0; i < array.length; i++) {
          array[i] = toSpark(list.get(i));
        }
        yield array;
      }
      case Instant t -> t;
      default -> value;
    };
  }
}
