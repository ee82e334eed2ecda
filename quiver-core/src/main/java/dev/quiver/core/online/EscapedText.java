package dev.quiver.core.online;

import java.nio.charset.StandardCharsets;

/**
 * Text in a {@link RowPosition}'s bytes: UTF-8 with each 0x00 written as 0x00 0xFF, ended by 0x00
 * 0x01, so positions compare byte by byte as their texts do. Thread-safe.
 */
final class EscapedText {
  /**
   * The stream name last escaped by {@link #ofStream}: a consumer encodes one stream's name for
   * every event, so it is escaped once. An immutable pair, safe to share between threads.
   */
  private record Last(String text, byte[] bytes) {}

  private static volatile Last last;

  private EscapedText() {}

  /** Appends {@code text} escaped. */
  static void write(ByteSink out, String text) {
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      out.write(b);
      if (b == 0) {
        out.write(0xFF);
      }
    }
    out.write(0);
    out.write(1);
  }

  /** {@code stream} escaped, as {@link #write} writes it; the caller must not change the array. */
  static byte[] ofStream(String stream) {
    Last l = last;
    if (l == null || !l.text().equals(stream)) {
      ByteSink out = new ByteSink(stream.length() + 2);
      write(out, stream);
      l = new Last(stream, out.toByteArray());
      last = l;
    }
    return l.bytes();
  }
}
