package dev.quiver.core.offline.sweep;

import dev.quiver.core.model.AggregateFunction;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The rules of DESIGN §3 that every sweep and every engine applies to single rows, spelled once:
 * the tie order of source rows, the TTL bound, and how key values compare.
 *
 * <ul>
 *   <li><b>Tie order</b> ({@link #compareRows}): rows of a key order by event time, then created
 *       time ({@link #NO_CREATED}, a null one, first), then position (files in sorted path order,
 *       rows in file order); the greatest is the latest ({@link
 *       dev.quiver.core.offline.LatestRowsPlan#TIE_ORDER}).
 *   <li><b>TTL</b> ({@link #ttlAdmits}): a row is within a TTL T of t when {@code event >= t − T};
 *       both bounds are inclusive (a row at exactly {@code t − T} counts, as does one at t).
 *   <li><b>Keys compare by value</b> ({@link #key}): int32 equals int64 of the same number, bytes
 *       compare by content, and a null key never matches anything (not even another null).
 *   <li><b>The empty window</b> ({@link #emptyWindow}): an aggregate over no rows — no rows in the
 *       window, a key no row has, a null key or a null t — is 0 for the counts and null otherwise.
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class PointInTimeRules {
  /** The created time of a row without one: older than any time. */
  public static final long NO_CREATED = Long.MIN_VALUE;

  /** {@link #ttlMicros} of no TTL. */
  public static final long NO_TTL = -1;

  private PointInTimeRules() {}

  /**
   * Compares two rows of one key in the tie order: negative when row a comes first (is older),
   * positive when it comes later, 0 only for the same position.
   *
   * @param createdA the created time in µs, or {@link #NO_CREATED}
   */
  public static int compareRows(long eventA, long createdA, long positionA, long eventB, long createdB, long positionB) {
    int c = Long.compare(eventA, eventB);
    if (c != 0) {
      return c;
    }
    c = Long.compare(createdA, createdB);
    return c != 0 ? c : Long.compare(positionA, positionB);
  }

  /** True when row a orders after row b ({@link #compareRows} positive): a would replace b as the latest. */
  public static boolean later(long eventA, long createdA, long positionA, long eventB, long createdB, long positionB) {
    return eventA > eventB || (eventA == eventB && (createdA > createdB || (createdA == createdB && positionA > positionB)));
  }

  /** A view's TTL in whole µs (sub-µs parts dropped, as timestamps have none), saturated; {@link #NO_TTL} for null. */
  public static long ttlMicros(Duration ttl) {
    if (ttl == null) {
      return NO_TTL;
    }
    if (ttl.isNegative()) {
      throw new IllegalArgumentException("a TTL cannot be negative: " + ttl);
    }
    long seconds = ttl.getSeconds();
    if (seconds > (Long.MAX_VALUE - 999_999) / 1_000_000) {
      return Long.MAX_VALUE;
    }
    return seconds * 1_000_000 + ttl.getNano() / 1_000;
  }

  /**
   * True when a row at {@code eventMicros} is within the TTL of a query at {@code tMicros}: no TTL,
   * or {@code event >= t − ttl} (inclusive; a bound before the start of time admits every row).
   * Whether {@code event <= t} is the caller's to ensure.
   *
   * @param ttlMicros from {@link #ttlMicros}
   */
  public static boolean ttlAdmits(long eventMicros, long tMicros, long ttlMicros) {
    if (ttlMicros < 0) {
      return true;
    }
    long start = tMicros - ttlMicros;
    // overflow (t − ttl below Long.MIN_VALUE) wraps to a large value: then every row is admitted
    return start > tMicros || eventMicros >= start;
  }

  /**
   * The value of an aggregate over an empty window: 0 (a Long) for count, count_distinct and
   * approx_count_distinct, null for every other function; what the kernels' empty state finishes to
   * ({@link dev.quiver.core.aggregate.Aggregator#finish}), for engines that fill in rows no sweep saw.
   */
  public static Object emptyWindow(AggregateFunction function) {
    return switch (function) {
      case COUNT, COUNT_DISTINCT, APPROX_COUNT_DISTINCT -> 0L;
      default -> null;
    };
  }

  /**
   * A key value normalized so that {@link Object#equals} and {@link Object#hashCode} compare it by
   * value: integers (Integer, Long, Short, Byte) become Long, {@code byte[]} becomes {@link Bytes},
   * anything else is returned as is; null stays null (and never matches).
   */
  public static Object key(Object value) {
    return switch (value) {
      case null -> null;
      case Long l -> l;
      case Integer i -> (long) i;
      case Short s -> (long) s;
      case Byte b -> (long) b;
      case byte[] b -> new Bytes(b.clone());
      default -> value;
    };
  }

  /**
   * Normalizes a composite key in place ({@link #key} for each column).
   *
   * @return false when a column is null: the key matches nothing
   */
  public static boolean keyInPlace(Object[] values) {
    for (int i = 0; i < values.length; i++) {
      values[i] = key(values[i]);
      if (values[i] == null) {
        return false;
      }
    }
    return true;
  }

  /** True when two key values are equal by value; false when either is null. */
  public static boolean sameKey(Object a, Object b) {
    if (a == null || b == null) {
      return false;
    }
    if (a instanceof byte[] x && b instanceof byte[] y) {
      return Arrays.equals(x, y); // by content, without the copies key() makes
    }
    return key(a).equals(key(b));
  }

  /**
   * A {@code byte[]} key by content: equal, hashed and ordered (unsigned, lexicographic) by its
   * bytes. Holds a copy it never changes.
   */
  public static final class Bytes implements Comparable<Bytes>, Serializable {
    @Serial private static final long serialVersionUID = 1L;
    private final byte[] bytes;

    private Bytes(byte[] bytes) {
      this.bytes = bytes;
    }

    /** A copy of the bytes. */
    public byte[] toByteArray() {
      return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Bytes b && Arrays.equals(bytes, b.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public int compareTo(Bytes o) {
      return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public String toString() {
      return "0x" + HexFormat.of().formatHex(bytes);
    }
  }
}
