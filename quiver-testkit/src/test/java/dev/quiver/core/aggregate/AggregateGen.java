package dev.quiver.core.aggregate;

import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.model.Window;
import dev.quiver.testkit.NaiveWindowAggregator.Row;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/** Seeded random aggregations, rows and query times, dense in ties, nulls and window edges. */
final class AggregateGen {
  static final Instant BASE = Instant.parse("2024-03-10T00:00:00Z");
  private static final List<Duration> HOPS = List.of(Duration.ofSeconds(1), Duration.ofSeconds(5),
      Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofHours(1));

  final SplittableRandom random;

  AggregateGen(long seed) {
    random = new SplittableRandom(seed);
  }

  /** An aggregation, its input type (null for count of rows), fit for the function. */
  record Spec(Aggregation aggregation, ValueType input) {
    @Override public String toString() {
      Aggregation a = aggregation;
      return a.function().spelling() + "(" + (input == null ? "*" : input.spelling()) + ") over " + a.window().spelling()
          + " hop " + a.effectiveHop() + (a.k() > 0 ? " k " + a.k() : "") + (a.percentile() > 0 ? " p " + a.percentile() : "");
    }
  }

  Spec spec(AggregateFunction fn) {
    ValueType input = switch (fn) {
      case COUNT -> random.nextBoolean() ? null : anyType();
      case SUM, AVG, STDDEV, VARIANCE, APPROX_PERCENTILE -> pick(List.of(ScalarType.INT32, ScalarType.INT64, ScalarType.FLOAT32, ScalarType.FLOAT64));
      case MIN, MAX -> pick(List.of(ScalarType.INT32, ScalarType.INT64, ScalarType.FLOAT32, ScalarType.FLOAT64,
          ScalarType.BOOL, ScalarType.STRING, ScalarType.TIMESTAMP));
      case FIRST, LAST -> anyType();
      case LAST_K, COUNT_DISTINCT, APPROX_COUNT_DISTINCT -> pick(List.of(ScalarType.values()));
    };
    Aggregation a = Aggregation.of(fn, input == null ? null : "v", window());
    if (random.nextInt(3) > 0) {
      a = a.withHop(pick(HOPS));
      if (a.window() instanceof Window.Fixed) {
        a = new Aggregation(fn, a.column(), Window.of(a.hop().multipliedBy(1 + random.nextInt(12))), a.hop(), null, 0, 0);
      }
    }
    if (fn == AggregateFunction.LAST_K) {
      a = a.withK(1 + random.nextInt(6));
    }
    if (fn == AggregateFunction.APPROX_PERCENTILE) {
      a = a.withPercentile(pick(List.of(0.01, 0.25, 0.5, 0.9, 0.99, 0.333)));
    }
    return new Spec(a, input);
  }

  private Window window() {
    return switch (random.nextInt(6)) {
      case 0 -> Window.lifetime();
      case 1 -> Window.of(Duration.ofHours(1));
      case 2 -> Window.of(Duration.ofDays(1));
      case 3 -> Window.of(Duration.ofDays(7));
      case 4 -> Window.of(Duration.ofMinutes(10));
      default -> Window.of(Duration.ofDays(400));
    };
  }

  private ValueType anyType() {
    if (random.nextInt(6) == 0) {
      return new ListType(pick(List.of(ScalarType.INT64, ScalarType.STRING, ScalarType.FLOAT32)));
    }
    return pick(List.of(ScalarType.values()));
  }

