package dev.quiver.server.http;

import dev.quiver.server.Caller;
import dev.quiver.server.FeatureServing;
import dev.quiver.server.ServerOperations;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Test access to the HTTP routes with a chosen caller (authentication is another test's concern). */
public final class HttpApiAccess {
  /** A reply's status and body text. */
  public record Reply(int status, String body) {}

  private final HttpApi api;

  public HttpApiAccess(FeatureServing serving, ServerOperations ops) {
    this.api = new HttpApi(serving, ops);
  }

  /** Every path the server answers ({@code HttpApi.ROUTES}). */
  public static List<String> routes() {
    return HttpApi.ROUTES;
  }

  public Reply call(String method, String path, String body, Caller caller) {
    HttpReply r = api.handle(HttpMethod.valueOf(method), path, Map.<String, List<String>>of(),
        body == null ? null : Unpooled.copiedBuffer(body, StandardCharsets.UTF_8), caller);
    return new Reply(r.status(), new String(r.body(), StandardCharsets.UTF_8));
  }
}
