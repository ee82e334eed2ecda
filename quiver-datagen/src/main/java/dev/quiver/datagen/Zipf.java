package dev.quiver.datagen;

import java.util.SplittableRandom;

/**
 * Draws ids 1..n with a Zipf-like skew: the rank-r id is drawn with probability roughly
 * proportional to {@code r^-s}, then ranks are scattered over ids by a fixed permutation so heavy
 * hitters are not simply ids 1, 2, 3.
 *
 * <p>Sampling inverts the CDF of the continuous density {@code x^-s} on {@code [1, n+1)}: one
 * {@code pow} per draw, no tables, exact enough for test data.
 */
final class Zipf {

  private final long n;
  private final double scale;
  private final double inverseExponent;
  private final long multiplier;
  private final long offset;

  /**
   * @param n the number of ids, at least 1
   * @param s the skew, in (0, 1): 0.75 gives the top id about 1% of draws at n = 200,000
   * @param layout seeds the rank-to-id permutation
   */
  Zipf(long n, double s, SplittableRandom layout) {
    this.n = n;
    this.scale = StrictMath.pow(n + 1.0, 1.0 - s) - 1.0;
    this.inverseExponent = 1.0 / (1.0 - s);
    long m = Math.max(1, ((long) (n * 0.6180339887498949) + layout.nextLong(Math.max(1, n / 8 + 1))) | 1L);
    while (gcd(m, n) != 1) {
      m += 2;
    }
    this.multiplier = m % n == 0 ? 1 : m % n;
    this.offset = layout.nextLong(n);
  }

  /** The 1-based popularity rank of the next draw: 1 is the most frequent. */
  long rank(SplittableRandom random) {
    long rank = (long) StrictMath.pow(scale * random.nextDouble() + 1.0, inverseExponent);
    return rank < 1 ? 1 : Math.min(rank, n);
  }

  /** The id (1..n) holding a rank. A bijection between ranks and ids. */
  long id(long rank) {
    return ((rank - 1) * multiplier + offset) % n + 1; // n < 2^31, so no overflow
  }

  /** The next id drawn. */
  long next(SplittableRandom random) {
    return id(rank(random));
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }
}
