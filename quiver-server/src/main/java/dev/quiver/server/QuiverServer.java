package dev.quiver.server;

import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.server.grpc.GrpcFrontEnd;
import dev.quiver.server.http.HttpFrontEnd;
import java.time.Clock;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The feature server: serves a feature repo's applied registry from its online store over HTTP
 * (Feast's JSON) and gRPC (Feast's {@code ServingService}), picking up newly applied registry versions without a restart.
 *
 * <pre>{@code
 * try (FeatureRepo repo = FeatureRepo.open(root);
 *      QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback())) {
 *   int port = server.httpPort();
 * }
 * }</pre>
 *
 * The caller keeps owning the repo and closes it after the server. Thread-safe.
 */
public final class QuiverServer implements AutoCloseable {
  /** Quiver's version, as the server reports it. */
  public static final String VERSION = versionOf();

  private final LiveRegistry live;
  private final ServerMetrics metrics;
  private final LocalServing serving;
  private final ExecutorService workers;
  private final ExecutorService viewReads;
  private final ExecutorService grpcCalls;
  private final HttpFrontEnd http;
  private final GrpcFrontEnd grpc;
  private final LocalOperations ops;
  private final StreamConsumers streams;
  private final ServerOptions options;
  private final AuditTrail audit;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  private QuiverServer(FeatureRepo repo, ServerOptions options) {
    this.options = options;
    this.metrics = new ServerMetrics();
    this.live = new LiveRegistry(repo.registry(), options.registryPoll(), repo.transformLoader());
    metrics.watch(live);
    OnlineStore store = new TimedOnlineStore(repo.online(), metrics);
    this.audit = new AuditTrail(auditLog(repo));
    Guard guard = new Guard(live, audit, Clock.systemUTC());
    this.viewReads = Executors.newVirtualThreadPerTaskExecutor();
    this.serving = new LocalServing(live, store, viewReads, Clock.systemUTC(), options.maxEntities(), guard);
    this.workers = workers(options.workerThreads());
    this.grpcCalls = grpcCalls(options.workerThreads());
    LocalOperations ops = new LocalOperations(repo, live, serving, store, metrics, options.shutdownGrace(), guard);
    this.ops = ops;
    HttpFrontEnd startedHttp = null;
    GrpcFrontEnd startedGrpc = null;
    try {
      startedHttp = HttpFrontEnd.start(options.host(), options.httpPort(), options.ioThreads(), options.maxBodyBytes(),
          options.shutdownGrace(), serving, ops, metrics, workers);
      if (options.grpcPort() >= 0) {
        startedGrpc = GrpcFrontEnd.start(options.host(), options.grpcPort(), options.maxBodyBytes(), QUEUE,
            options.shutdownGrace(), serving, metrics, grpcCalls);
      }
    } catch (RuntimeException e) {
      if (startedHttp != null) {
        startedHttp.close();
      }
      ops.close();
      stopPools();
      audit.close();
      throw e;
    }
    this.http = startedHttp;
    this.grpc = startedGrpc;
    this.streams = options.ingest().enabled()
        ? new StreamConsumers(repo, live, ops, options.ingest(), metrics.meters(), options.registryPoll()) : null;
    ops.streams(streams);
  }

  /**
   * Starts serving {@code repo}; returns once the ports are bound.
   *
   * @throws dev.quiver.core.QuiverException when a port cannot be bound or the online store cannot be opened
   */
  public static QuiverServer start(FeatureRepo repo, ServerOptions options) {
    return new QuiverServer(repo, options);
  }

  public int httpPort() {
    return http.port();
  }

  /** The bound gRPC port; -1 when gRPC is off ({@link ServerOptions#grpcPort()} -1). */
  public int grpcPort() {
    return grpc == null ? -1 : grpc.port();
  }

  /** What the front ends call; for embedding the server's read path. */
  public FeatureServing serving() {
    return serving;
  }

  /** The operations the HTTP front end answers with (tests call its routes with a chosen {@link Caller}). */
  ServerOperations operations() {
    return ops;
  }

  public ServerMetrics metrics() {
    return metrics;
  }

  public ServerOptions options() {
    return options;
  }

  /** Checks the registry for a new version now instead of at the next poll. */
  public void refreshRegistry() {
    live.refresh();
  }

  /** Graceful: stops accepting, lets in-flight requests finish within the grace period, then stops. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      http.close();
    } finally {
      try {
        if (grpc != null) {
          grpc.close();
        }
      } finally {
        try {
          if (streams != null) {
            streams.close(); // each consumer stops after the batch it is writing, its offsets committed
          }
          ops.close(); // a background materialization writes to the stores the caller closes next
        } finally {
          stopPools();
          audit.close(options.shutdownGrace()); // what is queued is appended before the registry closes
        }
      }
    }
  }

  private void stopPools() {
    workers.shutdown();
    try {
      workers.awaitTermination(options.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    workers.shutdownNow();
    grpcCalls.shutdownNow();
    viewReads.shutdownNow();
    live.close();
  }

  /** The registry store's audit log, or null (logged) when it keeps none. */
  private static dev.quiver.core.security.AuditLog auditLog(FeatureRepo repo) {
    try {
      return repo.registry().audit();
    } catch (UnsupportedOperationException e) {
      java.util.logging.Logger.getLogger(QuiverServer.class.getName()).info(
          "the registry store keeps no audit log: the server's audit events are not recorded");
      return null;
    }
  }

  /** Requests queued beyond the running ones before new ones are refused (HTTP 503, gRPC RESOURCE_EXHAUSTED). */
  private static final int QUEUE = 16_384;

  /** A fixed pool with a bounded queue: under overload requests are refused (503), not queued forever. */
  private static ExecutorService workers(int threads) {
    AtomicInteger n = new AtomicInteger();
    return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE),
        r -> Thread.ofPlatform().daemon().name("quiver-worker-" + n.incrementAndGet()).unstarted(r),
        new ThreadPoolExecutor.AbortPolicy());
  }

  /**
   * gRPC's own pool: grpc-java must never see a rejected task, so the queue is unbounded and the front
   * end refuses calls beyond {@link #QUEUE} in flight itself.
   */
  private static ExecutorService grpcCalls(int threads) {
    AtomicInteger n = new AtomicInteger();
    return Executors.newFixedThreadPool(threads,
        r -> Thread.ofPlatform().daemon().name("quiver-grpc-" + n.incrementAndGet()).unstarted(r));
  }

  private static String versionOf() {
    String v = QuiverServer.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0-SNAPSHOT" : v;
  }
}
