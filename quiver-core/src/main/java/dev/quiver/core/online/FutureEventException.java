package dev.quiver.core.online;

import dev.quiver.core.InvalidRequestException;

/**
 * An event time (or a materialization END) later than now plus the configured skew ({@link
 * TimeBounds}): the caller's mistake, refused before anything is written (HTTP 400, gRPC {@code
 * INVALID_ARGUMENT}, a one-line CLI error). Servers count {@link #rows()}.
 */
public final class FutureEventException extends InvalidRequestException {
  private final int rows;

  FutureEventException(int rows, String message) {
    super(message);
    this.rows = rows;
  }

  /** How many rows of the request had a future event time; 0 for a materialization END. */
  public int rows() {
    return rows;
  }
}
