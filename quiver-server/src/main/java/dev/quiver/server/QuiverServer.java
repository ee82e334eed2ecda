package dev.quiver.server;

import dev.quiver.core.QuiverException;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.server.auth.AuthSettings;
import dev.quiver.server.auth.Authenticator;
import dev.quiver.server.grpc.GrpcFrontEnd;
import dev.quiver.server.http.HttpFrontEnd;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.logging.Logger;
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
 *
 * <p>Listening safely: an address other than loopback is refused unless quiver.yaml's {@code
 * server.auth} configures authentication ({@code tokens}, {@code oidc}, ...) or the options say
 * {@link ServerOptions#insecure()}, which is logged as a warning on every start.
 */
public final class QuiverServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(QuiverServer.class.getName());

  /** quiver.yaml's {@code server:} key that configures authentication ({@code none} when absent). */
  public static final String AUTH_KEY = "auth";

  /** Quiver's version, as the server reports it. */
  public static final String VERSION = versionOf();

  private final LiveRegistry live;
  private final ServerMetrics metrics;
  private final LocalServing serving;
  private final FeatureLog featureLog;
  private final ExecutorService workers;
  private final ExecutorService viewReads;
  private final ExecutorService grpcCalls;
  private final HttpFrontEnd http;
  private final GrpcFrontEnd grpc;
  private final dev.quiver.server.flight.OfflineFlight flight; // null when gRPC is off
  private final LocalOperations ops;
  private final StreamConsumers streams;
  private final SkewMonitor skew; // null unless quiver.yaml schedules it
  private final ServerOptions options;
  private final ServerFile serverFile; // null when it could not be written
  private final Authenticator authenticator;
  private final AuditTrail audit;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  private QuiverServer(FeatureRepo repo, ServerOptions options) {
    // --insecure on loopback changes nothing; /health reports it only when the server is exposed
    options = options.withInsecure(checkExposure(options, repo.config().server()));
    // quiver.yaml's feature_logging, checked before anything starts; services opt in with logging:
    FeatureLogSettings logSettings = FeatureLogSettings.of(repo.config().featureLogging(), repo.config().root());
    this.options = options;
    this.metrics = new ServerMetrics();
    this.live = new LiveRegistry(repo.registry(), options.registryPoll(), repo.transformLoader());
    metrics.watch(live);
    OnlineStore store = new TimedOnlineStore(repo.online(), metrics);
    this.audit = new AuditTrail(auditLog(repo));
    Guard guard = new Guard(live, audit, Clock.systemUTC());
    this.viewReads = Executors.newVirtualThreadPerTaskExecutor();
    this.featureLog = new FeatureLog(logSettings, metrics.meters(), metrics.failures());
    this.serving = new LocalServing(live, store, viewReads, Clock.systemUTC(), options.maxEntities(), guard,
        metrics.features(), featureLog);
    this.workers = workers(options.workerThreads(), options.admission().maxQueued());
    this.grpcCalls = grpcCalls(options.workerThreads());
    LocalOperations ops = new LocalOperations(repo, live, serving, store, metrics, options.shutdownGrace(), guard);
    this.ops = ops;
    Authenticator auth;
    try {
      auth = new AuditedAuthenticator(Authenticator.of(AuthSettings.of(repo.config().server(), repo.config().root()),
          repo.registry(), Clock.systemUTC()), guard, metrics.failures());
    } catch (RuntimeException e) {
      ops.close();
      stopPools();
      audit.close();
      throw e;
    }
    this.authenticator = auth;
    HttpFrontEnd startedHttp = null;
    GrpcFrontEnd startedGrpc = null;
    dev.quiver.server.flight.OfflineFlight offline = options.grpcPort() >= 0
        ? dev.quiver.server.flight.OfflineFlight.create(repo, guard, metrics,
            repo.config().root().resolve(".quiver").resolve("tmp").resolve("flight"))
        : null;
    try {
      startedHttp = HttpFrontEnd.start(options, serving, ops, metrics, workers, auth);
      if (options.grpcPort() >= 0) {
        startedGrpc = GrpcFrontEnd.start(options, options.workerThreads() + options.admission().maxQueued(), serving,
            registryReads(repo, guard), metrics, grpcCalls, auth, offline.service());
      }
    } catch (RuntimeException e) {
      if (startedHttp != null) {
        startedHttp.close();
      }
      if (offline != null) {
        offline.close();
      }
      ops.close();
      stopPools();
      audit.close();
      throw e;
    }
    this.http = startedHttp;
    this.grpc = startedGrpc;
    this.flight = offline;
    this.streams = options.ingest().enabled()
        ? new StreamConsumers(repo, live, ops, options.ingest(), metrics.meters(), options.registryPoll()) : null;
    ops.streams(streams);
    this.skew = skewMonitor(repo, metrics);
    this.serverFile = announce(repo.config().root(), options.host(), http.port());
  }

  /** What Feast's registry service reads: the served version, the saved training sets, the repo root. */
  private RegistryReads registryReads(FeatureRepo repo, Guard guard) {
    LiveRegistry registry = live;
    return new RegistryReads() {
      @Override
      public java.util.Optional<dev.quiver.core.registry.RegistrySnapshot> applied() {
        return registry.current().snapshot();
      }

      @Override
      public java.util.List<dev.quiver.core.registry.DatasetRecord> datasets() {
        return repo.registry().datasets();
      }

      @Override
      public java.nio.file.Path root() {
        return repo.config().root();
      }

      @Override
      public Guard guard() {
        return guard;
      }

      @Override
      public java.util.Optional<EventRange> eventRange(dev.quiver.core.registry.DatasetRecord dataset) {
        return datasetEventRange(repo, dataset);
      }
    };
  }

  /**
   * Scans a saved dataset's file (or a dataset directory's part files) for its first and last event
   * time; empty for missing and unreadable files. Feast's {@code get_saved_dataset} needs both.
   */
  private static java.util.Optional<RegistryReads.EventRange> datasetEventRange(FeatureRepo repo,
      dev.quiver.core.registry.DatasetRecord dataset) {
    java.nio.file.Path file = repo.config().root().resolve(dataset.output());
    java.util.List<java.nio.file.Path> files = java.nio.file.Files.isDirectory(file)
        ? dev.quiver.core.offline.DatasetDirectory.parts(file)
        : java.nio.file.Files.isRegularFile(file) ? java.util.List.of(file) : java.util.List.of();
    java.time.Instant first = null;
    java.time.Instant last = null;
    try {
      for (java.nio.file.Path f : files) {
        try (dev.quiver.core.offline.HistoricalRows rows = repo.offline().read(f, files.size() > 1 || !f.equals(file)
            ? dev.quiver.core.model.FileFormat.PARQUET : dataset.outputFormat())) {
          int column = rows.columns().stream().map(c -> c.name()).toList().indexOf(dataset.timestampColumn());
          while (column >= 0 && rows.hasNext()) {
            if (rows.next()[column] instanceof java.time.Instant t) {
              first = first == null || t.isBefore(first) ? t : first;
              last = last == null || t.isAfter(last) ? t : last;
            }
          }
        }
      }
      return first == null ? java.util.Optional.empty() : java.util.Optional.of(new RegistryReads.EventRange(first, last));
    } catch (RuntimeException e) {
      java.util.logging.Logger.getLogger(QuiverServer.class.getName()).warning("cannot read the event times of saved dataset '"
          + dataset.name() + "' (" + e.getMessage() + "); Feast sees it without them");
      return java.util.Optional.empty();
    }
  }

  /** Records where this server listens in the repo ({@link ServerFile}), so CLI commands go through it. */
  private static ServerFile announce(java.nio.file.Path root, String host, int port) {
    try {
      return ServerFile.write(root, ServerFile.url(host, port));
    } catch (RuntimeException e) {
      java.util.logging.Logger.getLogger(QuiverServer.class.getName()).warning("cannot record the server in "
          + ServerFile.path(root) + " (" + e.getMessage() + "); CLI commands on this repo will not find it");
      return null;
    }
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

  /** Whether requests need credentials (quiver.yaml's {@code server.auth}, docs/security.md). */
  public boolean authenticates() {
    return authenticator.enabled();
  }

  /** The scheduled skew check of {@code monitoring.skew} in quiver.yaml, started; null when none is configured. */
  private static SkewMonitor skewMonitor(FeatureRepo repo, ServerMetrics metrics) {
    if (!(repo.config().monitoring().get("skew") instanceof java.util.Map<?, ?> settings)) {
      return null;
    }
    java.util.Map<Object, Object> withLogs = new java.util.LinkedHashMap<>(settings);
    Object logPath = repo.config().featureLogging().get("path");
    if (!withLogs.containsKey("logs") && logPath != null) {
      withLogs.put("logs", logPath); // where this server's feature logging writes
    }
    SkewMonitor m = new SkewMonitor(repo, dev.quiver.core.monitor.SkewSchedule.of(withLogs), metrics.meters(),
        metrics.failures(), Clock.systemUTC());
    m.start();
    return m;
  }

  /** The scheduled skew check, or null when quiver.yaml configures none. */
  SkewMonitor skewMonitor() {
    return skew;
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
    if (serverFile != null) {
      serverFile.close(); // first: CLI commands stop sending work to a server that is stopping
    }
    try {
      http.close();
    } finally {
      try {
        if (grpc != null) {
          grpc.close();
        }
        if (flight != null) {
          flight.close();
        }
      } finally {
        try {
          if (streams != null) {
            streams.close(); // each consumer stops after the batch it is writing, its offsets committed
          }
          if (skew != null) {
            skew.close();
          }
          ops.close(); // a background materialization writes to the stores the caller closes next
        } finally {
          stopPools();
          metrics.failures().flush(); // the repeated failures not logged yet, counted
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
    featureLog.close(); // after the last request: what is queued and buffered is written to files
  }

  /**
   * Whether the server may listen on {@code options.host()}: loopback always; any other address only
   * with authentication configured ({@code server.auth} other than {@code none}) or {@code insecure}
   * (a warning, logged on every start).
   *
   * @return whether the server listens beyond loopback without authentication ({@code --insecure})
   * @throws QuiverException in one line naming both fixes, when neither holds
   */
  static boolean checkExposure(ServerOptions options, java.util.Map<String, Object> serverConfig) {
    if (loopback(options.host())) {
      return false;
    }
    Object auth = serverConfig.get(AUTH_KEY);
    boolean authenticated = auth != null && !String.valueOf(auth).isBlank() && !String.valueOf(auth).strip().equalsIgnoreCase("none");
    if (authenticated) {
      return false;
    }
    if (!options.insecure()) {
      throw new QuiverException("refusing to listen on " + options.host() + " without authentication: anyone who can reach"
          + " it could read and write every feature; configure it (server: {auth: tokens} in quiver.yaml, docs/security.md)"
          + " or pass --insecure to accept that");
    }
    LOG.warning("INSECURE: listening on " + options.host() + " without authentication (--insecure): anyone who can reach"
        + " this address can read every feature and write any value; configure server.auth in quiver.yaml (docs/security.md)");
    return true;
  }

  /** The registry store's audit log, or null (logged) when it keeps none. */
  private static dev.quiver.core.security.AuditLog auditLog(FeatureRepo repo) {
    try {
      return repo.registry().audit();
    } catch (UnsupportedOperationException e) {
      LOG.info("the registry store keeps no audit log: the server's audit events are not recorded");
      return null;
    }
  }

  private static boolean loopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw new QuiverException("--host '" + host + "' is not an address of this machine: " + e.getMessage());
    }
  }

  /**
   * A fixed pool with a bounded queue: past it requests are refused at once (503), and a request that
   * waited in it past the queue timeout is shed by the front end, so no backlog outlives a burst.
   */
  private static ExecutorService workers(int threads, int queued) {
    AtomicInteger n = new AtomicInteger();
    return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queued),
        r -> Thread.ofPlatform().daemon().name("quiver-worker-" + n.incrementAndGet()).unstarted(r),
        new ThreadPoolExecutor.AbortPolicy());
  }

  /**
   * gRPC's own pool: grpc-java must never see a rejected task, so the queue is unbounded and the front
   * end refuses calls beyond the worker threads plus the queue bound in flight itself.
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
