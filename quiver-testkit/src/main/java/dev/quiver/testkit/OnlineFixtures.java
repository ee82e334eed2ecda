package dev.quiver.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.online.KeyEncoding;
import dev.quiver.core.online.OnlineStore.Entry;
import dev.quiver.core.online.OnlineStore.Swap;
import dev.quiver.core.online.RowEncoding;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * What the parts of the {@link OnlineStoreContract} share: the table name, keys and realistic rows,
 * byte-exact comparisons that show rows readably, and small builders of entries and swaps.
 */
final class OnlineFixtures {
  /** Racing threads; the contract holds for any number, eight finds races on two cores. */
  static final int THREADS = 8;

  /** The times of hand-written rows are seconds after this instant. */
  static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");

  /** A realistic table name (project, view, version). */
  static final String TABLE = "payments.user_txn.v1";

  private static final List<ScalarType> USER = List.of(ScalarType.INT64);
  static final List<String> NAMES =
      List.of("writer", "amount", "country", "txn_count_7d", "is_active", "embedding", "last_seen", "raw");
  static final List<ValueType> TYPES =
      List.of(ScalarType.INT64, ScalarType.FLOAT64, ScalarType.STRING, ScalarType.INT32, ScalarType.BOOL,
          new ListType(ScalarType.FLOAT32), ScalarType.TIMESTAMP, ScalarType.BYTES);

  private OnlineFixtures() {}

  /** One generated row of the randomized cases: its own numbers (what the model compares) and its encoding. */
  record Version(long eventMicros, Long createdMicros, long writer, byte[] bytes) {
    int compareTo(Version o) {
      int c = Long.compare(eventMicros, o.eventMicros);
      if (c != 0) {
        return c;
      }
      long mine = createdMicros == null ? Long.MIN_VALUE : createdMicros;
      long theirs = o.createdMicros == null ? Long.MIN_VALUE : o.createdMicros;
      return Long.compare(mine, theirs);
    }
  }

  /** The encoded key of user {@code id}. */
  static byte[] userKey(long id) {
    return KeyEncoding.encode(USER, List.of(id));
  }

  /**
   * A realistic feature row written by {@code writer}, with event time {@code T0 + eventSecond} and
   * created time {@code T0 + createdSecond} (none when null).
   */
  static byte[] row(long eventSecond, Long createdSecond, long writer) {
    return row(T0.plusSeconds(eventSecond), createdSecond == null ? null : T0.plusSeconds(createdSecond),
        writer, new byte[] {(byte) writer, 0, (byte) 0xFF});
  }

  /** A realistic feature row with these times, writer and {@code raw} bytes. */
  static byte[] row(Instant event, Instant created, long writer, byte[] raw) {
    List<Object> values = Arrays.asList(
        writer, writer * 1.5, writer % 3 == 0 ? null : "país-" + writer, (int) (writer % 1000),
        writer % 2 == 0, List.of(0.25f, -1.0f, (float) writer), event, raw);
    return RowEncoding.encode(event, created, NAMES, TYPES, values);
  }

  /** The writer a {@link #row} was made with. */
  static long writer(byte[] row) {
    return (Long) RowEncoding.decode(row).get("writer");
  }

  /** A row, readably: its times and writer (or hex when it is not a row). */
  static String describe(byte[] row) {
    if (row == null) {
      return "null";
    }
    try {
      RowEncoding.Decoded d = RowEncoding.decode(row);
      return "row(event " + d.eventTime() + ", created " + d.createdTime() + ", writer " + d.get("writer")
          + ", " + row.length + " bytes)";
    } catch (RuntimeException e) {
      return row.length > 64 ? row.length + " bytes" : HexFormat.of().formatHex(row);
    }
  }

  /** Asserts the stored values equal {@code expected} byte for byte, showing both readably. */
  static void assertValues(List<byte[]> actual, List<byte[]> expected, String context) {
    assertThat(actual).as("values returned for %s", context).isNotNull().hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(describe(actual.get(i))).as("value %d of %s", i, context).isEqualTo(describe(expected.get(i)));
      assertThat(actual.get(i)).as("bytes of value %d of %s", i, context).isEqualTo(expected.get(i));
    }
  }

  static Entry entry(byte[] key, byte[] value) {
    return new Entry(key, value);
  }

  static List<byte[]> nulls(int n) {
    return Collections.nCopies(n, null);
  }

  /** One swap. */
  static Swap swap(byte[] key, byte[] expected, byte[] value) {
    return new Swap(key, expected, value);
  }

  static List<Boolean> outcomes(boolean[] done) {
    List<Boolean> out = new ArrayList<>(done.length);
    for (boolean d : done) {
      out.add(d);
    }
    return out;
  }

  /** Whether a swapping thread reads with {@code readForSwap} this time: about half the time. */
  static boolean versioned(Random random) {
    return random.nextBoolean();
  }

  static <T> List<List<T>> permutations(List<T> items) {
    if (items.isEmpty()) {
      return List.of(List.of());
    }
    List<List<T>> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      List<T> rest = new ArrayList<>(items);
      T first = rest.remove(i);
      for (List<T> p : permutations(rest)) {
        List<T> withFirst = new ArrayList<>();
        withFirst.add(first);
        withFirst.addAll(p);
        out.add(withFirst);
      }
    }
    return out;
  }
}
