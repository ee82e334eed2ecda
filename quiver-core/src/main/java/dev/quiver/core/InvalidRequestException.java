package dev.quiver.core;

/**
 * A request that cannot be answered as given: a malformed feature ref, a missing or mistyped entity
 * column, columns of different lengths, too many rows. The caller's fault, never the store's; servers
 * answer it with a 4xx (HTTP 400, gRPC {@code INVALID_ARGUMENT}) and the message.
 */
public class InvalidRequestException extends QuiverException {
  public InvalidRequestException(String message) {
    super(message);
  }

  public InvalidRequestException(String message, Throwable cause) {
    super(message, cause);
  }
}
