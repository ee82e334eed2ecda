package dev.quiver.core.online;

import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.model.ValueType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One entity's feature row of one view as bytes, format 2 (docs/online-encoding.md; locked by a
 * golden file):
 *
 * <pre>
 * row       = 0x02 be16(order-key length) order-key varint-count feature*
 * order-key = be64(event_us XOR 2^63) be64(created_us XOR 2^63) position   ; unsigned byte order = tie order
 * position  = see {@link RowPosition}
 * feature   = be32(String.hashCode(name)) value
 * value     = 0x00                          ; null
 *           | 0x01 be32 | 0x02 be64          ; int32, int64
 *           | 0x03 be32-float | 0x04 be64-double
 *           | 0x05 | 0x06                    ; false, true
 *           | 0x07 varint-len utf8 | 0x08 varint-len bytes
 *           | 0x09 be64-micros               ; timestamp
 *           | 0x0A element-tag varint-count (0x00 | 0x01 element)*   ; list; 0x00 = null element
 * </pre>
 *
 * <p>Format 1 rows ({@code 0x01} then a 16-byte order key of the two times, then the features) are
 * still read; their position is {@link RowPosition#NONE}, the smallest. Order keys compare unsigned,
 * byte by byte, a key that is a prefix of another being the smaller ({@link #compareOrder}): event
 * time, then created time, then position, so two different rows never compare equal and the newest
 * (or, on equal times, the one ingested later) is the greatest (DESIGN §3, "Ties").
 *
 * <p>A missing created time is stored as the smallest value, so it counts as oldest. Features are found
 * by the hash of their name, so a row written before a feature was added reads that feature as
 * absent. Values are self-describing. Stateless and thread-safe.
 */
public final class RowEncoding {
  /** The format written. */
  public static final byte VERSION = 2;
  /** The earlier format, still read: a fixed 16-byte order key of the two times. */
  public static final byte VERSION_1 = 1;
  /** The order key's length in format 1 rows, and its least length in format 2 ones. */
  private static final int TIMES_LENGTH = 16;

  private static final byte NULL = 0;
  private static final byte INT32 = 1;
  private static final byte INT64 = 2;
  private static final byte FLOAT32 = 3;
  private static final byte FLOAT64 = 4;
  private static final byte FALSE = 5;
  private static final byte TRUE = 6;
  private static final byte STRING = 7;
  private static final byte BYTES = 8;
  private static final byte TIMESTAMP = 9;
  private static final byte LIST = 10;

  private RowEncoding() {}

  /**
   * Encodes a row with no position ({@link RowPosition#NONE}, the smallest): for rows never tied with
   * source rows, such as markers.
   *
   * @see #encode(Instant, Instant, RowPosition, List, List, List)
   */
  public static byte[] encode(Instant eventTs, Instant createdTs, List<String> names, List<ValueType> types, List<?> values) {
    return encode(eventTs, createdTs, RowPosition.NONE, names, types, values);
  }

  /**
   * Encodes a row.
   *
   * @param createdTs null when the source has no created time
   * @param position the row's place in the tie order; not null
   * @param values Java values as {@link dev.quiver.core.offline.HistoricalRows} documents, aligned with names and types
   * @throws IllegalArgumentException when the position is longer than 65,519 bytes
   */
  public static byte[] encode(Instant eventTs, Instant createdTs, RowPosition position, List<String> names,
      List<ValueType> types, List<?> values) {
    byte[] p = position.bytes();
    int keyLength = TIMES_LENGTH + p.length;
    if (keyLength > 0xFFFF) {
      throw new IllegalArgumentException("a row position of " + p.length + " bytes is too long");
    }
    ByteSink out = ROW_SCRATCH.get().reset(MAX_SCRATCH);
    out.write(VERSION);
    out.write(keyLength >>> 8);
    out.write(keyLength);
    times(out, eventTs, createdTs);
    out.writeBytes(p);
    out.writeVarint(names.size());
    for (int i = 0; i < names.size(); i++) {
      out.writeInt(names.get(i).hashCode());
      value(out, types.get(i), values.get(i));
    }
    return out.copy();
  }

  /** Rows are encoded into one buffer per thread, reused (a consumer encodes one per event), then copied out. */
  private static final ThreadLocal<ByteSink> ROW_SCRATCH = ThreadLocal.withInitial(() -> new ByteSink(256));
  private static final int MAX_SCRATCH = 1 << 20;

  private static void times(ByteSink out, Instant eventTs, Instant createdTs) {
    out.writeLong(Timestamps.toMicros(eventTs) ^ Long.MIN_VALUE);
    out.writeLong((createdTs == null ? Long.MIN_VALUE : Timestamps.toMicros(createdTs)) ^ Long.MIN_VALUE);
  }

  /** The 16-byte order key of (event time, created time): unsigned byte order equals time order. */
  public static byte[] orderKey(Instant eventTs, Instant createdTs) {
    ByteSink out = new ByteSink(TIMES_LENGTH);
    times(out, eventTs, createdTs);
    return out.toByteArray();
  }

  /** The order key of (event time, created time, position): unsigned byte order equals the tie order. */
  public static byte[] orderKey(Instant eventTs, Instant createdTs, RowPosition position) {
    byte[] p = position.bytes();
    ByteSink out = new ByteSink(TIMES_LENGTH + p.length);
    times(out, eventTs, createdTs);
    out.writeBytes(p);
    return out.toByteArray();
  }

  /**
   * True when the row's bytes hold a whole order key (of format 1 or 2): what stores check before
   * comparing.
   */
  public static boolean hasOrderKey(byte[] row) {
    if (row.length < 1 + TIMES_LENGTH) {
      return false;
    }
    return row[0] == VERSION_1 || row[0] == VERSION && row.length >= 3 && keyLength(row) >= TIMES_LENGTH
        && row.length >= 3 + keyLength(row);
  }

  /** A row's order key (a copy). */
  public static byte[] orderKeyOf(byte[] row) {
    int from = keyStart(row);
    return java.util.Arrays.copyOfRange(row, from, from + keyLength(row));
  }

  /**
   * Compares two rows' order keys: unsigned, byte by byte, a key that is a prefix of the other being
   * the smaller. Negative, zero or positive as {@code a}'s row is older, the same, or newer.
   */
  public static int compareOrder(byte[] a, byte[] b) {
    int fa = keyStart(a);
    int fb = keyStart(b);
    return java.util.Arrays.compareUnsigned(a, fa, fa + keyLength(a), b, fb, fb + keyLength(b));
  }

  /** Compares a row's order key with an order key ({@link #orderKeyOf}), as {@link #compareOrder} does. */
  public static int compareOrderTo(byte[] row, byte[] orderKey) {
    int from = keyStart(row);
    return java.util.Arrays.compareUnsigned(row, from, from + keyLength(row), orderKey, 0, orderKey.length);
  }

  /**
   * A copy of the row's bytes up to the end of its order key (the row must hold one: {@link
   * #hasOrderKey}): {@link #compareOrder}, {@link #isNewer} and {@link #isNotOlder} treat it as the row.
   */
  public static byte[] orderHeader(byte[] row) {
    return java.util.Arrays.copyOf(row, keyStart(row) + keyLength(row));
  }

  private static int keyStart(byte[] row) {
    return row[0] == VERSION_1 ? 1 : 3;
  }

  private static int keyLength(byte[] row) {
    return row[0] == VERSION_1 ? TIMES_LENGTH : (row[1] & 0xFF) << 8 | row[2] & 0xFF;
  }

  /** True when {@code candidate} should replace {@code stored}: its order key is greater (null stored: always). */
  public static boolean isNewer(byte[] candidate, byte[] stored) {
    return stored == null || compareOrder(candidate, stored) > 0;
  }

  /**
   * True when {@code candidate} should replace {@code stored} in a refill: its order key is not
   * smaller, so the same row read again (equal keys) replaces it (null stored: always).
   */
  public static boolean isNotOlder(byte[] candidate, byte[] stored) {
    return stored == null || compareOrder(candidate, stored) >= 0;
  }

  /** Decodes a row of format 2 or 1. */
  public static Decoded decode(byte[] row) {
    ByteBuffer in = ByteBuffer.wrap(row);
    byte version = in.get();
    if (version != VERSION && version != VERSION_1) {
      throw new IllegalArgumentException("unknown online row format " + version);
    }
    int keyLength = version == VERSION_1 ? TIMES_LENGTH : in.getShort() & 0xFFFF;
    long event = in.getLong() ^ Long.MIN_VALUE;
    long created = in.getLong() ^ Long.MIN_VALUE;
    byte[] position = new byte[keyLength - TIMES_LENGTH];
    in.get(position);
    int n = Varint.read(in);
    int[] hashes = new int[n];
    Object[] values = new Object[n];
    for (int i = 0; i < n; i++) {
      hashes[i] = in.getInt();
      values[i] = value(in, in.get());
    }
    return new Decoded(event, created, position, hashes, values);
  }

  /** A decoded row. */
  public static final class Decoded {
    private final long eventMicros;
    private final long createdMicros;
    private final byte[] position;
    private final int[] hashes;
    private final Object[] values;

    Decoded(long eventMicros, long createdMicros, byte[] position, int[] hashes, Object[] values) {
      this.eventMicros = eventMicros;
      this.createdMicros = createdMicros;
      this.position = position;
      this.hashes = hashes;
      this.values = values;
    }

    private Instant eventTime;

    /** The row's event time; the same instance on every call. */
    public Instant eventTime() {
      Instant t = eventTime;
      if (t == null) {
        t = Timestamps.ofMicros(eventMicros);
        eventTime = t;
      }
      return t;
    }

    public long eventMicros() {
      return eventMicros;
    }

    /** Null when the row had no created time. */
    public Instant createdTime() {
      return createdMicros == Long.MIN_VALUE ? null : Timestamps.ofMicros(createdMicros);
    }

    /** The row's place in the tie order ({@link RowPosition#NONE} for format 1 rows). */
    public RowPosition position() {
      return RowPosition.decode(position);
    }

    /** True when the row holds the feature (its value may still be null). */
    public boolean has(String feature) {
      return index(feature) >= 0;
    }

    /** The feature's value, or null when it is null or absent (see {@link #has}). */
    public Object get(String feature) {
      int i = index(feature);
      return i < 0 ? null : values[i];
    }

    /**
     * The slot of the feature whose name has hash {@code hash}, or -1 when the row lacks it. Slot
     * {@code guess} is tried first: rows of one view share a layout, so a reader that passes the
     * slot it found in the previous row finds it at once.
     */
    public int slot(int hash, int guess) {
      if (guess >= 0 && guess < hashes.length && hashes[guess] == hash) {
        return guess;
      }
      for (int i = 0; i < hashes.length; i++) {
        if (hashes[i] == hash) {
          return i;
        }
      }
      return -1;
    }

    /** The value in a slot that {@link #slot} returned; null for a null value. */
    public Object value(int slot) {
      return values[slot];
    }

    private int index(String feature) {
      int h = feature.hashCode();
      for (int i = 0; i < hashes.length; i++) {
        if (hashes[i] == h) {
          return i;
        }
      }
      return -1;
    }
  }

  private static void value(ByteSink out, ValueType type, Object v) {
    if (v == null) {
      out.write(NULL);
      return;
    }
    switch (type) {
      case ScalarType s -> scalar(out, s, v);
      case ListType l -> {
        List<?> items = (List<?>) v;
        out.write(LIST);
        out.write(tag(l.element()));
        out.writeVarint(items.size());
        for (Object item : items) {
          if (item == null) {
            out.write(0);
          } else {
            out.write(1);
            scalarBody(out, l.element(), item);
          }
        }
      }
    }
  }

  private static void scalar(ByteSink out, ScalarType s, Object v) {
    if (s == ScalarType.BOOL) {
      out.write((Boolean) v ? TRUE : FALSE);
      return;
    }
    out.write(tag(s));
    scalarBody(out, s, v);
  }

  private static byte tag(ScalarType s) {
    return switch (s) {
      case INT32 -> INT32;
      case INT64 -> INT64;
      case FLOAT32 -> FLOAT32;
      case FLOAT64 -> FLOAT64;
      case BOOL -> TRUE;
      case STRING -> STRING;
      case BYTES -> BYTES;
      case TIMESTAMP -> TIMESTAMP;
    };
  }

  private static void scalarBody(ByteSink out, ScalarType s, Object v) {
    switch (s) {
      case INT32 -> {
        out.writeInt(((Number) v).intValue());
      }
      case INT64 -> out.writeLong(((Number) v).longValue());
      case FLOAT32 -> {
        out.writeInt(Float.floatToIntBits(((Number) v).floatValue()));
      }
      case FLOAT64 -> out.writeLong(Double.doubleToLongBits(((Number) v).doubleValue()));
      case BOOL -> out.write((Boolean) v ? 1 : 0);
      case STRING -> {
        byte[] b = ((String) v).getBytes(StandardCharsets.UTF_8);
        out.writeVarint(b.length);
        out.writeBytes(b);
      }
      case BYTES -> {
        byte[] b = (byte[]) v;
        out.writeVarint(b.length);
        out.writeBytes(b);
      }
      case TIMESTAMP -> out.writeLong(Timestamps.toMicros((Instant) v));
    }
  }

  private static Object value(ByteBuffer in, byte tag) {
    return switch (tag) {
      case NULL -> null;
      case FALSE -> Boolean.FALSE;
      case TRUE -> Boolean.TRUE;
      case LIST -> {
        byte element = in.get();
        int n = Varint.read(in);
        List<Object> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          items.add(in.get() == 0 ? null : element == TRUE ? (Object) (in.get() != 0) : body(in, element));
        }
        yield java.util.Collections.unmodifiableList(items);
      }
      default -> body(in, tag);
    };
  }

  private static Object body(ByteBuffer in, byte tag) {
    return switch (tag) {
      case INT32 -> in.getInt();
      case INT64 -> in.getLong();
      case FLOAT32 -> in.getFloat();
      case FLOAT64 -> in.getDouble();
      case STRING -> new String(Varint.readBytes(in), StandardCharsets.UTF_8);
      case BYTES -> Varint.readBytes(in);
      case TIMESTAMP -> Timestamps.ofMicros(in.getLong());
      default -> throw new IllegalArgumentException("unknown online value tag " + tag);
    };
  }
}
