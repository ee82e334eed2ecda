package dev.quiver.datagen;

import java.time.Instant;

/**
 * One row of {@code user_profiles.parquet}: a user's profile as of {@code updatedAt}. Each user has
 * one row from before the dataset's start and a few updates during it.
 *
 * @param userId int64, 1..users
 * @param signupTs when the user signed up: between three years and 30 days before the start
 * @param homeCountry ISO 3166 alpha-2 code; never changes
 * @param riskSegment {@code low}, {@code medium} or {@code high}
 * @param creditLimit float64, in USD, a multiple of 100
 * @param updatedAt the event time of this version of the profile
 */
public record UserProfile(
    long userId,
    Instant signupTs,
    String homeCountry,
    String riskSegment,
    double creditLimit,
    Instant updatedAt) {}
