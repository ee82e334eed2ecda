package dev.quiver.server.http;

import dev.quiver.core.QuiverException;
import dev.quiver.server.FeatureServing;
import dev.quiver.server.ServerMetrics;
import dev.quiver.server.ServerOperations;
import dev.quiver.server.ServerOptions;
import dev.quiver.server.admission.LatencyLimit;
import dev.quiver.server.admission.QueueAdmission;
import dev.quiver.server.auth.Authenticator;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP/1.1 front end on Netty (epoll where available): keep-alive, request bodies up to a limit
 * (413 beyond it), requests run on a worker pool and answered in order per connection. Graceful
 * close: stop accepting, let in-flight requests finish within a grace period, then stop.
 *
 * <p>Optionally HTTPS ({@link ServerOptions#tls()}; with a client CA, client certificates are required).
 * The {@link ServerOptions#admission()} limits hold on every connection: idle connections are closed,
 * slow requests get 408, connections past the cap get 503, a request that would wait for a worker
 * longer than the queue budget (by {@link QueueAdmission}'s estimate), or that finds as many requests in flight
 * as the adaptive latency limit allows ({@link LatencyLimit}, {@code --latency-target}), gets 503 on arrival
 * (decided on its head, before its body is read: {@code ArrivalGate}), and one
 * that waited the whole queue timeout gets 503 then.
 */
public final class HttpFrontEnd implements AutoCloseable {
  private final EventLoopGroup boss;
  private final EventLoopGroup io;
  private final Channel channel;
  private final AtomicInteger inFlight;
  private final Duration grace;

  private HttpFrontEnd(EventLoopGroup boss, EventLoopGroup io, Channel channel, AtomicInteger inFlight, Duration grace) {
    this.boss = boss;
    this.io = io;
    this.channel = channel;
    this.inFlight = inFlight;
    this.grace = grace;
  }

  /** Binds and starts serving without authentication ({@link Authenticator#NONE}). */
  public static HttpFrontEnd start(ServerOptions options, FeatureServing serving, ServerOperations ops, ServerMetrics metrics,
      Executor workers) {
    return start(options, serving, ops, metrics, workers, Authenticator.NONE);
  }

  /**
   * Binds {@code options.host()}:{@code options.httpPort()} and starts serving.
   *
   * @param workers where requests run (bounded; a full queue answers 503); from a {@link java.util.concurrent.ThreadPoolExecutor}
   *     a request refused at its queue deadline is removed at once, freeing its body
   * @param auth who requests are from ({@link Authenticator#NONE}: anonymous, or the client certificate's principal)
   * @throws QuiverException when the port cannot be bound or the TLS files cannot be read
   */
  public static HttpFrontEnd start(ServerOptions options, FeatureServing serving, ServerOperations ops, ServerMetrics metrics,
      Executor workers, Authenticator auth) {
    String host = options.host();
    int port = options.httpPort();
    SslContext ssl = options.tls() == null ? null : HttpTls.context(options.tls());
    ServerOptions.Admission limits = options.admission();
    long requestTimeout = limits.requestTimeout().toNanos();
    long queueTimeout = limits.queueTimeout().toNanos();
    int maxBodyBytes = options.maxBodyBytes();
    boolean epoll = Epoll.isAvailable();
    var factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, factory);
    EventLoopGroup io = new MultiThreadIoEventLoopGroup(options.ioThreads(), factory);
    Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    HttpApi api = new HttpApi(serving, ops, options.insecure());
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger open = metrics.openConnections();
    int workerCount = workers instanceof ThreadPoolExecutor pool ? pool.getMaximumPoolSize() : options.workerThreads();
    QueueAdmission admission = QueueAdmission.of(workerCount, limits.queueBudget(), limits.maxQueued());
    LatencyLimit latency = latencyLimit(limits, workerCount);
    metrics.latencyLimit("http", latency);
    Refusals refusals = Refusals.of(api, admission, latency);
    try {
      Channel ch = new ServerBootstrap()
          .group(boss, io)
          .channel(channelType)
          .option(ChannelOption.SO_BACKLOG, 1024)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel c) {
              RequestDeadline deadline = new RequestDeadline(requestTimeout);
              RequestHandler handler = new RequestHandler(api, auth, workers, admission, refusals, metrics, inFlight,
                  queueTimeout, deadline);
              if (ssl != null) {
                SslHandler tls = ssl.newHandler(c.alloc());
                tls.setHandshakeTimeoutMillis(limits.requestTimeout().toMillis());
                c.pipeline().addLast(tls);
              }
              c.pipeline()
                  .addLast(new IdleStateHandler(0, 0, limits.idleTimeout().toNanos(), TimeUnit.NANOSECONDS))
                  .addLast(deadline)
                  .addLast(new HttpServerCodec())
                  .addLast(new HttpServerKeepAliveHandler())
                  .addLast(new ConnectionCap(open, limits.maxConnections(), requestTimeout, api, metrics))
                  .addLast(new ArrivalGate(api, admission, refusals, metrics, deadline, handler, maxBodyBytes))
                  .addLast(new LimitedAggregator(maxBodyBytes, api, metrics, deadline))
                  .addLast(handler);
            }
          })
          .bind(new InetSocketAddress(host, port)).sync().channel();
      return new HttpFrontEnd(boss, io, ch, inFlight, options.shutdownGrace());
    } catch (Exception e) {
      boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      io.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new QuiverException("could not listen for HTTP on " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  /** The front end's adaptive latency limit ({@link LatencyLimit#forWorkers}). */
  static LatencyLimit latencyLimit(ServerOptions.Admission limits, int workers) {
    return LatencyLimit.forWorkers(limits.latencyTarget(), workers, limits.maxQueued());
  }

  /** The bound port. */
  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** Requests accepted and not yet answered. */
  public int inFlight() {
    return inFlight.get();
  }

  /** Stops accepting connections, waits up to the grace period for in-flight requests, then stops. */
  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    long deadline = System.nanoTime() + grace.toNanos();
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    io.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Aggregates request bodies up to the limit; a larger one gets a JSON 413 and the connection closes. */
  private static final class LimitedAggregator extends HttpObjectAggregator {
    private final int max;
    private final HttpApi api;
    private final ServerMetrics metrics;
    private final RequestDeadline deadline;

    LimitedAggregator(int max, HttpApi api, ServerMetrics metrics, RequestDeadline deadline) {
      super(max);
      this.max = max;
      this.api = api;
      this.metrics = metrics;
      this.deadline = deadline;
    }

    /** The 413 a too-large {@code Expect: 100-continue} request gets: the same JSON as {@link #handleOversizedMessage}, not an empty body. */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, io.netty.channel.ChannelPipeline pipeline) {
      Object response = super.newContinueResponse(start, maxContentLength, pipeline);
      if (response instanceof FullHttpResponse r && r.status().code() == 413) {
        FullHttpResponse json = tooLarge(start);
        json.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        r.release();
        metrics.request("http", "other", "client_error", 0);
        return json;
      }
      return response;
    }

    private FullHttpResponse tooLarge(HttpMessage message) {
      String path = null;
      if (message instanceof io.netty.handler.codec.http.HttpRequest request) {
        try {
          path = new io.netty.handler.codec.http.QueryStringDecoder(request.uri()).path();
        } catch (IllegalArgumentException badEscape) {
          // Quiver's body then
        }
      }
      HttpReply reply = api.error(path, 413, "payload_too_large", "the request body is larger than this server accepts ("
          + max + " bytes; --max-body)", null, null);
      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
          Unpooled.wrappedBuffer(reply.body()));
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpReply.JSON).setInt(HttpHeaderNames.CONTENT_LENGTH, reply.body().length);
      return r;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      FullHttpResponse r = tooLarge(oversized);
      deadline.complete(); // answered; the rest of the body is discarded as it comes
      metrics.request("http", "other", "client_error", 0);
      // A keep-alive client still sending the body reads the 413 once it is done (the aggregator
      // discards the rest of the body); otherwise the connection closes.
      if (oversized instanceof io.netty.handler.codec.http.FullHttpMessage || !HttpUtil.isKeepAlive(oversized)) {
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
      } else {
        ctx.writeAndFlush(r);
      }
    }
  }
}
