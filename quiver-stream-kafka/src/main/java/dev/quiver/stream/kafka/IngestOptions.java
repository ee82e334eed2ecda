package dev.quiver.stream.kafka;

import dev.quiver.core.InvalidRequestException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How {@link StreamIngestion} consumes.
 *
 * @param from where each partition starts the first time this process is assigned it
 * @param groupId the consumer group for every source, or null for each source's own ({@code
 *     group_id}, else {@code quiver.<project>.<source>})
 * @param pollTimeout the longest a poll waits for records; not null
 * @param writers how many threads of each source's consumer write a polled batch's partitions at once
 *     (each partition's events stay in order on one thread); at least 1
 */
public record IngestOptions(StartFrom from, String groupId, Duration pollTimeout, int writers) {
  /** Where a partition starts. */
  public enum StartFrom {
    /** The first offset the topic still has: a replay, whose effect is the state a clean pass leaves. */
    EARLIEST,
    /** The end: only events produced from now on. */
    LATEST,
    /** The group's committed offset, or the earliest offset for a group that has none. */
    COMMITTED;

    /** Parses {@code earliest}, {@code latest}, {@code committed}. */
    public static StartFrom parse(String text) {
      try {
        return valueOf(text.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new InvalidRequestException("--from must be earliest, latest or committed, not '" + text + "'");
      }
    }
  }

  public IngestOptions {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(pollTimeout, "pollTimeout");
    if (writers < 1) {
      throw new InvalidRequestException("--writers must be at least 1, not " + writers);
    }
  }

  /**
   * From the committed offsets, each source's own group, polls of at most 200 ms, as many writing
   * threads per source as the machine has cores.
   */
  public static final IngestOptions DEFAULT = new IngestOptions(StartFrom.COMMITTED, null, Duration.ofMillis(200),
      Runtime.getRuntime().availableProcessors());

  public IngestOptions from(StartFrom start) {
    return new IngestOptions(start, groupId, pollTimeout, writers);
  }

  public IngestOptions groupId(String group) {
    return new IngestOptions(from, group, pollTimeout, writers);
  }

  public IngestOptions writers(int threads) {
    return new IngestOptions(from, groupId, pollTimeout, threads);
  }
}
