package dev.quiver.server.http;

import dev.quiver.core.QuiverException;
import dev.quiver.core.security.AuthenticationException;
import dev.quiver.core.security.Principal;
import dev.quiver.server.Caller;
import dev.quiver.server.CertificatePrincipal;
import dev.quiver.server.ServerMetrics;
import dev.quiver.server.admission.LatencyLimit;
import dev.quiver.server.admission.QueueAdmission;
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
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 *
 * <p>Load shedding: a request whose wait for a worker would, by the {@link QueueAdmission} estimate,
 * exceed its budget, or that finds as many requests in flight as the adaptive {@link LatencyLimit}
 * allows (each holds a place from its arrival to its answer being written), is answered 503 (with {@code Retry-After}) on arrival, without queueing, and the
 * connection stays open; one still in the worker queue at its queue timeout is answered 503 right
 * then, without running, and taken out of the queue (when the workers are a {@link ThreadPoolExecutor})
 * with its body freed; one that finds the queue full is refused at once, so a burst leaves no backlog
 * behind it. An idle connection (no request in
 * progress) is closed when the idle timeout fires; a slow request gets a 408 ({@link RequestDeadline}).
 * With mutual TLS, the caller is the verified client certificate's {@link CertificatePrincipal}; a
 * request without an {@code Authorization} header then acts for it even when authentication is on.
 */
