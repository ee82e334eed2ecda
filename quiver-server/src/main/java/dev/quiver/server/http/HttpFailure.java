package dev.quiver.server.http;

/**
 * A request the HTTP layer refuses before any feature logic runs (unknown path, wrong method,
 * unreadable body); carries the status and the error code of the JSON error body.
 */
final class HttpFailure extends RuntimeException {
  final int status;
  final String code;
  final String allow;

  HttpFailure(int status, String code, String message) {
    this(status, code, message, null);
  }

  HttpFailure(int status, String code, String message, String allow) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.allow = allow;
  }
}
