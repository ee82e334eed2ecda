package dev.quiver.core.online;

import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Timestamps;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Entity keys as bytes, format 1 (docs/online-encoding.md; locked by a golden file):
 *
 * <pre>
 * key       = 0x01 component+
 * component = 0x02 int64-be            ; int32 and int64 alike, so equal values give equal keys
 *           | 0x03 varint-len utf8     ; string
 *           | 0x04 varint-len bytes    ; bytes
 *           | 0x05 (0x00 | 0x01)       ; bool
 *           | 0x06 float64-bits-be     ; float32/float64 widened; -0.0 as 0.0, one NaN
 *           | 0x07 int64-be            ; timestamp, microseconds since the epoch
 * </pre>
 *
 * Components follow the entity's join keys in order. Null key values cannot be encoded: rows with a
 * null key are never stored and never match. Stateless and thread-safe.
 */
public final class KeyEncoding {
  public static final byte VERSION = 1;
  static final byte INT = 2;
  static final byte STRING = 3;
  static final byte BYTES = 4;
  static final byte BOOL = 5;
  static final byte FLOAT = 6;
  static final byte TIMESTAMP = 7;

  private KeyEncoding() {}

  /**
   * Encodes one entity key.
   *
   * @param values Java values as {@link dev.quiver.core.offline.HistoricalRows} documents, aligned
   *     with {@code types}; any integral {@link Number} is accepted for int32/int64
   * @throws IllegalArgumentException for a null or mistyped value
   */
  public static byte[] encode(List<ScalarType> types, List<?> values) {
    if (types.size() != values.size()) {
      throw new IllegalArgumentException("expected " + types.size() + " key values, got " + values.size());
    }
    ByteSink out = new ByteSink(16);
    out.write(VERSION);
    for (int i = 0; i < types.size(); i++) {
      Object v = values.get(i);
      if (v == null) {
        throw new IllegalArgumentException("key value " + (i + 1) + " is null; null keys are never stored");
      }
      switch (types.get(i)) {
        case INT32, INT64 -> {
          out.write(INT);
          out.writeLong(integral(v));
        }
        case STRING -> {
          out.write(STRING);
          byte[] b = ((String) v).getBytes(StandardCharsets.UTF_8);
          out.writeVarint(b.length);
          out.writeBytes(b);
        }
        case BYTES -> {
          out.write(BYTES);
          byte[] b = (byte[]) v;
          out.writeVarint(b.length);
          out.writeBytes(b);
        }
        case BOOL -> {
          out.write(BOOL);
          out.write((Boolean) v ? 1 : 0);
        }
        case FLOAT32, FLOAT64 -> {
          out.write(FLOAT);
          double d = ((Number) v).doubleValue();
          out.writeLong(Double.doubleToLongBits(d == 0.0 ? 0.0 : d));
        }
        case TIMESTAMP -> {
          out.write(TIMESTAMP);
          out.writeLong(Timestamps.toMicros((Instant) v));
        }
      }
    }
    return out.toByteArray();
  }

  /** Decodes a key (for tools and tests); integers come back as Long, floats as Double. */
  public static List<Object> decode(byte[] key) {
    ByteBuffer in = ByteBuffer.wrap(key);
    byte version = in.get();
    if (version != VERSION) {
      throw new IllegalArgumentException("unknown key format " + version);
    }
    List<Object> out = new ArrayList<>();
    while (in.hasRemaining()) {
      byte tag = in.get();
      out.add(switch (tag) {
        case INT -> in.getLong();
        case STRING -> new String(Varint.readBytes(in), StandardCharsets.UTF_8);
        case BYTES -> Varint.readBytes(in);
        case BOOL -> in.get() != 0;
        case FLOAT -> Double.longBitsToDouble(in.getLong());
        case TIMESTAMP -> Timestamps.ofMicros(in.getLong());
        default -> throw new IllegalArgumentException("unknown key component tag " + tag);
      });
    }
    return out;
  }

  static long integral(Object v) {
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    throw new IllegalArgumentException("expected an integer key, got " + v.getClass().getSimpleName() + " " + v);
  }
}
