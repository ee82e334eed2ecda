package dev.quiver.core.aggregate;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.model.ValueType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The primitives of the state byte format (docs/aggregation-encoding.md): unsigned LEB128 varints,
 * zigzag varints, big-endian 64-bit words, and typed values. Values carry no tag of their own: the
 * aggregator knows the input type, so a value is a presence byte and then its body.
 */
final class StateCodec {
  private StateCodec() {}

  /**
   * Appends primitives to a growing byte array (a plain array, not a {@code ByteArrayOutputStream},
   * whose synchronized writes cost a tenth of a stream consumer's time). Not thread-safe.
   */
  static final class Sink {
    private byte[] buf = new byte[32];
    private int size;

    private void ensure(int more) {
      if (size + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
      }
    }

    private void put(int b) {
      if (size == buf.length) {
        buf = Arrays.copyOf(buf, buf.length * 2);
      }
      buf[size++] = (byte) b;
    }

    void u8(int b) {
      put(b);
    }

    void bool(boolean b) {
      put(b ? 1 : 0);
    }

    void varint(long v) {
      if ((v & ~0x7FL) == 0 && size < buf.length) { // one byte, room for it: most counts and small values
        buf[size++] = (byte) v;
        return;
      }
      ensure(10);
      while ((v & ~0x7FL) != 0) {
        buf[size++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[size++] = (byte) v;
    }

    /** A signed value, zigzag-encoded so small magnitudes stay short. */
    void zigzag(long v) {
      varint((v << 1) ^ (v >> 63));
    }

    void be64(long v) {
      ensure(8);
      for (int s = 56; s >= 0; s -= 8) {
        buf[size++] = (byte) (v >>> s);
      }
    }

    void float64(double d) {
      be64(Double.doubleToRawLongBits(d));
    }

    void bytes(byte[] b) {
      varint(b.length);
      raw(b, b.length);
    }

    /** What {@code other} holds, as {@link #bytes} writes it (length, then the bytes), without copying it out first. */
    void bytes(Sink other) {
      varint(other.size);
      raw(other.buf, other.size);
    }

    private void raw(byte[] b, int length) {
      raw(b, 0, length);
    }

    /** {@code length} bytes of {@code b} from {@code offset}, as they are (no length before them). */
    void raw(byte[] b, int offset, int length) {
      ensure(length);
      System.arraycopy(b, offset, buf, size, length);
      size += length;
    }

    /** A value of the input type: 0x00 for null, else 0x01 and the body. */
    void value(ValueType type, Object v) {
      if (v == null) {
        put(0);
        return;
      }
      put(1);
      switch (type) {
        case ScalarType s -> scalar(s, v);
        case ListType l -> {
          List<?> items = (List<?>) v;
          varint(items.size());
          for (Object item : items) {
            value(l.element(), item);
          }
        }
      }
    }

    private void scalar(ScalarType s, Object v) {
      switch (s) {
        case INT32 -> zigzag(((Number) v).intValue());
        case INT64 -> zigzag(((Number) v).longValue());
        case FLOAT32 -> float64((Float) v); // widened: exact and reversible
        case FLOAT64 -> float64((Double) v);
        case BOOL -> bool((Boolean) v);
        case STRING -> bytes(((String) v).getBytes(StandardCharsets.UTF_8));
        case BYTES -> bytes((byte[]) v);
        case TIMESTAMP -> zigzag(Timestamps.toMicros((Instant) v));
      }
    }

    /** Empties the sink, keeping its array. */
    void reset() {
      size = 0;
    }

    /** Empties it, and drops a buffer grown past {@code maxKept} bytes (so scratch space does not keep a rare huge row). */
    void reset(int maxKept) {
      size = 0;
      if (buf.length > maxKept) {
        buf = new byte[32];
      }
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, size);
    }
  }

  /** Reads primitives back; every overrun or bad tag is a {@link QuiverException}. Not thread-safe. */
  static final class Source {
    private final byte[] in;
    private int at;

    Source(byte[] in) {
      this.in = in;
    }

