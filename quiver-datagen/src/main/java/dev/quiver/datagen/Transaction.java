package dev.quiver.datagen;

import java.time.Instant;

/**
 * One row of {@code transactions.parquet}: a card payment. Field names map to the snake_case
 * columns ({@code txnId} is {@code txn_id}, {@code isFraud} is {@code is_fraud}, ...).
 *
 * @param txnId int64; shared by a transaction and its corrections
 * @param userId int64, 1..users
 * @param merchantId int64, 1..merchants
 * @param amount float64, in {@code currency}, rounded to its minor unit
 * @param currency string: USD, EUR, GBP, CAD, BRL, INR or JPY
 * @param country string: where the payment happened, an ISO 3166 alpha-2 code
 * @param channel string: {@code online}, {@code pos} or {@code atm}
 * @param isFraud bool: the label
 * @param eventTs when the payment happened (UTC, microseconds)
 * @param createdTs when the row was written (UTC, microseconds); after {@code eventTs}
 */
public record Transaction(
    long txnId,
    long userId,
    long merchantId,
    double amount,
    String currency,
    String country,
    String channel,
    boolean isFraud,
    Instant eventTs,
    Instant createdTs) {}