final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger LOG = Logger.getLogger(RequestHandler.class.getName());
  private final HttpApi api;
  private final Authenticator auth;
  private final Executor workers;
  private final QueueAdmission admission;
  private final Refusals refusals;
  private final ServerMetrics metrics;
  private final AtomicInteger inFlight;
  private final long queueTimeoutNanos;
  private final RequestDeadline deadline;
  private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();
  private boolean busy;
  private Principal certificate;
  private boolean certificateRead;
  private LatencyLimit.Permit arrived; // the latency limit's place ArrivalGate took for the request being read

  /**
   * @param auth who requests are from ({@link Authenticator#NONE}: anonymous, or the client certificate's principal)
   * @param admission whether a request may join the worker queue, shared by the front end's connections
   * @param refusals the answers of a request refused on arrival, and the latency limit
   * @param queueTimeoutNanos a request that waited longer than this for a worker is shed
   * @param deadline the connection's slow-request deadline, told when each request is whole
   */
  RequestHandler(HttpApi api, Authenticator auth, Executor workers, QueueAdmission admission, Refusals refusals,
      ServerMetrics metrics, AtomicInteger inFlight, long queueTimeoutNanos, RequestDeadline deadline) {
    super(false);
    this.admission = admission;
    this.refusals = refusals;
    this.api = api;
    this.auth = auth;
    this.workers = workers;
    this.metrics = metrics;
    this.inFlight = inFlight;
    this.queueTimeoutNanos = queueTimeoutNanos;
    this.deadline = deadline;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    deadline.complete();
    if (busy) {
      waiting.add(request);
      return;
    }
    start(ctx, request);
  }

  private void start(ChannelHandlerContext ctx, FullHttpRequest request) {
    long started = System.nanoTime();
    LatencyLimit.Permit held = arrived;
    arrived = null;
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    if (!request.decoderResult().isSuccess()) {
      ignore(held);
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
      ignore(held);
      request.release();
      respond(ctx, api.error(null, 400, "bad_request", "malformed URL: " + badEscape.getMessage(), null, null), keepAlive,
          false, "other", started);
      next(ctx);
      return;
    }
    String encoding = request.headers().get(HttpHeaderNames.CONTENT_ENCODING);
    if (encoding != null && !encoding.isBlank() && !encoding.strip().equalsIgnoreCase("identity")) {
      ignore(held);
      request.release();
      respond(ctx, api.error(path, 415, "unsupported_media_type", "request bodies are read as sent; Content-Encoding '"
          + encoding + "' is not supported: send the JSON uncompressed", null, null), keepAlive, false, HttpApi.endpoint(path),
          started);
      next(ctx);
      return;
    }
    HttpMethod method = request.method();
    Caller caller = caller(ctx);
    String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
    boolean needsPrincipal = auth.enabled() && !HttpApi.open(path)
        && (authorization != null || caller.principal().equals(Principal.ANONYMOUS));
    boolean head = method.equals(HttpMethod.HEAD);
    String endpoint = HttpApi.endpoint(path);
    if (api.inline(path) && !needsPrincipal) {
      ignore(held);
      if (!HttpApi.open(path) && !caller.principal().equals(Principal.ANONYMOUS)) {
        auth.connected(caller.principal(), caller.address()); // a client certificate's use (a map lookup)
      }
      try {
        respond(ctx, api.handle(method, path, params, request.content(), caller), keepAlive, head, endpoint, started);
      } finally {
        request.release();
      }
      next(ctx); // pipelined requests queued behind a worker's answer go on
      return;
    }
    boolean exempt = HttpApi.exempt(path);
    LatencyLimit.Permit permit = held != null ? held : exempt ? LatencyLimit.OFF.acquire() : refusals.latency().acquire();
    if (permit == null) { // as many requests in flight as the latency limit allows
      refuseOnArrival(ctx, request, path, keepAlive, head, endpoint, started, refusals.overLimit(), ServerMetrics.LATENCY_LIMIT);
      return;
    }
    QueueAdmission.Verdict verdict = exempt ? admission.admitExempt() : admission.admit();
    if (verdict == QueueAdmission.Verdict.OVER_BUDGET) { // refused now, not after waiting: the client hears at once
      permit.ignored();
      refuseOnArrival(ctx, request, path, keepAlive, head, endpoint, started, refusals.overBudget(), ServerMetrics.QUEUE_WAIT);
      return;
    }
    if (verdict == QueueAdmission.Verdict.FULL) {
      permit.ignored();
      request.release();
      metrics.shed("http", ServerMetrics.QUEUE_FULL);
      respond(ctx, api.error(path, 503, "overloaded", "the server is overloaded: " + admission.refusal()
          + "; the request was not run; retry later", null, null), false, head, endpoint, started);
      return;
    }
    busy = true;
    inFlight.incrementAndGet();
    Queued queued = new Queued(ctx, request, method, path, params, needsPrincipal, authorization, caller, keepAlive, head,
        endpoint, started, permit);
    queued.deadline = ctx.executor().schedule(queued::expire, queueTimeoutNanos, TimeUnit.NANOSECONDS);
    try {
      workers.execute(queued);
    } catch (RejectedExecutionException e) {
      queued.deadline.cancel(false);
      queued.set(true);
      admission.abandoned();
      permit.ignored();
      request.release();
      inFlight.decrementAndGet();
      metrics.shed("http", ServerMetrics.QUEUE_FULL);
      respond(ctx, api.error(path, 503, "overloaded", "the server is at capacity or shutting down; retry later", null, null),
          false, head, endpoint, started);
      busy = false;
    }
  }

  /** Answers the constant 503 of a request refused on arrival (for the queue budget or the latency limit). */
  private void refuseOnArrival(ChannelHandlerContext ctx, FullHttpRequest request, String path, boolean keepAlive, boolean head,
      String endpoint, long started, OverloadReply reply, String reason) {
    request.release();
    metrics.shed("http", reason);
    var future = ctx.writeAndFlush(reply.response(path, keepAlive, head));
    if (!keepAlive) {
      future.addListener(ChannelFutureListener.CLOSE);
    }
    metrics.request("http", endpoint, "server_error", System.nanoTime() - started);
    next(ctx);
  }

  private static void ignore(LatencyLimit.Permit permit) {
    if (permit != null) {
      permit.ignored();
    }
  }

  /**
   * A request handed to the workers. Whoever claims it answers it: a worker that starts it within the
   * queue timeout, or the deadline timer on the connection's event loop, which answers 503 at once
   * (the excess is refused at the deadline, not when a worker finally reaches it) and takes the task
   * out of the worker queue, freeing the request's body then and there. Exactly one side releases the
   * request: the worker that claims it, or that finds it claimed; the timer, when it took the task out
   * of the queue (so no worker will ever see it).
   */
  private final class Queued extends AtomicBoolean implements Runnable {
    private final ChannelHandlerContext ctx;
    private final FullHttpRequest request;
    private final HttpMethod method;
    private final String path;
    private final Map<String, List<String>> params;
    private final boolean needsPrincipal;
    private final String authorization;
    private final Caller caller;
    private final boolean keepAlive;
    private final boolean head;
    private final String endpoint;
    private final long started;
    private final LatencyLimit.Permit permit;
    private ScheduledFuture<?> deadline; // set on the event loop before the task is handed to the workers

    Queued(ChannelHandlerContext ctx, FullHttpRequest request, HttpMethod method, String path,
        Map<String, List<String>> params, boolean needsPrincipal, String authorization, Caller caller, boolean keepAlive,
        boolean head, String endpoint, long started, LatencyLimit.Permit permit) {
      this.permit = permit;
      this.ctx = ctx;
      this.request = request;
      this.method = method;
      this.path = path;
      this.params = params;
      this.needsPrincipal = needsPrincipal;
      this.authorization = authorization;
      this.caller = caller;
      this.keepAlive = keepAlive;
      this.head = head;
      this.endpoint = endpoint;
      this.started = started;
    }

    /** On a worker. */
    @Override
    public void run() {
      if (!compareAndSet(false, true)) {
        request.release(); // answered 503 by the deadline already
        return;
      }
      deadline.cancel(false);
      admission.started();
      long begun = System.nanoTime();
      HttpReply reply;
      try {
        reply = answer(method, path, params, request.content(), needsPrincipal, authorization, caller);
      } finally {
        request.release();
        admission.finished(System.nanoTime() - begun);
      }
      ctx.executor().execute(() -> {
        inFlight.decrementAndGet();
        respond(ctx, reply, keepAlive, head, endpoint, started);
        permit.answered(); // written: its latency, from the arrival of its head, is a sample
        next(ctx);
      });
    }

    /** On the event loop, at the queue deadline. */
    void expire() {
      if (!compareAndSet(false, true)) {
        return; // a worker has it
      }
      admission.abandoned();
      permit.dropped();
      if (workers instanceof ThreadPoolExecutor pool && pool.remove(this)) {
        request.release(); // no worker will see it
      }
      metrics.shed("http", ServerMetrics.QUEUE_TIMEOUT);
      inFlight.decrementAndGet();
      respond(ctx, api.error(path, 503, "overloaded", "the server is overloaded: the request waited longer than "
          + queueTimeoutNanos / 1_000_000 + " ms (--queue-timeout) for a worker and was not run; retry later", null, null),
          keepAlive, head, endpoint, started);
      next(ctx);
    }
  }

  /** Authenticates (when the path needs a principal), then answers; never throws. */
  private HttpReply answer(HttpMethod method, String path, Map<String, List<String>> params, ByteBuf body,
      boolean needsPrincipal, String authorization, Caller connection) {
    if (!needsPrincipal) {
      if (!HttpApi.open(path) && !connection.principal().equals(Principal.ANONYMOUS)) {
        auth.connected(connection.principal(), connection.address()); // a client certificate's use
      }
      return api.handle(method, path, params, body, connection);
    }
    Caller caller;
    try {
      caller = new Caller(auth.authenticate(authorization, connection.address()), connection.address());
    } catch (AuthenticationException e) {
      return api.unauthenticated(path, e.getMessage(), authorization != null);
    } catch (QuiverException e) { // the token store cannot be read: not the caller's fault (logged, rate-limited, by the server's authenticator)
      return api.error(path, 503, "unavailable", e.getMessage(), null, null);
    } catch (RuntimeException | Error e) {
      LOG.log(Level.SEVERE, "internal error authenticating a request to " + path, e);
      return api.error(path, 500, "internal", "internal error; the server log has the details", null, null);
    }
    return api.handle(method, path, params, body, caller);
  }

  /** Nothing is in progress or waiting on this connection: an answer written now is in order. */
  boolean idle() {
    return !busy && waiting.isEmpty();
  }

  /**
   * The connection is busy with a request {@link ArrivalGate} answered and whose body is still arriving
   * (so the request timeout closes the connection rather than answering twice); until {@link #resume()}.
   */
  void hold() {
    busy = true;
  }

  /** {@link ArrivalGate} admitted the request being read under the latency limit: this is its place. */
  void arrived(LatencyLimit.Permit permit) {
    arrived = permit;
  }

  /** The held request's body has arrived: the connection takes requests again. */
  void resume() {
    busy = false;
  }

  private void next(ChannelHandlerContext ctx) {
    busy = false;
    FullHttpRequest queued = waiting.poll();
    if (queued != null) {
      start(ctx, queued);
    }
  }

  /** Who sent the request: with mutual TLS the client certificate's principal, else anonymous. */
  private Caller caller(ChannelHandlerContext ctx) {
    String address = String.valueOf(ctx.channel().remoteAddress());
    if (!certificateRead) {
      SslHandler ssl = ctx.pipeline().get(SslHandler.class);
      certificate = ssl == null ? null : CertificatePrincipal.of(ssl.engine().getSession());
      certificateRead = true;
    }
    return certificate == null ? Caller.anonymous(address) : new Caller(certificate, address);
  }

  /** The request being read took longer than the request timeout: 408 and close (just close mid-answer). */
  void requestTimedOut(ChannelHandlerContext ctx) {
    metrics.connectionClosed(ServerMetrics.REQUEST_TIMEOUT);
    if (busy) {
      ctx.close();
      return;
    }
    busy = true; // nothing else is answered on this connection
    HttpReply reply = api.error(null, 408, "request_timeout", "the request's headers and body did not arrive within the"
        + " request timeout (--request-timeout); send the whole request at once", null, null);
    ctx.writeAndFlush(response(reply, false, false)).addListener(ChannelFutureListener.CLOSE);
    metrics.request("http", "other", "client_error", 0);
  }

  /** Closes an idle connection (no request in progress or waiting) when the idle timeout fires. */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      if (!busy && waiting.isEmpty()) {
        metrics.connectionClosed(ServerMetrics.IDLE);
        ctx.close();
      }
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  /** The response for {@code reply}; 503s say when to retry. */
  static FullHttpResponse response(HttpReply reply, boolean keepAlive, boolean head) {
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
    if (reply.status() == 503) {
      response.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
    }
    if (!keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    return response;
  }

  private void respond(ChannelHandlerContext ctx, HttpReply reply, boolean keepAlive, boolean head, String endpoint,
      long started) {
    var future = ctx.writeAndFlush(response(reply, keepAlive, head));
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
    ignore(arrived);
    arrived = null;
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
