package dev.quiver.datagen;

import java.time.Instant;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The users and merchants of a dataset: the attributes transactions depend on, held in arrays
 * (about 20 bytes per entity), and their profile rows, recomputed one entity at a time.
 *
 * <p>Each entity draws from its own random stream ({@link Draws#random}), first the attributes kept
 * here, then the rest of its profile, so the arrays and the profile rows always agree.
 */
final class Population {

  static final long MICROS_PER_SECOND = 1_000_000L;
  static final long MICROS_PER_HOUR = 3_600L * MICROS_PER_SECOND;
  static final long MICROS_PER_DAY = 24L * MICROS_PER_HOUR;

  private final PaymentsDataset dataset;
  private final long startMicros;
  private final long spanMicros;

  // index = id - 1
  final byte[] userHome;
  final byte[] userSegment;
  final float[] userSpend;
  final byte[] merchantCategory;
  final byte[] merchantCountry;
  final float[] merchantRisk;

  Population(PaymentsDataset dataset) {
    this.dataset = dataset;
    this.startMicros = micros(dataset.start());
    this.spanMicros = dataset.days() * MICROS_PER_DAY;
    int users = (int) dataset.users();
    int merchants = (int) dataset.merchants();
    userHome = new byte[users];
    userSegment = new byte[users];
    userSpend = new float[users];
    for (int i = 0; i < users; i++) {
      SplittableRandom random = Draws.random(dataset.seed(), Draws.USERS, i + 1L);
      userHome[i] = Catalog.country(random);
      userSegment[i] = Catalog.segment(random);
      userSpend[i] = (float) Draws.logNormal(random, 1.0, 0.45);
    }
    merchantCategory = new byte[merchants];
    merchantCountry = new byte[merchants];
    merchantRisk = new float[merchants];
    for (int i = 0; i < merchants; i++) {
      SplittableRandom random = Draws.random(dataset.seed(), Draws.MERCHANTS, i + 1L);
      merchantCategory[i] = Catalog.category(random);
      merchantCountry[i] = merchantCountry(merchantCategory[i], random);
      merchantRisk[i] = (float) riskScore(merchantCategory[i], random);
    }
  }

  /**
   * Emits the user's profile rows in time order: the profile as it stood before the start (updated
   * in the 30 days before it), then 1 to 4 updates during the span, each changing the credit limit
   * and, one time in ten, moving the risk segment one step.
   */
  void userProfiles(long userId, Consumer<UserProfile> out) {
    SplittableRandom random = Draws.random(dataset.seed(), Draws.USERS, userId);
    byte home = Catalog.country(random);
    byte segment = Catalog.segment(random);
    Draws.gaussian(random); // the spend factor, kept in userSpend
    long signup = startMicros - 30 * MICROS_PER_DAY - random.nextLong((3 * 365 - 30) * MICROS_PER_DAY);
    double limit =
        roundTo(Draws.logNormal(random, Catalog.SEGMENT_CREDIT_LIMIT[segment], 0.5), 100);
    long updated = startMicros - 1 - random.nextLong(30 * MICROS_PER_DAY);
    out.accept(user(userId, signup, home, segment, limit, updated));
    long[] updates = new long[1 + random.nextInt(4)];
    for (int i = 0; i < updates.length; i++) {
      updates[i] = startMicros + random.nextLong(spanMicros);
    }
    Arrays.sort(updates);
    for (long at : updates) {
      limit = roundTo(limit * (0.8 + 0.6 * random.nextDouble()), 100);
      if (random.nextDouble() < 0.1) {
        segment = (byte) Math.clamp(segment + (random.nextBoolean() ? 1 : -1), 0, 2);
      }
      out.accept(user(userId, signup, home, segment, limit, at));
    }
  }

  /**
   * Emits the merchant's profile rows in time order: its rating before the start, then, for about a
   * third of merchants, one re-rating during the span.
   */
  void merchantProfiles(long merchantId, Consumer<MerchantProfile> out) {
    SplittableRandom random = Draws.random(dataset.seed(), Draws.MERCHANTS, merchantId);
    byte category = Catalog.category(random);
    byte country = merchantCountry(category, random);
    double risk = riskScore(category, random);
    long updated = startMicros - 1 - random.nextLong(30 * MICROS_PER_DAY);
    out.accept(merchant(merchantId, category, country, risk, updated));
    if (random.nextDouble() < 0.35) {
      long at = startMicros + random.nextLong(spanMicros);
      risk = round4(Math.clamp(Draws.logNormal(random, risk, 0.5), 0.0001, 0.9999));
      out.accept(merchant(merchantId, category, country, risk, at));
    }
  }

  private static byte merchantCountry(byte category, SplittableRandom random) {
    double u = random.nextDouble();
    byte country = Catalog.country(random);
    // half the digital goods sold anywhere come from US merchants
    return category == Catalog.DIGITAL_GOODS && u < 0.5 ? Catalog.US : country;
  }

  private static double riskScore(byte category, SplittableRandom random) {
    double logit = Catalog.CATEGORY_RISK_LOGIT[category] + 0.9 * Draws.gaussian(random);
    return round4(Math.clamp(Draws.sigmoid(logit), 0.0001, 0.9999));
  }

  private static UserProfile user(
      long id, long signup, byte home, byte segment, double limit, long updated) {
    return new UserProfile(
        id, instant(signup), Catalog.COUNTRIES[home], Catalog.SEGMENTS[segment], limit, instant(updated));
  }

  private static MerchantProfile merchant(
      long id, byte category, byte country, double risk, long updated) {
    return new MerchantProfile(
        id, Catalog.CATEGORIES[category], Catalog.COUNTRIES[country], risk, instant(updated));
  }

  static double roundTo(double value, double step) {
    return Math.max(step, Math.round(value / step) * step);
  }

  static double round4(double value) {
    return Math.round(value * 10_000.0) / 10_000.0;
  }

  static long micros(Instant instant) {
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), MICROS_PER_SECOND), instant.getNano() / 1_000);
  }

  static Instant instant(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, MICROS_PER_SECOND), Math.floorMod(micros, MICROS_PER_SECOND) * 1_000L);
  }
}
