package dev.quiver.server.grpc;

import dev.quiver.core.QuiverException;
import dev.quiver.grpc.feast.serving.ServingServiceGrpc;
import dev.quiver.server.FeatureServing;
import dev.quiver.server.RegistryReads;
import dev.quiver.server.ServerMetrics;
import dev.quiver.server.ServerOptions;
import dev.quiver.server.admission.LatencyLimit;
import dev.quiver.server.admission.QueueAdmission;
import dev.quiver.server.auth.Authenticator;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.IoHandlerFactory;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gRPC front end (HTTP/2, grpc-java on its shaded Netty; native epoll where available, else NIO):
 * Feast's {@code ServingService} and, given the registry's reads, Feast's read-only {@code RegistryServer} ({@link FeastRegistryService}) on its own port. Messages larger than the body limit are refused with {@code RESOURCE_EXHAUSTED}; calls
 * run on the given executor, never on an event loop. Graceful close: stop accepting calls, let
 * in-flight ones finish within a grace period, then cancel what is left.
 *
 * <p>Optionally TLS ({@link ServerOptions#tls()}; with a client CA, client certificates are required
 * and each call's {@link dev.quiver.server.Caller} is the certificate's principal). Connections idle
 * longer than the idle timeout are closed, every connection is recycled after an hour (with the
 * shutdown grace for its calls), clients may ping at most every 10 s, and a TLS handshake must finish
 * within the request timeout.
 *
 * <p>Admission, as over HTTP: a call that would wait for a call thread longer than the queue
 * budget ({@link QueueAdmission}'s estimate) is closed with {@code UNAVAILABLE} on arrival, one still
 * in the executor's queue at its queue timeout is closed with
 * {@code UNAVAILABLE} right then, without running, one that finds the queue bound's worth of calls
 * already waiting is refused with {@code RESOURCE_EXHAUSTED} without queueing, an online read that finds as many
 * reads in flight as the adaptive latency limit allows ({@link LatencyLimit}, {@code --latency-target}; its own
 * limit, apart from HTTP's) is closed with {@code UNAVAILABLE} on arrival, and a connection beyond {@code --max-connections}
 * open on this port is closed as soon as it is accepted.
 */
public final class GrpcFrontEnd implements AutoCloseable {
  /**
   * The largest Flight message (one record batch of uploaded entity rows): pyarrow sends a DataFrame
   * as one batch, about 16 bytes a row for a key and a timestamp.
   */
  public static final int FLIGHT_MAX_MESSAGE_BYTES = 256 << 20;

  private final Server server;
  private final AtomicInteger inFlight;
  private final AtomicInteger connections;
  private final Duration grace;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;

  private GrpcFrontEnd(Server server, AtomicInteger inFlight, AtomicInteger connections, Duration grace,
      EventLoopGroup boss, EventLoopGroup workers) {
    this.server = server;
    this.inFlight = inFlight;
    this.connections = connections;
    this.grace = grace;
    this.boss = boss;
    this.workers = workers;
  }

  /** Binds and starts serving without authentication ({@link Authenticator#NONE}). */
  public static GrpcFrontEnd start(ServerOptions options, int maxInFlight, FeatureServing serving, ServerMetrics metrics,
      Executor executor) {
    return start(options, maxInFlight, serving, metrics, executor, Authenticator.NONE);
  }

  /**
   * Binds {@code options.host()}:{@code options.grpcPort()} and starts serving.
   *
   * @param maxInFlight calls beyond this many at once get {@code RESOURCE_EXHAUSTED}
   * @param auth who calls are from: each call's {@link dev.quiver.server.Caller#GRPC} (a client
   *     certificate's principal when no token is sent), or {@code UNAUTHENTICATED} without valid credentials
   * @throws QuiverException when the port cannot be bound or the TLS files cannot be read
   */
  public static GrpcFrontEnd start(ServerOptions options, int maxInFlight, FeatureServing serving, ServerMetrics metrics,
      Executor executor, Authenticator auth) {
    return start(options, maxInFlight, serving, null, metrics, executor, auth);
  }

  /**
   * As {@link #start(ServerOptions, int, FeatureServing, ServerMetrics, Executor, Authenticator)}, with Feast's
   * {@code feast.registry.RegistryServer} over {@code registry} too (none when it is null).
   */
  public static GrpcFrontEnd start(ServerOptions options, int maxInFlight, FeatureServing serving, RegistryReads registry,
      ServerMetrics metrics, Executor executor, Authenticator auth) {
    return start(options, maxInFlight, serving, registry, metrics, executor, auth, null);
  }

  /**
   * As {@link #start(ServerOptions, int, FeatureServing, RegistryReads, ServerMetrics, Executor, Authenticator)},
   * with Feast's offline store (Arrow Flight) on the same port when {@code flight} is not null: its callers
   * are authenticated like the others', and its messages (record batches of uploaded entity rows) may
   * be up to {@link #FLIGHT_MAX_MESSAGE_BYTES}, while the other services keep the body limit.
   */
  public static GrpcFrontEnd start(ServerOptions options, int maxInFlight, FeatureServing serving, RegistryReads registry,
      ServerMetrics metrics, Executor executor, Authenticator auth, io.grpc.BindableService flight) {
    String host = options.host();
    int port = options.grpcPort();
    ServerOptions.Admission limits = options.admission();
    SslContext ssl = options.tls() == null ? null : GrpcTls.context(options.tls());
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger connections = new AtomicInteger();
    boolean epoll = Epoll.isAvailable(); // native epoll, as the HTTP front end: less CPU per call than NIO
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, io);
    EventLoopGroup workers = new MultiThreadIoEventLoopGroup(options.ioThreads(), io);
    int callThreads = executor instanceof java.util.concurrent.ThreadPoolExecutor pool ? pool.getMaximumPoolSize()
        : options.workerThreads();
    QueueAdmission admission = QueueAdmission.of(callThreads, limits.queueBudget(), limits.maxQueued());
    LatencyLimit latency = LatencyLimit.forWorkers(limits.latencyTarget(), callThreads, limits.maxQueued());
    metrics.latencyLimit("grpc", latency);
    QueueDeadline deadline = new QueueDeadline(limits.queueTimeout().toNanos(), metrics, workers, admission, latency,
        Set.of(ServingServiceGrpc.SERVICE_NAME)); // the online reads; not the registry's reads nor Flight's streams
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
        .bossEventLoopGroup(boss)
        .workerEventLoopGroup(workers)
        .channelFactory(CappedServerChannel.factory(epoll, connections, limits.maxConnections(), metrics))
        .directExecutor() // the deadline's executor supplier hands each call to the executor, or refuses it here
        .addStreamTracerFactory(QueueDeadline.tracers())
        .maxInboundMessageSize(flight == null ? options.maxBodyBytes() : Math.max(options.maxBodyBytes(), FLIGHT_MAX_MESSAGE_BYTES))
        .keepAliveTime(2, TimeUnit.MINUTES)
        .permitKeepAliveTime(10, TimeUnit.SECONDS)
        .maxConnectionIdle(limits.idleTimeout().toNanos(), TimeUnit.NANOSECONDS)
        .maxConnectionAge(1, TimeUnit.HOURS)
        .maxConnectionAgeGrace(options.shutdownGrace().toNanos(), TimeUnit.NANOSECONDS)
        .handshakeTimeout(limits.requestTimeout().toNanos(), TimeUnit.NANOSECONDS)
        // interceptors run last-added first: the certificate's caller is set before authentication looks at it
        .callExecutor(deadline.executors(executor))
        .addService(ServerInterceptors.intercept(
            StrictParsing.bind(new FeastServingService(serving, metrics, inFlight, maxInFlight), options.maxBodyBytes()),
            new AuthenticatingInterceptor(auth), new CertificateInterceptor(),
            deadline));
    if (registry != null) {
      builder.addService(ServerInterceptors.intercept(new FeastRegistryService(registry, metrics).definition(),
          new AuthenticatingInterceptor(auth), new CertificateInterceptor(), deadline));
    }
    if (flight != null) {
      builder.addService(ServerInterceptors.intercept(flight, new AuthenticatingInterceptor(auth), new CertificateInterceptor(),
          deadline));
    }
    if (ssl != null) {
      builder.sslContext(ssl);
    }
    Server server = builder.build();
    try {
      server.start();
    } catch (IOException e) {
      shutdown(boss, workers);
      throw new QuiverException("could not listen for gRPC on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    return new GrpcFrontEnd(server, inFlight, connections, options.shutdownGrace(), boss, workers);
  }

  /** The bound port. */
  public int port() {
    return server.getPort();
  }

  /** Calls started and not yet answered. */
  public int inFlight() {
    return inFlight.get();
  }

  /** Connections open on the gRPC port. */
  public int connections() {
    return connections.get();
  }

  /** Stops accepting calls, waits up to the grace period for in-flight ones, then cancels the rest. */
  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        server.shutdownNow().awaitTermination(1, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      shutdown(boss, workers);
    }
  }

  private static void shutdown(EventLoopGroup boss, EventLoopGroup workers) {
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
