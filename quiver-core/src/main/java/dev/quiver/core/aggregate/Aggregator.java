package dev.quiver.core.aggregate;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import java.util.Objects;

/**
 * One aggregate function compiled for its input type: the kernel every path uses (the offline
 * sweep, online tiles, push), so a window's value cannot differ between them.
 *
 * <p><b>Order independence (the exactness rule).</b> For every function, any split of a window's
 * rows into states, updated in any row order and merged in any order, finishes to the same bits as
 * one pass. That is what lets tiles, heads, pushes and the offline sweep agree bit for bit:
 *
 * <ul>
 *   <li>count, and sum/avg of int32/int64 columns: exact 64-bit integers (a sum beyond int64 fails
 *       with a message); avg is {@code (double) sum / count}, rounded once;
 *   <li>sum/avg of float columns, variance and stddev: exact sums of the values (and of their exact
 *       squares) as non-overlapping double partials, rounded once when finished (see {@code
 *       docs/aggregation-encoding.md}); variance is the sample variance, null below two values;
 *   <li>min/max by a total value order; first/last by {@code (event_ts, created_ts)}; last_k keeps
 *       the k greatest rows by the same order, newest first. Rows with equal times are the one
 *       exception to order independence, as DESIGN §3 ("Ties") wants: of those, the row added later
 *       is the later one (last, last_k) and the one added first is first, and {@link #merge} counts
 *       the rows of {@code from} as added after those of {@code into}. Every path therefore adds
 *       rows in their tie order: offline in file order, online in arrival order;
 *   <li>count_distinct an exact set; approx_count_distinct a HyperLogLog sketch (registers merge by
 *       maximum); approx_percentile a relative-error (1%) log histogram (buckets merge by adding).
 * </ul>
 *
 * <p><b>Nulls</b> are skipped: count of a column counts non-null values, count without a column
 * counts rows. An empty state finishes to 0 for count, count_distinct and approx_count_distinct,
 * and to null otherwise. Results are Java values as {@link dev.quiver.core.offline.HistoricalRows}
 * documents (Long, Double, the input type for min/max/first/last, an unmodifiable List for last_k).
 *
 * <p>Immutable and thread-safe; the states it makes are not.
 */
public final class Aggregator {
  /** The version byte every encoded state starts with. */
  public static final int FORMAT = 1;

  private final AggregateFunction function;
  private final ValueType input;
  private final ValueType result;
  private final Kernel<AggregateState> kernel;

  @SuppressWarnings("unchecked")
  private Aggregator(AggregateFunction function, ValueType input, Kernel<? extends AggregateState> kernel) {
    this.function = function;
    this.input = input;
    this.result = function.resultType(input);
    this.kernel = (Kernel<AggregateState>) kernel;
  }

  /**
   * @param aggregation the definition (its window and hop are not used here; see {@link WindowSpec})
   * @param input the column's type, or null for {@code count} of rows
   * @throws QuiverException when the function cannot take the input type (validation reports this
   *     earlier with file and line)
   */
  public static Aggregator of(Aggregation aggregation, ValueType input) {
    AggregateFunction fn = aggregation.function();
    String column = aggregation.column();
    if (input == null && fn != AggregateFunction.COUNT) {
      throw new QuiverException(fn.spelling() + " needs a column to aggregate");
    }
    if (fn.needsNumeric() && !input.isNumeric()) {
      throw new QuiverException(fn.spelling() + " needs a numeric column, but '" + column + "' is " + input.spelling());
    }
    if (fn.needsOrderable() && !input.isOrderable()) {
      throw new QuiverException(fn.spelling() + " needs an orderable column, but '" + column + "' is " + input.spelling());
    }
    boolean integral = input instanceof ScalarType s && s.isIntegral();
    Kernel<? extends AggregateState> kernel = switch (fn) {
      case COUNT -> new NumericKernels.CountKernel();
      case SUM -> integral ? new NumericKernels.LongSumKernel(false, column)
          : new NumericKernels.MomentsKernel(NumericKernels.MomentResult.SUM);
      case AVG -> integral ? new NumericKernels.LongSumKernel(true, column)
          : new NumericKernels.MomentsKernel(NumericKernels.MomentResult.AVG);
      case VARIANCE -> new NumericKernels.MomentsKernel(NumericKernels.MomentResult.VARIANCE);
      case STDDEV -> new NumericKernels.MomentsKernel(NumericKernels.MomentResult.STDDEV);
      case MIN -> new OrderKernels.ExtremeKernel(input, false);
      case MAX -> new OrderKernels.ExtremeKernel(input, true);
      case FIRST -> new OrderKernels.EdgeKernel(input, false);
      case LAST -> new OrderKernels.EdgeKernel(input, true);
      case LAST_K -> {
        if (aggregation.k() < 1) {
          throw new QuiverException("last_k needs k of at least 1");
        }
        yield new OrderKernels.LastKKernel(input, aggregation.k());
      }
      case COUNT_DISTINCT -> new SetKernels.DistinctKernel(requireScalar(fn, column, input));
      case APPROX_COUNT_DISTINCT -> new SetKernels.HllKernel(requireScalar(fn, column, input));
      case APPROX_PERCENTILE -> {
        if (!(aggregation.percentile() > 0 && aggregation.percentile() < 1)) {
          throw new QuiverException("approx_percentile needs a percentile between 0 and 1 (exclusive)");
        }
        yield new SetKernels.PercentileKernel(aggregation.percentile());
      }
    };
    return new Aggregator(fn, input, kernel);
  }

