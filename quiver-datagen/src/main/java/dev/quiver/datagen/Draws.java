package dev.quiver.datagen;

import java.util.SplittableRandom;

/**
 * The generator's sources of randomness, and the only ways it draws non-uniform values.
 *
 * <p>Random streams derive from the dataset's seed: one per table, and one per user and per
 * merchant, so any entity's attributes can be recomputed on their own and come out the same
 * whichever order entities are generated in.
 *
 * <p>Reproducibility across machines: {@link SplittableRandom}'s integer algorithm is fixed, Java
 * floating-point arithmetic is strict, and every transcendental function here is {@link
 * StrictMath}'s (fdlibm), whose results are specified bit for bit. {@code Math.exp} and {@code
 * RandomGenerator.nextGaussian} (which calls {@code Math.exp}) may differ in the last bit between
 * CPUs, so the generator uses neither.
 */
final class Draws {

  static final long TRANSACTIONS = 0x7478_6e73L; // "txns"
  static final long CALENDAR = 0x6361_6c65L; // "cale"
  static final long USERS = 0x7573_6572L; // "user"
  static final long MERCHANTS = 0x6d65_7263L; // "merc"
  static final long LAYOUT = 0x6c61_796fL; // "layo"

  private Draws() {}

  /** The random stream for one purpose ({@code salt}) and one entity ({@code id}, or 0). */
  static SplittableRandom random(long seed, long salt, long id) {
    return new SplittableRandom(mix(seed ^ mix(salt * 0x9E37_79B9_7F4A_7C15L + id)));
  }

  /** A standard normal value (Marsaglia's polar method). */
  static double gaussian(SplittableRandom random) {
    double u;
    double s;
    do {
      u = 2.0 * random.nextDouble() - 1.0;
      double v = 2.0 * random.nextDouble() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return u * StrictMath.sqrt(-2.0 * StrictMath.log(s) / s);
  }

  /** {@code median * exp(sigma * N(0, 1))}: a log-normal value. */
  static double logNormal(SplittableRandom random, double median, double sigma) {
    return median * StrictMath.exp(sigma * gaussian(random));
  }

  /** A value in [low, high) whose logarithm is uniform: as likely 1-2 h as 1-2 days. */
  static long logUniform(SplittableRandom random, long low, long high) {
    double logLow = StrictMath.log(low);
    return (long) StrictMath.exp(logLow + random.nextDouble() * (StrictMath.log(high) - logLow));
  }

  /** The logistic function. */
  static double sigmoid(double x) {
    return 1.0 / (1.0 + StrictMath.exp(-x));
  }

  /** Stafford's variant 13 of the MurmurHash3 finalizer: a bijection that scatters bits. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
    return z ^ (z >>> 31);
  }
}
