package dev.quiver.core.online;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/** Unsigned LEB128 lengths, as protobuf writes them. */
final class Varint {
  private Varint() {}

  static void write(ByteArrayOutputStream out, int value) {
    int v = value;
    while ((v & ~0x7F) != 0) {
      out.write((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out.write(v);
  }

  static int read(ByteBuffer in) {
    int result = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      byte b = in.get();
      result |= (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        if (result < 0) {
          throw new IllegalArgumentException("negative length");
        }
        return result;
      }
    }
    throw new IllegalArgumentException("malformed varint");
  }

  static byte[] readBytes(ByteBuffer in) {
    byte[] b = new byte[read(in)];
    in.get(b);
    return b;
  }
}
