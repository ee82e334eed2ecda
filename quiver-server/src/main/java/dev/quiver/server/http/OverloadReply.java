package dev.quiver.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The 503 of a request refused on arrival for the queue budget, encoded once per front end: the JSON
 * error body ({@link ErrorBody}: Feast's shape on Feast's routes, Quiver's elsewhere) with a constant
 * message, {@code Retry-After: 1}. Each answer is a retained duplicate of the constant body and a copy
 * of the constant headers, so a refusal costs no JSON encoding, no formatting and no body copy.
 * Thread-safe; the bodies live as long as the front end.
 */
final class OverloadReply {
  private final ByteBuf feastBody;
  private final ByteBuf quiverBody;
  private final HttpHeaders feastHeaders;
  private final HttpHeaders quiverHeaders;

  /** @param why the refusal's reason, e.g. the admission's {@code overBudget()} text */
  OverloadReply(HttpApi api, String why) {
    String message = "the server is overloaded: " + why + "; the request was not run; retry later";
    HttpReply feast = api.error("/get-online-features", 503, "overloaded", message, null, null);
    HttpReply quiver = api.error(null, 503, "overloaded", message, null, null);
    feastBody = constant(feast.body());
    quiverBody = constant(quiver.body());
    feastHeaders = headers(feast);
    quiverHeaders = headers(quiver);
  }

  /** A new response refusing a request to {@code path}; the connection closes after it unless {@code keepAlive}. */
  FullHttpResponse response(String path, boolean keepAlive, boolean head) {
    boolean feast = ErrorBody.FEAST_ROUTES.contains(path);
    ByteBuf content = head ? Unpooled.EMPTY_BUFFER : (feast ? feastBody : quiverBody).retainedDuplicate();
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SERVICE_UNAVAILABLE, content);
    r.headers().set(feast ? feastHeaders : quiverHeaders);
    if (!keepAlive) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    return r;
  }

  private static ByteBuf constant(byte[] body) {
    return Unpooled.unreleasableBuffer(Unpooled.directBuffer(body.length).writeBytes(body).asReadOnly());
  }

  private static HttpHeaders headers(HttpReply reply) {
    return new DefaultHttpHeaders()
        .set(HttpHeaderNames.CONTENT_TYPE, reply.contentType())
        .setInt(HttpHeaderNames.CONTENT_LENGTH, reply.body().length)
        .set(HttpHeaderNames.RETRY_AFTER, "1");
  }
}
