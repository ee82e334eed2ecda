package dev.quiver.stream.kafka;

/**
 * One stream source's consumer, as health checks and progress lines show it.
 *
 * @param events events written online since the start
 * @param refused records skipped since the start (undecodable, missing keys or event time, refused by the write path)
 * @param lag records produced but not yet consumed, summed over the assigned partitions
 * @param caughtUp whether, after the last poll, every assigned partition was consumed to its end
 * @param error the last failure (a store error being retried, or what stopped the consumer), or null
 */
public record SourceStatus(String source, String group, State state, long events, long refused, long lag, boolean caughtUp,
    String error) {
  /** A consumer's state. */
  public enum State {
    STARTING,
    RUNNING,
    /** A write failed; the batch is being retried. */
    RETRYING,
    STOPPED,
    /** The consumer ended on an error it cannot retry. */
    FAILED
  }
}
