package dev.quiver.core.online;

import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.model.ValueType;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One entity's feature row of one view as bytes, format 1 (docs/online-encoding.md; locked by a
 * golden file):
 *
 * <pre>
 * row       = 0x01 order-key varint-count feature*
 * order-key = be64(event_us XOR 2^63) be64(created_us XOR 2^63)   ; unsigned byte order = time order
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
 * A missing created time is stored as the smallest value, so it counts as oldest. Features are found
 * by the hash of their name, so a row written before a feature was added reads that feature as
 * absent. Values are self-describing. Stateless and thread-safe.
 */
public final class RowEncoding {
  public static final byte VERSION = 1;
  /** Bytes 1 to 16 of every row: what {@link OnlineStore#multiPutIfNewer} compares. */
  public static final int ORDER_KEY_OFFSET = 1;
  public static final int ORDER_KEY_LENGTH = 16;

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
   * Encodes a row.
   *
   * @param createdTs null when the source has no created time
   * @param values Java values as {@link dev.quiver.core.offline.HistoricalRows} documents, aligned with names and types
   */
  public static byte[] encode(Instant eventTs, Instant createdTs, List<String> names, List<ValueType> types, List<?> values) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(32 + 16 * names.size());
    out.write(VERSION);
    out.writeBytes(orderKey(eventTs, createdTs));
    Varint.write(out, names.size());
    for (int i = 0; i < names.size(); i++) {
      int h = names.get(i).hashCode();
      out.write(h >>> 24);
      out.write(h >>> 16);
      out.write(h >>> 8);
      out.write(h);
      value(out, types.get(i), values.get(i));
    }
    return out.toByteArray();
  }

  /** The 16-byte order key of (event time, created time): unsigned byte order equals time order. */
  public static byte[] orderKey(Instant eventTs, Instant createdTs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16);
    KeyEncoding.writeLong(out, Timestamps.toMicros(eventTs) ^ Long.MIN_VALUE);
    KeyEncoding.writeLong(out, (createdTs == null ? Long.MIN_VALUE : Timestamps.toMicros(createdTs)) ^ Long.MIN_VALUE);
    return out.toByteArray();
  }

  /** True when {@code candidate} should replace {@code stored} (null stored: always). */
  public static boolean isNewer(byte[] candidate, byte[] stored) {
    return stored == null || java.util.Arrays.compareUnsigned(
        candidate, ORDER_KEY_OFFSET, ORDER_KEY_OFFSET + ORDER_KEY_LENGTH,
        stored, ORDER_KEY_OFFSET, ORDER_KEY_OFFSET + ORDER_KEY_LENGTH) > 0;
  }

  /** True when {@code candidate} should replace {@code stored} in a refill: its order key is not smaller (null stored: always). */
  public static boolean isNotOlder(byte[] candidate, byte[] stored) {
    return stored == null || java.util.Arrays.compareUnsigned(
        candidate, ORDER_KEY_OFFSET, ORDER_KEY_OFFSET + ORDER_KEY_LENGTH,
        stored, ORDER_KEY_OFFSET, ORDER_KEY_OFFSET + ORDER_KEY_LENGTH) >= 0;
  }

  /** Decodes a row. */
  public static Decoded decode(byte[] row) {
    ByteBuffer in = ByteBuffer.wrap(row);
    byte version = in.get();
    if (version != VERSION) {
      throw new IllegalArgumentException("unknown online row format " + version);
    }
    long event = in.getLong() ^ Long.MIN_VALUE;
    long created = in.getLong() ^ Long.MIN_VALUE;
    int n = Varint.read(in);
    int[] hashes = new int[n];
    Object[] values = new Object[n];
    for (int i = 0; i < n; i++) {
      hashes[i] = in.getInt();
      values[i] = value(in, in.get());
    }
    return new Decoded(event, created, hashes, values);
  }

  /** A decoded row. */
  public static final class Decoded {
    private final long eventMicros;
    private final long createdMicros;
    private final int[] hashes;
    private final Object[] values;

    Decoded(long eventMicros, long createdMicros, int[] hashes, Object[] values) {
      this.eventMicros = eventMicros;
      this.createdMicros = createdMicros;
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

  private static void value(ByteArrayOutputStream out, ValueType type, Object v) {
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
        Varint.write(out, items.size());
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

  private static void scalar(ByteArrayOutputStream out, ScalarType s, Object v) {
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

  private static void scalarBody(ByteArrayOutputStream out, ScalarType s, Object v) {
    switch (s) {
      case INT32 -> {
        int i = ((Number) v).intValue();
        out.write(i >>> 24);
        out.write(i >>> 16);
        out.write(i >>> 8);
        out.write(i);
      }
      case INT64 -> KeyEncoding.writeLong(out, ((Number) v).longValue());
      case FLOAT32 -> {
        int i = Float.floatToIntBits(((Number) v).floatValue());
        out.write(i >>> 24);
        out.write(i >>> 16);
        out.write(i >>> 8);
        out.write(i);
      }
      case FLOAT64 -> KeyEncoding.writeLong(out, Double.doubleToLongBits(((Number) v).doubleValue()));
      case BOOL -> out.write((Boolean) v ? 1 : 0);
      case STRING -> {
        byte[] b = ((String) v).getBytes(StandardCharsets.UTF_8);
        Varint.write(out, b.length);
        out.writeBytes(b);
      }
      case BYTES -> {
        byte[] b = (byte[]) v;
        Varint.write(out, b.length);
        out.writeBytes(b);
      }
      case TIMESTAMP -> KeyEncoding.writeLong(out, Timestamps.toMicros((Instant) v));
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
