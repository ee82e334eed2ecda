package dev.quiver.core.aggregate;

import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A total order on the values of one type, so that min, max and every tie between rows with equal
 * {@code (event_ts, created_ts)} are decided the same way on every path. Numbers by {@link
 * Double#compare} / {@link Float#compare} (-0.0 before 0.0, NaN last), strings by UTF-16 code units,
 * false before true, bytes unsigned lexicographically, timestamps by time, lists element by element
 * (a null element first, a shorter prefix first). Nulls never reach it: the kernels skip them.
 */
final class ValueOrder {
  private ValueOrder() {}

  @SuppressWarnings("unchecked")
  static Comparator<Object> of(ValueType type) {
    return switch (type) {
      case ListType l -> {
        Comparator<Object> element = of(l.element());
        yield (a, b) -> {
          List<Object> x = (List<Object>) a;
          List<Object> y = (List<Object>) b;
          int n = Math.min(x.size(), y.size());
          for (int i = 0; i < n; i++) {
            Object p = x.get(i);
            Object q = y.get(i);
            int c = p == null ? (q == null ? 0 : -1) : q == null ? 1 : element.compare(p, q);
            if (c != 0) {
              return c;
            }
          }
          return Integer.compare(x.size(), y.size());
        };
      }
      case ScalarType s -> switch (s) {
        case INT32 -> (a, b) -> Integer.compare((Integer) a, (Integer) b);
        case INT64 -> (a, b) -> Long.compare((Long) a, (Long) b);
        case FLOAT32 -> (a, b) -> Float.compare((Float) a, (Float) b);
        case FLOAT64 -> (a, b) -> Double.compare((Double) a, (Double) b);
        case BOOL -> (a, b) -> Boolean.compare((Boolean) a, (Boolean) b);
        case STRING -> (a, b) -> ((String) a).compareTo((String) b);
        case BYTES -> (a, b) -> Arrays.compareUnsigned((byte[]) a, (byte[]) b);
        case TIMESTAMP -> (a, b) -> ((Instant) a).compareTo((Instant) b);
      };
    };
  }
}
