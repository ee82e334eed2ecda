package dev.quiver.stream.kafka;

import java.time.Instant;
import java.util.List;

/**
 * One stream source's consumer, as health checks, progress lines and {@code GET /ingest/status} show it.
 *
 * @param events events written online since the consumer started
 * @param refused records skipped since the start (undecodable, missing keys or event time, refused by the write path)
 * @param late events the window-aggregate tiles dropped as older than any window can still read
 * @param lag records produced but not yet consumed, summed over the assigned partitions
 * @param caughtUp whether, after the last poll, every assigned partition was consumed to its end
 * @param error the last failure (a store error being retried, brokers or topic not reached yet, or what
 *     stopped the consumer), or null
 * @param since when the consumer entered its state
 * @param partitions the partitions assigned to this consumer, by number
 */
public record SourceStatus(String source, String group, State state, long events, long refused, long late, long lag,
    boolean caughtUp, String error, Instant since, List<Partition> partitions) {
  /** A consumer's state. */
  public enum State {
    /** Reaching the brokers and the topic (waits, retrying, while they do not answer or the topic is missing). */
    STARTING,
    RUNNING,
    /** A write failed; the batch is being retried. */
    RETRYING,
    STOPPED,
    /** The consumer ended on an error it cannot retry. */
    FAILED
  }

  /**
   * One assigned partition.
   *
   * @param committed the next offset to consume, as last committed by this consumer (-1: none yet)
   * @param lag records after the consumer's position, as of the last poll (-1: not known yet)
   */
  public record Partition(int partition, long committed, long lag) {}

  public SourceStatus {
    partitions = List.copyOf(partitions);
  }
}
