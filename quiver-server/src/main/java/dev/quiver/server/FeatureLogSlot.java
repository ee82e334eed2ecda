package dev.quiver.server;

import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureService;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One place of the feature log's {@link FeatureLogRing}: a recycled byte array that a request thread
 * encodes one sampled request into ({@link FeatureLogRecord}) and the writer decodes, plus references
 * to the long-lived objects the record was made against (the service's definition, the registry's
 * definitions, the response's {@link FeatureLog.Shape}). The array is made once and reused by every
 * request that takes this place, so a queued request holds no young objects: young collections copy
 * nothing for it. An array past the ring's bound per place, for a large request, comes from and goes
 * back to the ring's few {@link FeatureLogSpares} (so large requests do not each make one), never stays
 * with the place: the ring keeps at most {@code queue} &times; that bound between requests, plus the spares
 * ({@link FeatureLogRing}).
 *
 * <p>Owned by one thread at a time: the request thread between {@link FeatureLogRing#claim} and
 * {@link FeatureLogRing#publish}, the writer between {@link FeatureLogRing#peek} and {@link
 * FeatureLogRing#release}; the ring's sequence number hands it over (a volatile write and read).
 */
final class FeatureLogSlot {
  /** The size of a place's first array: a request of 1 entity &times; 50 numeric features takes about 600 bytes. */
  static final int FIRST_BYTES = 1024;
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  /** The ring's hand-over: position when free for that position's producer, position + 1 when published. */
  volatile long sequence;
  /** The largest array this place keeps after use. */
  private final int keptBytes;
  /** Where an array grown past {@link #keptBytes} comes from and goes back to. */
  private final FeatureLogSpares spares;
  /** This place's own array (at most {@link #keptBytes}), while {@link #bytes} is a spare. */
  private byte[] own;
  /** The ring position this place was claimed at. */
  long position;
  /** Whether the record was encoded whole; a failed encoding is published as not and skipped by the writer. */
  boolean complete;
  long registryVersion;
  /** {@code served_at}: seconds since the epoch and the nanoseconds within. */
  long servedSeconds;
  int servedNanos;
  /** Entity rows of the request. */
  int rows;
  String service;
  FeatureService definition;
  Definitions defs;
  FeatureLog.Shape shape;
  private byte[] bytes;
  /** Bytes written (encoding) or the read position (decoding). */
  private int at;
  private int length;

  FeatureLogSlot(long sequence, int keptBytes, FeatureLogSpares spares) {
    this.sequence = sequence;
    this.keptBytes = keptBytes;
    this.spares = spares;
  }

  /** Starts a record: the array kept (or a first one) is rewritten from its start. */
  void startWriting() {
    if (bytes == null) {
      bytes = new byte[FIRST_BYTES];
    }
    at = 0;
    length = 0;
  }

  /** Ends the record written; the writer reads it from its start. */
  void finishWriting() {
    length = at;
    at = 0;
  }

  /** Forgets the record and the references it was made against; drops an array grown past the bound. */
  void clear() {
    service = null;
    definition = null;
    defs = null;
    shape = null;
    if (bytes != null && bytes.length > keptBytes) {
      spares.give(bytes);
      bytes = own;
    }
    own = null;
    at = 0;
    length = 0;
  }

  /** Bytes of the record written, for tests. */
  int length() {
    return length;
  }

  /** Makes room for {@code n} more bytes at once (an estimate of the record's size), so a large record grows its array once. */
  void reserve(int n) {
    ensure(n);
  }

  /** The array read from, for a value copied straight out of it (with {@link #position()}, then {@link #skip}). */
  byte[] array() {
    return bytes;
  }

  int position() {
    return at;
  }

  /** Skips {@code n} bytes of the record, checked. */
  void skip(int n) {
    check(n);
    at += n;
  }

  private void ensure(int n) {
    if (at + n > bytes.length) {
      grow(Math.max(at + n, 2 * bytes.length));
    }
  }

  /** A larger array with what is written so far: past {@link #keptBytes} a spare when one is free, this place's own kept aside. */
  private void grow(int length) {
    byte[] larger = null;
    if (length > keptBytes) {
      larger = spares.take(length);
      if (bytes.length <= keptBytes) {
        own = bytes;
      }
    }
    if (larger == null) {
      larger = new byte[length];
    }
    System.arraycopy(bytes, 0, larger, 0, at);
    if (bytes != own && bytes.length > keptBytes) {
      spares.give(bytes); // a spare outgrown: back for a smaller request
    }
    bytes = larger;
  }

  /**
   * One feature cell: its status byte, then its value as {@link FeatureLogRecord} writes it; the common
   * classes (null, Double, Long) in one step with one bounds check, the others through {@link
   * FeatureLogRecord#writeValue}.
   */
  void putCell(int status, Object v) {
    if (at + 10 > bytes.length) {
      ensure(10);
    }
    byte[] b = bytes;
    int i = at;
    b[i] = (byte) status;
    if (v == null) {
      b[i + 1] = FeatureLogRecord.NULL;
      at = i + 2;
    } else if (v.getClass() == Double.class) {
      b[i + 1] = FeatureLogRecord.DOUBLE;
      LONGS.set(b, i + 2, Double.doubleToRawLongBits((Double) v));
      at = i + 10;
    } else if (v.getClass() == Long.class) {
      b[i + 1] = FeatureLogRecord.LONG;
      LONGS.set(b, i + 2, (long) (Long) v);
      at = i + 10;
    } else {
      at = i + 1;
      FeatureLogRecord.writeValue(this, v);
    }
  }

  void putByte(int b) {
    ensure(1);
    bytes[at++] = (byte) b;
  }

  void putInt(int v) {
    ensure(4);
    INTS.set(bytes, at, v);
    at += 4;
  }

  void putLong(long v) {
    ensure(8);
    LONGS.set(bytes, at, v);
    at += 8;
  }

  void putBytes(byte[] b) {
    putInt(b.length);
    ensure(b.length);
    System.arraycopy(b, 0, bytes, at, b.length);
    at += b.length;
  }

  /** A string as its UTF-8 length and bytes: ASCII without allocating. */
  void putString(String s) {
    int n = s.length();
    ensure(4 + n);
    int start = at + 4;
    int k = 0;
    while (k < n) {
      char ch = s.charAt(k);
      if (ch >= 0x80) {
        break;
      }
      bytes[start + k++] = (byte) ch;
    }
    if (k == n) {
      INTS.set(bytes, at, n);
      at = start + n;
    } else {
      putBytes(s.getBytes(StandardCharsets.UTF_8));
    }
  }

  int getByte() {
    check(1);
    return bytes[at++];
  }

  int getInt() {
    check(4);
    int v = (int) INTS.get(bytes, at);
    at += 4;
    return v;
  }

  long getLong() {
    check(8);
    long v = (long) LONGS.get(bytes, at);
    at += 8;
    return v;
  }

  byte[] getBytes() {
    int n = getInt();
    check(n);
    byte[] b = Arrays.copyOfRange(bytes, at, at + n);
    at += n;
    return b;
  }

  String getString() {
    int n = getInt();
    check(n);
    String s = new String(bytes, at, n, StandardCharsets.UTF_8);
    at += n;
    return s;
  }

  /** Whether the whole record has been read. */
  boolean readAll() {
    return at == length;
  }

  private void check(int n) {
    if (n < 0 || at + n > length) {
      throw new IllegalStateException("feature log record ends at byte " + length + ", read " + n + " at " + at);
    }
  }
}
