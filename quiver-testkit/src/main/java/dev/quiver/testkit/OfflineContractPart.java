package dev.quiver.testkit;

import static dev.quiver.testkit.TrainingSetRows.EVENT_COLUMNS;
import static dev.quiver.testkit.TrainingSetRows.QUERY_COLUMNS;
import static dev.quiver.testkit.TrainingSetRows.at;

import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ViewBuilder;
import dev.quiver.testkit.TrainingSetFixture.Result;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * What every part of the {@link OfflineEngineContract} builds its cases from: the test's {@link
 * EngineUnderTest}, {@link TrainingSetFixture}s over its repository, the hand-written {@code
 * user_stats} case, and the seeds of the randomized cases. An engine's test does not implement the
 * parts one by one: it extends {@link OfflineEngineContract}, which implements {@link #underTest()}
 * and every part.
 */
public interface OfflineContractPart {
  /** This test's engine, repository and query-row labels; made before each test. */
  EngineUnderTest underTest();

  /** The seeds of the randomized cases: 1 to 8, or as the system properties say. */
  static Stream<Long> seeds() {
    String one = System.getProperty("quiver.contract.seed");
    if (one != null && !one.isBlank()) {
      return Stream.of(Long.parseLong(one.strip()));
    }
    long count = Long.getLong("quiver.contract.seeds", 8);
    return LongStream.rangeClosed(1, count).boxed();
  }

  /** The test's scratch repository. */
  default Path repo() {
    return underTest().repo();
  }

  /** A new case; {@code seed} is the randomized case's seed, or 0 for a hand-written one. */
  default TrainingSetFixture fixture(String name, long seed) {
    return new TrainingSetFixture(underTest(), name, seed);
  }

  /** A query row; labels count up from 0 in creation order. */
  default Object[] query(Integer user, long seconds) {
    return queryAt(user, at(seconds));
  }

  default Object[] queryAt(Integer user, Instant t) {
    return new Object[] {user == null ? null : (long) user, t, underTest().nextLabel()};
  }

  /** user_stats (amount, country) over events, with an optional TTL, not yet run. */
  default TrainingSetFixture simpleFixture(String name, Duration ttl, List<Object[]> events, List<Object[]> queries) {
    TrainingSetFixture f = fixture(name, 0);
    f.defs.entity("user", "user_id", ScalarType.INT64).view(ViewBuilder.named("user_stats")
        .entities("user").source("events").ttl(ttl).column("amount").column("country"));
    f.parquetFiles("events", "data/events.parquet", EVENT_COLUMNS, Map.of("", events), "event_ts", "created_ts", Map.of());
    f.query(QUERY_COLUMNS, queries);
    return f;
  }

  /** user_stats (amount, country) over events, with an optional TTL. */
  default Result userStats(Duration ttl, List<Object[]> events, List<Object[]> queries) {
    return simpleFixture(underTest().testName(), ttl, events, queries)
        .run("user_stats:amount", "user_stats:country");
  }
}
