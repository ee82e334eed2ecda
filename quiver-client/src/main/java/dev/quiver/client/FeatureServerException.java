package dev.quiver.client;

/**
 * A call the feature server refused or could not answer, or that did not reach it.
 *
 * <p>{@link #code()} is the HTTP status ({@code "400"}, {@code "404"}, {@code "503"}) or the gRPC
 * status name ({@code "INVALID_ARGUMENT"}, {@code "NOT_FOUND"}, {@code "UNAVAILABLE"}); {@code
 * "UNREACHABLE"} when no answer came (connection refused, timeout). {@link #clientError()} tells the
 * caller's mistakes (fix the request) from the server's (retry later).
 */
public final class FeatureServerException extends RuntimeException {
  private final String code;
  private final boolean clientError;

  public FeatureServerException(String code, boolean clientError, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.clientError = clientError;
  }

  public String code() {
    return code;
  }

  /** True when the request itself was wrong (HTTP 4xx; gRPC INVALID_ARGUMENT, NOT_FOUND, OUT_OF_RANGE). */
  public boolean clientError() {
    return clientError;
  }
}
