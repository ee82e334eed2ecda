package dev.quiver.core.online;

import java.util.Arrays;

/**
 * Appends bytes to a plain growing array: what the row, key and position encoders write into (a
 * {@link java.io.ByteArrayOutputStream} synchronizes and checks its capacity on every byte, which
 * profiles of stream ingestion showed). Big-endian like {@link java.io.DataOutput}. Not thread-safe;
 * one per encoding.
 */
final class ByteSink {
  private byte[] buf;
  private int size;

  ByteSink(int capacity) {
    buf = new byte[Math.max(8, capacity)];
  }

  private void ensure(int more) {
    if (size + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
    }
  }

  /** Appends the low 8 bits of {@code b}. */
  void write(int b) {
    ensure(1);
    buf[size++] = (byte) b;
  }

  void writeBytes(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, buf, size, b.length);
    size += b.length;
  }

  void writeInt(int v) {
    ensure(4);
    buf[size] = (byte) (v >>> 24);
    buf[size + 1] = (byte) (v >>> 16);
    buf[size + 2] = (byte) (v >>> 8);
    buf[size + 3] = (byte) v;
    size += 4;
  }

  void writeLong(long v) {
    ensure(8);
    for (int i = 0, s = 56; s >= 0; i++, s -= 8) {
      buf[size + i] = (byte) (v >>> s);
    }
    size += 8;
  }

  /** Unsigned LEB128, as {@link Varint} writes it. */
  void writeVarint(int value) {
    int v = value;
    while ((v & ~0x7F) != 0) {
      write((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    write(v);
  }

  int size() {
    return size;
  }

  /**
   * Empties it for reuse as scratch space, dropping a buffer grown past {@code maxKept} bytes; read
   * it with {@link #copy} then, never {@link #toByteArray}.
   */
  ByteSink reset(int maxKept) {
    size = 0;
    if (buf.length > maxKept) {
      buf = new byte[64];
    }
    return this;
  }

  /** A copy of the bytes written. */
  byte[] copy() {
    return Arrays.copyOf(buf, size);
  }

  /** The bytes written (the array itself when it is exactly full, so not for a sink that is reused). */
  byte[] toByteArray() {
    return size == buf.length ? buf : Arrays.copyOf(buf, size);
  }
}
