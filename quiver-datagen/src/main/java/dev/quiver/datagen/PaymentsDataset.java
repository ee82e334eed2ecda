package dev.quiver.datagen;

import dev.quiver.core.QuiverException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * What to generate: the seed, the size and the time span of a payments dataset. Two datasets that
 * are equal generate the same rows.
 *
 * @param seed any value; different seeds give unrelated data
 * @param transactions rows in {@code transactions.parquet}, corrections included; at least 0
 * @param users distinct users (ids 1..users); at least 1
 * @param merchants distinct merchants (ids 1..merchants); at least 1
 * @param start the first instant transactions can happen at, truncated to microseconds
 * @param days how long transactions span, from {@code start}; 1 to 3,650
 */
public record PaymentsDataset(
    long seed, long transactions, long users, long merchants, Instant start, int days) {

  /** The default first day: 2026-01-01T00:00:00Z. */
  public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");

  /** The default span: 90 days. */
  public static final int DEFAULT_DAYS = 90;

  private static final long MAX_ENTITIES = Integer.MAX_VALUE - 8;

  /**
   * Checks the values and truncates {@code start} to microseconds.
   *
   * @throws QuiverException when a count or the span is out of range
   * @throws NullPointerException if {@code start} is null
   */
  public PaymentsDataset {
    Objects.requireNonNull(start, "start");
    start = start.truncatedTo(ChronoUnit.MICROS);
    if (transactions < 0) {
      throw new QuiverException("datagen: the transaction count must be 0 or more, got " + transactions);
    }
    if (users < 1 || users > MAX_ENTITIES) {
      throw new QuiverException("datagen: users must be between 1 and " + MAX_ENTITIES + ", got " + users);
    }
    if (merchants < 1 || merchants > MAX_ENTITIES) {
      throw new QuiverException(
          "datagen: merchants must be between 1 and " + MAX_ENTITIES + ", got " + merchants);
    }
    if (days < 1 || days > 3650) {
      throw new QuiverException("datagen: days must be between 1 and 3650, got " + days);
    }
  }

  /**
   * The default dataset of a given size: {@code max(100, transactions / 50)} users, {@code max(20,
   * transactions / 500)} merchants, {@link #DEFAULT_DAYS} days from {@link #DEFAULT_START}.
   */
  public static PaymentsDataset of(long seed, long transactions) {
    return of(seed, transactions, DEFAULT_START, DEFAULT_DAYS);
  }

  /** Like {@link #of(long, long)}, over another time span. */
  public static PaymentsDataset of(long seed, long transactions, Instant start, int days) {
    return new PaymentsDataset(
        seed,
        transactions,
        Math.max(100, transactions / 50),
        Math.max(20, transactions / 500),
        start,
        days);
  }

  /** The instant transactions end at (exclusive): {@code start + days}. */
  public Instant end() {
    return start.plus(days, ChronoUnit.DAYS);
  }
}