  private static ValueType requireScalar(AggregateFunction fn, String column, ValueType input) {
    if (!(input instanceof ScalarType)) {
      throw new QuiverException(fn.spelling() + " needs a scalar column, but '" + column + "' is " + input.spelling());
    }
    return input;
  }

  public AggregateFunction function() {
    return function;
  }

  /** The input column's type; null for count of rows. */
  public ValueType inputType() {
    return input;
  }

  /** The type of {@link #finish}'s values. */
  public ValueType resultType() {
    return result;
  }

  /** A new empty state (no rows). */
  public AggregateState newState() {
    return kernel.create();
  }

  /**
   * Adds one source row.
   *
   * @param value the column's value (any Java number fits a numeric type); null is skipped, except by
   *     count of rows, which counts every row and ignores the value
   * @param eventMicros the row's event time, UTC microseconds
   * @param createdMicros its created time, or {@link Long#MIN_VALUE} when it has none (oldest)
   */
  public void add(AggregateState state, Object value, long eventMicros, long createdMicros) {
    if (input == null) {
      kernel.add(state, null, eventMicros, createdMicros);
    } else if (value != null) {
      kernel.add(state, normalize(value), eventMicros, createdMicros);
    }
  }

  private Object normalize(Object value) {
    if (input instanceof ScalarType s && value instanceof Number n) {
      return switch (s) {
        case INT32 -> n instanceof Integer ? n : n.intValue();
        case INT64 -> n instanceof Long ? n : n.longValue();
        case FLOAT32 -> n instanceof Float ? n : n.floatValue();
        case FLOAT64 -> n instanceof Double ? n : n.doubleValue();
        default -> value;
      };
    }
    return value;
  }

  /** Adds the rows of {@code from} to {@code into}, as if added after its own; {@code from} is unchanged. */
  public void merge(AggregateState into, AggregateState from) {
    kernel.merge(into, from);
  }

  /** An independent copy. */
  public AggregateState copy(AggregateState state) {
    return kernel.copy(state);
  }

  /** The aggregate's value over the state's rows: 0 for the counts when empty, else null when empty. */
  public Object finish(AggregateState state) {
    return kernel.finish(state);
  }

  /** The state as bytes, format {@value #FORMAT} (docs/aggregation-encoding.md). */
  public byte[] encode(AggregateState state) {
    StateCodec.Sink out = new StateCodec.Sink();
    out.u8(FORMAT);
    out.u8(tag(function));
    kernel.write(state, out);
    return out.toByteArray();
  }

  /**
   * Reads bytes that {@link #encode} wrote for the same function and input type.
   *
   * @throws QuiverException when the bytes are of another version or function, or corrupt
   */
  public AggregateState decode(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    StateCodec.Source in = new StateCodec.Source(bytes);
    int version = in.u8();
    if (version != FORMAT) {
      throw new QuiverException("an aggregation state has format version " + version + ", but this Quiver reads version "
          + FORMAT + "; rematerialize the view");
    }
    int fn = in.u8();
    if (fn != tag(function)) {
      throw StateCodec.Source.corrupt("it is a state of function #" + fn + ", not " + function.spelling());
    }
    AggregateState s = kernel.read(in);
    in.end();
    return s;
  }

  /** Writes the state without the version byte (inside a tile row, which has its own). */
  void write(AggregateState state, StateCodec.Sink out) {
    out.u8(tag(function));
    kernel.write(state, out);
  }

  /** Reads what {@link #write(AggregateState, StateCodec.Sink)} wrote. */
  AggregateState read(StateCodec.Source in) {
    int fn = in.u8();
    if (fn != tag(function)) {
      throw StateCodec.Source.corrupt("it is a state of function #" + fn + ", not " + function.spelling());
    }
    return kernel.read(in);
  }

  /** The function byte of the format: fixed codes, independent of the enum's order. */
  static int tag(AggregateFunction fn) {
    return switch (fn) {
      case COUNT -> 1;
      case SUM -> 2;
      case AVG -> 3;
      case MIN -> 4;
      case MAX -> 5;
      case FIRST -> 6;
      case LAST -> 7;
      case STDDEV -> 8;
      case VARIANCE -> 9;
      case COUNT_DISTINCT -> 10;
      case LAST_K -> 11;
      case APPROX_COUNT_DISTINCT -> 12;
      case APPROX_PERCENTILE -> 13;
    };
  }
}
