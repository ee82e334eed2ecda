package dev.quiver.core;

/**
 * A request that cannot be answered as given: a malformed feature ref, a missing or mistyped entity
 * column, columns of different lengths, too many rows. The caller's fault, never the store's; servers
 * answer it with a 4xx (HTTP 400, gRPC {@code INVALID_ARGUMENT}) and the message. {@link #reason()}
 * singles out the mistakes protocols name with a type of their own (Feast's typed errors, for one).
 */
public class InvalidRequestException extends QuiverException {
  /** Which mistake, where a protocol has a name for it. */
  public enum Reason {
    /** Two requested features would be answered under one name. */
    DUPLICATE_NAMES,
    /** A request field an on-demand feature reads is not in the request. */
    MISSING_REQUEST_DATA,
    /** Any other mistake. */
    OTHER
  }

  private final Reason reason;

  public InvalidRequestException(String message) {
    this(Reason.OTHER, message);
  }

  public InvalidRequestException(Reason reason, String message) {
    super(message);
    this.reason = reason == null ? Reason.OTHER : reason;
  }

  public InvalidRequestException(String message, Throwable cause) {
    super(message, cause);
    this.reason = Reason.OTHER;
  }

  /** Which mistake; never null. */
  public Reason reason() {
    return reason;
  }
}