    int u8() {
      if (at >= in.length) {
        throw corrupt("it ends early");
      }
      return in[at++] & 0xFF;
    }

    boolean bool() {
      int b = u8();
      if (b > 1) {
        throw corrupt("a flag byte is " + b);
      }
      return b == 1;
    }

    long varint() {
      if (at < in.length && in[at] >= 0) { // one byte: most counts and small values
        return in[at++];
      }
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = u8();
        v |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return v;
        }
      }
      throw corrupt("a varint is too long");
    }

    /** A count of items at least {@code minBytes} long each, checked against the bytes left. */
    int count(int minBytes) {
      long n = varint();
      if (n < 0 || n * Math.max(1, minBytes) > in.length - at) {
        throw corrupt("a count of " + n + " does not fit in the bytes left");
      }
      return (int) n;
    }

    long zigzag() {
      long v = varint();
      return (v >>> 1) ^ -(v & 1);
    }

    long be64() {
      if (in.length - at < 8) {
        throw corrupt("it ends early");
      }
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | (in[at++] & 0xFF);
      }
      return v;
    }

    double float64() {
      return Double.longBitsToDouble(be64());
    }

    /**
     * Moves past the next bytes when they are {@code expected} as {@link Sink#bytes(byte[])} writes
     * it (its length, then it) and returns true; else returns false, having moved somewhere inside.
     */
    boolean skipIfNext(byte[] expected) {
      long n = 0;
      for (int shift = 0; shift < 35 && at < in.length; shift += 7) {
        int b = in[at++] & 0xFF;
        n |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          if (n != expected.length || in.length - at < n) {
            return false;
          }
          if (!Arrays.equals(in, at, at + expected.length, expected, 0, expected.length)) {
            return false;
          }
          at += expected.length;
          return true;
        }
      }
      return false;
    }

    /** Moves past the next 8 bytes when they are {@code expected} as {@link Sink#be64} writes it and returns true; else false. */
    boolean be64IfNext(long expected) {
      return in.length - at >= 8 && be64() == expected;
    }

    byte[] bytes() {
      int n = count(1);
      byte[] b = Arrays.copyOfRange(in, at, at + n);
      at += n;
      return b;
    }

    Object value(ValueType type) {
      int present = u8();
      if (present == 0) {
        return null;
      }
      if (present != 1) {
        throw corrupt("a value's presence byte is " + present);
      }
      return switch (type) {
        case ScalarType s -> scalar(s);
        case ListType l -> {
          int n = count(1);
          List<Object> items = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            items.add(value(l.element()));
          }
          yield java.util.Collections.unmodifiableList(items);
        }
      };
    }

    private Object scalar(ScalarType s) {
      return switch (s) {
        case INT32 -> (int) zigzag();
        case INT64 -> zigzag();
        case FLOAT32 -> (float) float64();
        case FLOAT64 -> float64();
        case BOOL -> bool();
        case STRING -> new String(bytes(), StandardCharsets.UTF_8);
        case BYTES -> bytes();
        case TIMESTAMP -> Timestamps.ofMicros(zigzag());
      };
    }

    int position() {
      return at;
    }

    /** Moves to {@code position} (one {@link #position()} returned); returns this source. */
    Source at(int position) {
      if (position < 0 || position > in.length) {
        throw corrupt("a position of " + position + " is outside the bytes");
      }
      at = position;
      return this;
    }

    /** Skips {@code n} bytes. */
    void skip(int n) {
      if (n < 0 || n > in.length - at) {
        throw corrupt("a section of " + n + " bytes does not fit in the bytes left");
      }
      at += n;
    }

    /** True when bytes are left to read. */
    boolean hasMore() {
      return at < in.length;
    }

    void end() {
      if (at != in.length) {
        throw corrupt((in.length - at) + " bytes are left over");
      }
    }

    static QuiverException corrupt(String why) {
      return new QuiverException("an aggregation state is corrupt: " + why
          + "; it was not written by this format version (docs/aggregation-encoding.md)");
    }
  }
}
