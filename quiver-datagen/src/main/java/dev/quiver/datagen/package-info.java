/**
 * Seeded, deterministic payments-domain data for {@code quiver init}, the demo, tests and
 * benchmarks: card transactions with users and merchants, and their profiles.
 *
 * <p>Start with {@link dev.quiver.datagen.PaymentsDataset#of(long, long)} (a seed and a number of
 * transactions) and hand it to {@link dev.quiver.datagen.PaymentsGenerator}, which streams the
 * rows as records ({@link dev.quiver.datagen.Transaction}, {@link dev.quiver.datagen.UserProfile},
 * {@link dev.quiver.datagen.MerchantProfile}) or writes them to Parquet:
 *
 * <pre>{@code
 * PaymentsGenerator generator = new PaymentsGenerator(PaymentsDataset.of(42, 1_000_000));
 * RowCounts counts = generator.writeParquet(repo.resolve("data"), rows -> progress.update(rows));
 * }</pre>
 *
 * <p>{@link dev.quiver.datagen.PaymentsGenerator} documents what the data looks like: its skew,
 * seasonality, late rows, corrections and ties, each there to exercise a piece of point-in-time
 * semantics.
 */
package dev.quiver.datagen;
