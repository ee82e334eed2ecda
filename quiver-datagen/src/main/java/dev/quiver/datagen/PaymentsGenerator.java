package dev.quiver.datagen;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Generates a payments dataset: card transactions, user profiles and merchant profiles, as Java
 * records or as Parquet files. Used by {@code quiver init}, the demo, tests and benchmarks.
 *
 * <h2>Determinism</h2>
 *
 * Every row follows from the {@link PaymentsDataset}: the same dataset gives the same rows, in the
 * same order, from the streams and in the files, on every run (all randomness comes from {@link
 * java.util.SplittableRandom}s seeded from {@link PaymentsDataset#seed()}). A different seed gives
 * unrelated rows. Changing the generator's algorithm changes the rows; a golden test pins them.
 *
 * <h2>The data</h2>
 *
 * <ul>
 *   <li><b>Skew.</b> Users and merchants are drawn Zipf-style: at 10 million transactions the busiest
 *       user makes about 94,000 of them, half of them come from 7.5% of the users, and nearly every
 *       user appears at least once (with fewer rows the top users' shares grow: 1.7% at a
 *       million). Heavy hitters are scattered
 *       over the id range.
 *   <li><b>Amounts.</b> Log-normal per merchant category (a median and a spread for grocery,
 *       restaurants, fuel, fashion, electronics, travel, digital goods, gambling, utilities and cash
 *       withdrawals), scaled by a per-user spending factor, converted to the transaction's currency
 *       at fixed rates and rounded to its minor unit; ATM withdrawals are whole notes.
 *   <li><b>Places and money.</b> Ten countries (US, GB, DE, FR, ES, NL, CA, BR, IN, JP) and their
 *       seven currencies (USD, EUR, GBP, CAD, BRL, INR, JPY). In-person payments happen in the
 *       user's home country 94% of the time; online ones in the merchant's country, and 30% of
 *       cross-border online payments are charged in USD.
 *   <li><b>Channels.</b> {@code online}, {@code pos} and {@code atm}, from each category's mix:
 *       about 42% online, 47% point of sale and 11% ATM.
 *   <li><b>Time.</b> Events spread over {@link PaymentsDataset#days()} days with a daily curve (quiet
 *       UTC nights, peaks at lunch and in the evening), busier Fridays and Saturdays, a little
 *       day-to-day noise and a slow upward trend. Timestamps have microsecond precision.
 *   <li><b>Fraud.</b> About 1% of transactions. More likely at risky merchants, for high-risk
 *       users, cross-border, online and at night; fraudulent amounts run about 2.5 times higher.
 *       A third of frauds start a burst: the next 1 to 4 transactions of the whole stream are on
 *       the same card (seconds apart at a million rows), which velocity features can catch.
 *   <li><b>Late rows.</b> About 1% of transactions are created hours to days (1 h to 3 d) after
 *       their event; the rest about 2 seconds after.
 *   <li><b>Corrections.</b> About 0.5% of rows repeat the previous transaction (same {@code
 *       txn_id}, user, merchant and {@code event_ts}) with a corrected amount and a {@code
 *       created_ts} a minute to two days later. A point-in-time lookup, which takes the greatest
 *       {@code (event_ts, created_ts)}, must return the correction.
 *   <li><b>Ties.</b> About 0.4% of rows are a second transaction of the previous row's user at
 *       exactly the same {@code event_ts} (a split payment), with a strictly later {@code
 *       created_ts}, so {@code (event_ts, created_ts)} still orders each user's rows totally.
 *   <li><b>Profiles.</b> Each user has a profile row updated in the 30 days before the start and 1
 *       to 4 updates during the span (credit limit changes, sometimes a risk segment change); each
 *       merchant has a rating from before the start and a third are re-rated once during it.
 * </ul>
 *
 * <p>Transactions come out sorted by {@code event_ts} (corrections and ties right after the row
 * they follow); profiles by id, then {@code updated_at}. Timestamps are UTC; in Parquet they are
 * written as {@code TIMESTAMP} without a zone, which Quiver reads as UTC.
 *
 * <p>Instances are immutable and thread-safe. Each stream is independent, lazy and sequential;
 * memory stays bounded whatever the row count (about 20 bytes per user and per merchant, plus one
 * hour of timestamps).
 */
public final class PaymentsGenerator {

  /** The transactions file written by {@link #writeParquet}. */
  public static final String TRANSACTIONS_FILE = "transactions.parquet";
  /** The user profiles file written by {@link #writeParquet}. */
  public static final String USER_PROFILES_FILE = "user_profiles.parquet";
  /** The merchant profiles file written by {@link #writeParquet}. */
  public static final String MERCHANT_PROFILES_FILE = "merchant_profiles.parquet";
  /** How many transaction rows pass between two progress reports. */
  public static final long PROGRESS_INTERVAL = 100_000;

  private final PaymentsDataset dataset;
  private final Population population;

  /**
   * Prepares a generator; computes the users' and merchants' attributes up front (a few
   * milliseconds per 100,000 entities).
   *
   * @throws NullPointerException if {@code dataset} is null
   */
  public PaymentsGenerator(PaymentsDataset dataset) {
    this.dataset = Objects.requireNonNull(dataset, "dataset");
    this.population = new Population(dataset);
  }

  /** What this generator generates. */
  public PaymentsDataset dataset() {
    return dataset;
  }

  /**
   * The transactions, sorted by event time: exactly {@link PaymentsDataset#transactions()} rows,
   * corrections included. Lazy: rows are generated as the stream is consumed.
   */
  public Stream<Transaction> transactions() {
    TransactionCursor cursor = new TransactionCursor(dataset, population);
    Iterator<Transaction> rows =
        new Iterator<>() {
          private boolean ready;
          private boolean more;

          @Override
          public boolean hasNext() {
            if (!ready) {
              more = cursor.advance();
              ready = true;
            }
            return more;
          }

          @Override
          public Transaction next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            ready = false;
            return cursor.toTransaction();
          }
        };
    int characteristics =
        Spliterator.ORDERED | Spliterator.SIZED | Spliterator.NONNULL | Spliterator.IMMUTABLE;
    return StreamSupport.stream(
        Spliterators.spliterator(rows, dataset.transactions(), characteristics), false);
  }

  /** Every user's profile rows, by user id then {@code updated_at}. Lazy. */
  public Stream<UserProfile> userProfiles() {
    return LongStream.rangeClosed(1, dataset.users())
        .boxed()
        .mapMulti((Long id, Consumer<UserProfile> out) -> population.userProfiles(id, out));
  }

  /** Every merchant's profile rows, by merchant id then {@code updated_at}. Lazy. */
  public Stream<MerchantProfile> merchantProfiles() {
    return LongStream.rangeClosed(1, dataset.merchants())
        .boxed()
        .mapMulti(
            (Long id, Consumer<MerchantProfile> out) -> population.merchantProfiles(id, out));
  }

  /**
   * Writes {@value #TRANSACTIONS_FILE}, {@value #USER_PROFILES_FILE} and {@value
   * #MERCHANT_PROFILES_FILE} into {@code dataDir}; same as {@link #writeParquet(Path, LongConsumer)}
   * without progress reports.
   */
  public RowCounts writeParquet(Path dataDir) {
    return writeParquet(dataDir, rows -> {});
  }

  /**
   * Writes {@value #TRANSACTIONS_FILE}, {@value #USER_PROFILES_FILE} and {@value
   * #MERCHANT_PROFILES_FILE} into {@code dataDir} (created if missing; existing files of those
   * names are replaced), with the same rows as the streams. Files appear complete or not at all:
   * each is written under a temporary name and moved into place.
   *
   * <p>Blocks until all three files are written; if the thread is interrupted while transactions
   * are generated, stops at the next progress report with a {@code QuiverException}, leaving the
   * files as they were. Uses a private in-memory DuckDB database, which
   * spills to a directory under {@code java.io.tmpdir} if it outgrows memory. It holds at most 5
   * million transactions at a time (about 0.5 GB of native memory): larger datasets are written in
   * hidden part files beside the target, then copied into it in order, so memory stays bounded at
   * any row count.
   *
   * @param transactionsWritten called on this thread with the number of transaction rows generated
   *     so far, every {@value #PROGRESS_INTERVAL} rows and once with the total; writing the
   *     transactions file and the profiles follows the last call
   * @return the rows written to each file
   * @throws dev.quiver.core.QuiverException naming the directory when a file cannot be written
   * @throws NullPointerException if an argument is null
   */
  public RowCounts writeParquet(Path dataDir, LongConsumer transactionsWritten) {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(transactionsWritten, "transactionsWritten");
    return ParquetOutput.write(dataset, population, dataDir, transactionsWritten);
  }
}