  /** Rows over a span a few windows or hops long, with repeated times and values. */
  List<Row> rows(Spec spec, int n) {
    Duration span = span(spec.aggregation());
    List<Instant> times = new ArrayList<>();
    int distinctTimes = 1 + random.nextInt(Math.max(1, n));
    for (int i = 0; i < distinctTimes; i++) {
      times.add(time(spec.aggregation(), span));
    }
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Instant event = pick(times);
      Instant created = random.nextInt(4) == 0 ? null : event.plusSeconds(random.nextInt(3));
      rows.add(new Row(event, created, spec.input() == null || random.nextInt(7) == 0 ? null : value(spec.input())));
    }
    return rows;
  }

  private Duration span(Aggregation a) {
    Duration w = a.window() instanceof Window.Fixed f ? f.length() : a.effectiveHop().multipliedBy(10);
    return w.multipliedBy(3).compareTo(a.effectiveHop().multipliedBy(40)) < 0 ? a.effectiveHop().multipliedBy(40) : w.multipliedBy(3);
  }

  /** A time near BASE: often exactly on a hop boundary or a microsecond from one. */
  Instant time(Aggregation a, Duration span) {
    long spanMicros = span.toNanos() / 1000;
    long hop = a.effectiveHop().toNanos() / 1000;
    long t = random.nextLong(-spanMicros / 4, spanMicros);
    if (random.nextInt(3) == 0) {
      t = Math.floorDiv(t, hop) * hop + random.nextInt(3) - 1;
    }
    return BASE.plusNanos(t * 1000);
  }

  /** Query times: random, at row times, and a window length (or that ± 1 µs) after row times. */
  List<Instant> queries(Spec spec, List<Row> rows, int n) {
    Aggregation a = spec.aggregation();
    List<Instant> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int kind = random.nextInt(4);
      if (kind == 0 || rows.isEmpty()) {
        out.add(time(a, span(a)));
      } else {
        Instant e = pick(rows).event();
        Duration w = a.window() instanceof Window.Fixed f ? f.length() : Duration.ZERO;
        out.add(switch (kind) {
          case 1 -> e;
          case 2 -> e.plusNanos(1000);
          default -> e.plus(w).plusNanos(1000L * (random.nextInt(3) - 1));
        });
      }
    }
    return out;
  }

  Object value(ValueType type) {
    if (type instanceof ListType l) {
      int n = random.nextInt(3);
      List<Object> items = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        items.add(random.nextInt(5) == 0 ? null : value(l.element()));
      }
      return items;
    }
    return switch (Objects.requireNonNull((ScalarType) type)) {
      case INT32 -> random.nextInt(4) == 0 ? pick(List.of(Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1)) : random.nextInt(-50, 50);
      case INT64 -> random.nextInt(5) == 0 ? pick(List.of(1L << 52, -(1L << 50), 3L)) : (long) random.nextInt(-1000, 1000);
      case FLOAT32 -> (float) doubleValue();
      case FLOAT64 -> doubleValue();
      case BOOL -> random.nextBoolean();
      case STRING -> pick(List.of("a", "b", "ab", "", "zürich", "B"));
      case BYTES -> pick(List.of(new byte[] {1}, new byte[] {(byte) 200}, new byte[0], "ab".getBytes(StandardCharsets.UTF_8)));
      case TIMESTAMP -> BASE.plusSeconds(random.nextInt(5) - 2).plusNanos(1000L * random.nextInt(3));
    };
  }

  /** Doubles that stress exact summation: wide magnitudes, cancellation, repeats, rare specials. */
  private double doubleValue() {
    return switch (random.nextInt(12)) {
      case 0 -> pick(List.of(1e16, -1e16, 1e-3, 0.1, -0.0, 0.0, 1e100, -1e100));
      case 1 -> random.nextInt(40) == 0 ? pick(List.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY)) : 2.5;
      case 2 -> random.nextDouble() * 1e-8;
      case 3 -> Math.scalb(random.nextDouble() - 0.5, random.nextInt(-60, 60));
      default -> Math.round(random.nextDouble() * 10_000) / 100.0 - 30;
    };
  }

  <T> T pick(List<T> items) {
    return items.get(random.nextInt(items.size()));
  }

  /** Deep equality, doubles by bits (as Double.equals), arrays by content. */
  static boolean same(Object a, Object b) {
    if (a instanceof byte[] x && b instanceof byte[] y) {
      return Arrays.equals(x, y);
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!same(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    return Objects.equals(a, b);
  }

  static String show(Object v) {
    if (v instanceof byte[] b) {
      return "bytes" + Arrays.toString(b);
    }
    if (v instanceof Double d) {
      return d + " (bits " + Long.toHexString(Double.doubleToRawLongBits(d)) + ")";
    }
    return String.valueOf(v);
  }
}
