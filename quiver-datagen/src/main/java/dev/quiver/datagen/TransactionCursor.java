package dev.quiver.datagen;

import static dev.quiver.datagen.Population.MICROS_PER_DAY;
import static dev.quiver.datagen.Population.MICROS_PER_HOUR;
import static dev.quiver.datagen.Population.MICROS_PER_SECOND;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Generates the transaction rows one at a time, in event-time order, into mutable fields: the
 * Parquet writer copies them straight into DuckDB, {@link #toTransaction()} makes a record for the
 * Java stream. Memory stays bounded by one hour of timestamps, whatever the row count.
 *
 * <p>The span is cut into hours. Each hour gets a share of the rows proportional to its weight
 * (daily curve × day of week × a little day-to-day noise × a slow upward trend), rounded so the
 * shares add up to exactly the row count; the hour's event times are drawn uniformly and sorted.
 * Each slot then becomes one of three kinds of row:
 *
 * <ul>
 *   <li>a <b>fresh</b> transaction (the usual case);
 *   <li>a <b>tie</b> ({@value #P_TIE}): a new transaction of the previous row's user at exactly the
 *       previous row's event time (a split payment), created strictly after it;
 *   <li>a <b>correction</b> ({@value #P_CORRECTION}): the previous row again, same txn_id, keys
 *       and event time, with a corrected amount and a created time a minute to two days later.
 * </ul>
 *
 * <p>Replacing a slot's time with the previous row's keeps the rows sorted. Not thread-safe.
 */
final class TransactionCursor {

  /** Share of slots that correct the previous row. */
  static final double P_CORRECTION = 0.005;
  /** Share of slots that are a second transaction at the previous row's exact event time. */
  static final double P_TIE = 0.004;
  /** Share of fresh and tie rows created hours to days after their event. */
  static final double P_LATE = 0.01;
  /** Chance that a fraudulent transaction starts a burst of 1 to 4 more for the same user. */
  static final double P_BURST = 0.3;

  private static final double USER_SKEW = 0.75;
  private static final double MERCHANT_SKEW = 0.6;

  /** Relative transaction volume per UTC hour of the day: quiet nights, lunch and evening peaks. */
  private static final double[] HOUR_WEIGHTS = {
    .25, .18, .14, .12, .13, .20, .40, .70, .95, 1.05, 1.10, 1.20,
    1.35, 1.30, 1.15, 1.10, 1.15, 1.25, 1.40, 1.45, 1.30, 1.00, .70, .45
  };
  /** Relative volume per day of week, Monday first: busier Fridays and Saturdays. */
  private static final double[] WEEKDAY_WEIGHTS = {.95, .97, 1.0, 1.02, 1.12, 1.15, .90};

  enum Kind {
    FRESH,
    TIE,
    CORRECTION
  }

  // ---- the current row
  long txnId;
  long userId;
  long merchantId;
  double amount;
  byte currency;
  byte country;
  byte channel;
  boolean fraud;
  long eventMicros;
  long createdMicros;
  Kind kind;

  private final Population population;
  private final SplittableRandom random;
  private final Zipf users;
  private final Zipf merchants;
  private final long total;
  private final long startMicros;
  private final double[] cumulativeWeight; // [b] = weight of hours 0..b-1
  private long[] times = new long[0];
  private int timeIndex;
  private int timeCount;
  private int nextHour;
  private long emitted;
  private long nextTxnId = 1;
  private long burstUser;
  private int burstRemaining;

  TransactionCursor(PaymentsDataset dataset, Population population) {
    this.population = population;
    this.total = dataset.transactions();
    this.startMicros = Population.micros(dataset.start());
    this.random = Draws.random(dataset.seed(), Draws.TRANSACTIONS, 0);
    SplittableRandom layout = Draws.random(dataset.seed(), Draws.LAYOUT, 0);
    this.users = new Zipf(dataset.users(), USER_SKEW, layout);
    this.merchants = new Zipf(dataset.merchants(), MERCHANT_SKEW, layout);
    this.cumulativeWeight = hourWeights(dataset);
  }

  /** Moves to the next row. Returns false, changing nothing, once every row has been produced. */
  boolean advance() {
    if (emitted == total) {
      return false;
    }
    while (timeIndex == timeCount) {
      fillNextHour();
    }
    long slot = times[timeIndex++];
    double u = random.nextDouble();
    if (emitted > 0 && u < P_CORRECTION && kind != Kind.CORRECTION) {
      correction();
    } else if (emitted > 0 && u >= P_CORRECTION && u < P_CORRECTION + P_TIE) {
      tie();
    } else {
      fresh(slot);
    }
    emitted++;
    return true;
  }

  /** The current row as a record. */
  Transaction toTransaction() {
    return new Transaction(
        txnId,
        userId,
        merchantId,
        amount,
        Catalog.CURRENCIES[currency],
        Catalog.COUNTRIES[country],
        Catalog.CHANNELS[channel],
        fraud,
        Population.instant(eventMicros),
        Population.instant(createdMicros));
  }

  private void fresh(long slot) {
    kind = Kind.FRESH;
    boolean inBurst = burstRemaining > 0;
    if (inBurst) {
      burstRemaining--;
      userId = burstUser;
    } else {
      userId = users.next(random);
    }
    txnId = nextTxnId++;
    eventMicros = slot;
    purchase(inBurst);
    createdMicros = eventMicros + lag();
    if (fraud && !inBurst && random.nextDouble() < P_BURST) {
      burstUser = userId;
      burstRemaining = 1 + random.nextInt(4);
    }
  }

  private void tie() {
    kind = Kind.TIE;
    long previousCreated = createdMicros;
    txnId = nextTxnId++;
    purchase(false); // same user, same event time
    createdMicros = Math.max(eventMicros + lag(), previousCreated + 1);
  }

  private void correction() {
    kind = Kind.CORRECTION;
    double minor = Catalog.MINOR_UNITS[currency];
    double corrected = Math.round(amount * (0.5 + 0.6 * random.nextDouble()) * minor) / minor;
    amount = corrected > 0 && corrected != amount ? corrected : amount + 1 / minor;
    createdMicros += Draws.logUniform(random, 60 * MICROS_PER_SECOND, 2 * MICROS_PER_DAY);
  }

  /** Draws everything about a payment but its user, ids and times. */
  private void purchase(boolean inBurst) {
    int user = (int) (userId - 1);
    merchantId = merchants.next(random);
    int merchant = (int) (merchantId - 1);
    byte category = population.merchantCategory[merchant];
    byte home = population.userHome[user];
    channel = Catalog.channel(category, random);
    if (channel == Catalog.ONLINE) {
      country = population.merchantCountry[merchant];
    } else {
      country = random.nextDouble() < 0.94 ? home : Catalog.country(random); // travelling
    }
    boolean crossBorder = country != home;
    currency = Catalog.COUNTRY_CURRENCY[country];
    if (channel == Catalog.ONLINE && crossBorder && random.nextDouble() < 0.3) {
      currency = Catalog.USD;
    }
    if (inBurst) {
      fraud = random.nextDouble() < 0.85;
    } else {
      int hour = (int) Math.floorMod(Math.floorDiv(eventMicros, MICROS_PER_HOUR), 24L);
      double logit =
          -7.1
              + 3.0 * population.merchantRisk[merchant]
              + Catalog.SEGMENT_FRAUD_LOGIT[population.userSegment[user]]
              + (crossBorder ? 1.2 : 0)
              + (channel == Catalog.ONLINE ? 0.6 : 0)
              + (hour < 6 ? 0.7 : 0);
      fraud = random.nextDouble() < Draws.sigmoid(logit);
    }
    double usd =
        Draws.logNormal(random, Catalog.CATEGORY_MEDIAN_USD[category], Catalog.CATEGORY_SIGMA[category])
            * population.userSpend[user];
    if (fraud) {
      usd *= Draws.logNormal(random, 2.5, 0.5);
    }
    double local = usd * Catalog.PER_USD[currency];
    if (channel == Catalog.ATM) {
      double step = Catalog.ATM_STEP[currency];
      amount = Math.max(1, Math.round(local / step)) * step;
    } else {
      double minor = Catalog.MINOR_UNITS[currency];
      amount = Math.max(1, Math.round(local * minor)) / minor;
    }
  }

  /** Microseconds from event to creation: about 2 s, or hours to days for late rows. */
  private long lag() {
    if (random.nextDouble() < P_LATE) {
      return Draws.logUniform(random, MICROS_PER_HOUR, 3 * MICROS_PER_DAY);
    }
    return Math.max(1_000, (long) Draws.logNormal(random, 2.0 * MICROS_PER_SECOND, 1.0));
  }

  private void fillNextHour() {
    int hour = nextHour++;
    int count = Math.toIntExact(target(hour + 1) - target(hour));
    if (times.length < count) {
      times = new long[Math.max(count, times.length * 2)];
    }
    long hourStart = startMicros + hour * MICROS_PER_HOUR;
    for (int i = 0; i < count; i++) {
      times[i] = hourStart + random.nextLong(MICROS_PER_HOUR);
    }
    Arrays.sort(times, 0, count);
    timeIndex = 0;
    timeCount = count;
  }

  /** Rows in hours 0..hour-1: the weights' running share of the total, rounded. */
  private long target(int hour) {
    int hours = cumulativeWeight.length - 1;
    if (hour >= hours) {
      return total;
    }
    return Math.round(total * (cumulativeWeight[hour] / cumulativeWeight[hours]));
  }

  private static double[] hourWeights(PaymentsDataset dataset) {
    SplittableRandom calendar = Draws.random(dataset.seed(), Draws.CALENDAR, 0);
    long start = Population.micros(dataset.start());
    int hours = dataset.days() * 24;
    double[] cumulative = new double[hours + 1];
    double dayWeight = 0;
    for (int h = 0; h < hours; h++) {
      long at = start + h * MICROS_PER_HOUR;
      if (h % 24 == 0) {
        int day = h / 24;
        LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(at, MICROS_PER_DAY));
        dayWeight =
            WEEKDAY_WEIGHTS[date.getDayOfWeek().getValue() - 1]
                * Draws.logNormal(calendar, 1.0, 0.05)
                * (1.0 + 0.15 * day / dataset.days());
      }
      int hourOfDay = (int) Math.floorMod(Math.floorDiv(at, MICROS_PER_HOUR), 24L);
      cumulative[h + 1] = cumulative[h] + HOUR_WEIGHTS[hourOfDay] * dayWeight;
    }
    return cumulative;
  }
}
