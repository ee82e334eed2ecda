package dev.quiver.server.http;

import dev.quiver.core.QuiverException;
import dev.quiver.core.security.AuthenticationException;
import dev.quiver.server.Caller;
import dev.quiver.server.ServerMetrics;
import dev.quiver.server.auth.Authenticator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One connection's requests: each runs on the worker pool (store calls block), and the responses go
 * back in request order — a pipelined request waits until the one before it was answered. Cheap
 * routes ({@code /health}) are answered on the event loop. With authentication on, every request but
 * the probes ({@link HttpApi#open}) is authenticated first, on the worker (a token lookup may read the
 * registry): without valid credentials it gets a 401 and never reaches a route. Every field is
 * touched on the connection's event loop only.
 */
final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger LOG = Logger.getLogger(RequestHandler.class.getName());
  private final HttpApi api;
  private final Authenticator auth;
  private final Executor workers;
  private final ServerMetrics metrics;
  private final AtomicInteger inFlight;
  private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();
  private boolean busy;

  RequestHandler(HttpApi api, Authenticator auth, Executor workers, ServerMetrics metrics, AtomicInteger inFlight) {
    super(false);
    this.api = api;
    this.auth = auth;
    this.workers = workers;
    this.metrics = metrics;
    this.inFlight = inFlight;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (busy) {
      waiting.add(request);
      return;
    }
    start(ctx, request);
  }

  private void start(ChannelHandlerContext ctx, FullHttpRequest request) {
    long started = System.nanoTime();
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    if (!request.decoderResult().isSuccess()) {
      request.release();
      String why = request.decoderResult().cause() == null ? "malformed request" : request.decoderResult().cause().getMessage();
      respond(ctx, api.error(null, 400, "bad_request", "malformed HTTP request: " + why, null, null), false, false, "other",
          started);
      return;
    }
    String path;
    Map<String, List<String>> params;
    try {
      QueryStringDecoder uri = new QueryStringDecoder(request.uri());
      path = uri.path();
      params = uri.parameters();
    } catch (IllegalArgumentException badEscape) { // %zz, a lone %, bytes that are not UTF-8
      request.release();
      respond(ctx, api.error(null, 400, "bad_request", "malformed URL: " + badEscape.getMessage(), null, null), keepAlive,
          false, "other", started);
      next(ctx);
      return;
    }
    String encoding = request.headers().get(HttpHeaderNames.CONTENT_ENCODING);
    if (encoding != null && !encoding.isBlank() && !encoding.strip().equalsIgnoreCase("identity")) {
      request.release();
      respond(ctx, api.error(path, 415, "unsupported_media_type", "request bodies are read as sent; Content-Encoding '"
          + encoding + "' is not supported: send the JSON uncompressed", null, null), keepAlive, false, HttpApi.endpoint(path),
          started);
      next(ctx);
      return;
    }
    HttpMethod method = request.method();
    String address = String.valueOf(ctx.channel().remoteAddress());
    String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
    boolean needsPrincipal = auth.enabled() && !HttpApi.open(path);
    boolean head = method.equals(HttpMethod.HEAD);
    String endpoint = HttpApi.endpoint(path);
    if (api.inline(path) && !needsPrincipal) {
      try {
        respond(ctx, api.handle(method, path, params, request.content(), Caller.anonymous(address)), keepAlive, head, endpoint,
            started);
      } finally {
        request.release();
      }
      next(ctx); // pipelined requests queued behind a worker's answer go on
      return;
    }
    busy = true;
    inFlight.incrementAndGet();
    try {
      workers.execute(() -> {
        HttpReply reply;
        try {
          reply = answer(method, path, params, request.content(), needsPrincipal, authorization, address);
        } finally {
          request.release();
        }
        ctx.executor().execute(() -> {
          inFlight.decrementAndGet();
          respond(ctx, reply, keepAlive, head, endpoint, started);
          next(ctx);
        });
      });
    } catch (RejectedExecutionException e) {
      request.release();
      inFlight.decrementAndGet();
      respond(ctx, api.error(path, 503, "overloaded", "the server is at capacity or shutting down; retry later", null, null),
          false, head, endpoint, started);
      busy = false;
    }
  }

  /** Authenticates (when the path needs a principal), then answers; never throws. */
  private HttpReply answer(HttpMethod method, String path, Map<String, List<String>> params, ByteBuf body,
      boolean needsPrincipal, String authorization, String address) {
    if (!needsPrincipal) {
      return api.handle(method, path, params, body, Caller.anonymous(address));
    }
    Caller caller;
    try {
      caller = new Caller(auth.authenticate(authorization), address);
    } catch (AuthenticationException e) {
      return api.unauthenticated(path, e.getMessage(), authorization != null);
    } catch (QuiverException e) { // the token store cannot be read: not the caller's fault
      LOG.log(Level.WARNING, "cannot authenticate a request to " + path + ": " + e.getMessage());
      return api.error(path, 503, "unavailable", e.getMessage(), null, null);
    } catch (RuntimeException | Error e) {
      LOG.log(Level.SEVERE, "internal error authenticating a request to " + path, e);
      return api.error(path, 500, "internal", "internal error; the server log has the details", null, null);
    }
    return api.handle(method, path, params, body, caller);
  }

  private void next(ChannelHandlerContext ctx) {
    busy = false;
    FullHttpRequest queued = waiting.poll();
    if (queued != null) {
      start(ctx, queued);
    }
  }

  private void respond(ChannelHandlerContext ctx, HttpReply reply, boolean keepAlive, boolean head, String endpoint,
      long started) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(reply.status()),
        head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(reply.body()));
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, reply.contentType())
        .setInt(HttpHeaderNames.CONTENT_LENGTH, reply.body().length);
    if (reply.allow() != null) {
      response.headers().set(HttpHeaderNames.ALLOW, reply.allow());
    }
    if (reply.challenge() != null) {
      response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, reply.challenge());
    }
    if (!keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    var future = ctx.writeAndFlush(response);
    if (!keepAlive) {
      future.addListener(ChannelFutureListener.CLOSE);
    }
    metrics.request("http", endpoint, outcome(reply.status()), System.nanoTime() - started);
  }

  static String outcome(int status) {
    return status < 400 ? "ok" : status < 500 ? "client_error" : "server_error";
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    FullHttpRequest r;
    while ((r = waiting.poll()) != null) {
      r.release();
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
