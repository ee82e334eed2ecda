package dev.quiver.server;

import java.util.SplittableRandom;

/**
 * The feature log's request ids: random (version 4) UUIDs in their 36-character text form, from the
 * writer's own generator (no lock, no entropy per call), written as ASCII into one reused array
 * rather than a {@link java.util.UUID} and a string per request. Used by the writer thread alone.
 */
final class FeatureLogRequestIds {
  private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private final SplittableRandom random;
  private final byte[] text = new byte[36];

  FeatureLogRequestIds(SplittableRandom random) {
    this.random = random;
  }

  /** The next id as {@code xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx}; the array is overwritten by the next call. */
  byte[] next() {
    long hi = (random.nextLong() & ~0xF000L) | 0x4000L;
    long lo = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    hex(hi >>> 32, 8, 0);
    text[8] = '-';
    hex(hi >>> 16, 4, 9);
    text[13] = '-';
    hex(hi, 4, 14);
    text[18] = '-';
    hex(lo >>> 48, 4, 19);
    text[23] = '-';
    hex(lo, 12, 24);
    return text;
  }

  /** The low {@code digits} hex digits of {@code v} at {@code at}, most significant first. */
  private void hex(long v, int digits, int at) {
    for (int i = digits - 1; i >= 0; i--) {
      text[at + i] = HEX[(int) (v & 0xF)];
      v >>>= 4;
    }
  }
}
