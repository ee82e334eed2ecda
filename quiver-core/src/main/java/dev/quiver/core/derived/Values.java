package dev.quiver.core.derived;

import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import java.time.Instant;
import java.util.List;

/** The Java class of each value type, as rows and the evaluator carry values. */
final class Values {
  private Values() {}

  static Class<?> javaClass(ValueType t) {
    if (t instanceof ListType) {
      return List.class;
    }
    return switch ((ScalarType) t) {
      case INT32 -> Integer.class;
      case INT64 -> Long.class;
      case FLOAT32 -> Float.class;
      case FLOAT64 -> Double.class;
      case BOOL -> Boolean.class;
      case STRING -> String.class;
      case BYTES -> byte[].class;
      case TIMESTAMP -> Instant.class;
    };
  }
}
