package dev.quiver.server.http;

import java.nio.charset.StandardCharsets;

/**
 * An HTTP response body with its status and content type.
 *
 * @param allow for 405 replies, the methods the path accepts; otherwise null
 * @param challenge for 401 replies, the {@code WWW-Authenticate} value; otherwise null
 */
record HttpReply(int status, String contentType, byte[] body, String allow, String challenge) {
  static final String JSON = "application/json";

  HttpReply(int status, String contentType, byte[] body, String allow) {
    this(status, contentType, body, allow, null);
  }

  static HttpReply json(int status, byte[] body) {
    return new HttpReply(status, JSON, body, null);
  }

  static HttpReply text(int status, String contentType, String body) {
    return new HttpReply(status, contentType, body.getBytes(StandardCharsets.UTF_8), null);
  }
}
