package dev.quiver.datagen;

import java.time.Instant;

/**
 * One row of {@code merchant_profiles.parquet}: a merchant as of {@code updatedAt}. Each merchant
 * has one row from before the dataset's start; about a third are re-rated once during it.
 *
 * @param merchantId int64, 1..merchants
 * @param category e.g. {@code grocery}, {@code travel}, {@code digital_goods}, {@code cash_withdrawal}
 * @param country ISO 3166 alpha-2 code
 * @param riskScore float64 in (0, 1); higher means more fraud
 * @param updatedAt the event time of this version of the profile
 */
public record MerchantProfile(
    long merchantId, String category, String country, double riskScore, Instant updatedAt) {}
