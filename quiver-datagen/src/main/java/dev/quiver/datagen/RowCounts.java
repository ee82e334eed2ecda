package dev.quiver.datagen;

/**
 * How many rows {@link PaymentsGenerator#writeParquet} wrote to each file.
 *
 * @param transactions rows in {@code transactions.parquet}, corrections included
 * @param userProfiles rows in {@code user_profiles.parquet}
 * @param merchantProfiles rows in {@code merchant_profiles.parquet}
 */
public record RowCounts(long transactions, long userProfiles, long merchantProfiles) {}
