package dev.quiver.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a {@link QuiverServer} listens and what it accepts.
 *
 * @param host the address to bind ({@code 127.0.0.1} by default; {@code 0.0.0.0} for every interface,
 *     which needs authentication configured in quiver.yaml or {@code insecure})
 * @param httpPort the HTTP port; 0 picks a free one
 * @param grpcPort the gRPC port; 0 picks a free one, -1 disables gRPC
 * @param ioThreads Netty event-loop threads (0: one per core)
 * @param workerThreads threads that run requests against the stores (blocking calls never run on an
 *     event loop)
 * @param maxBodyBytes larger request bodies get 413
 * @param maxEntities requests with more entity rows get 400
 * @param registryPoll how often the registry head is checked for a new version
 * @param shutdownGrace how long in-flight requests may take to finish on shutdown
 * @param ingest the Kafka stream sources the server consumes ({@link Ingest#OFF}: none)
 * @param tls the certificate and key both front ends present; null: plaintext
 * @param admission connection and queueing limits: timeouts, the connection cap, load shedding
 * @param insecure allow a non-loopback address without authentication (logged as a warning on every
 *     start, and reported by {@code /health})
 */
public record ServerOptions(
    String host,
    int httpPort,
    int grpcPort,
    int ioThreads,
    int workerThreads,
    int maxBodyBytes,
    int maxEntities,
    Duration registryPoll,
    Duration shutdownGrace,
    Ingest ingest,
    Tls tls,
    Admission admission,
    boolean insecure) {
  public static final int DEFAULT_HTTP_PORT = 6566;

  /**
   * The stream consumers a server runs (docs/streams.md, "Consuming inside quiver serve"): one per
   * stream source, over the registry version served, restarted over each new version.
   *
   * @param enabled whether the server consumes stream sources at all
   * @param sources the stream sources to consume; empty: every stream source of the version served
   * @param stallTimeout how long a consumer may go without reaching its brokers and topic, or keep
   *     failing to write, before {@code /ready} answers 503 (a consumer that stopped on an error it
   *     cannot retry turns it 503 at once)
   */
  public record Ingest(boolean enabled, List<String> sources, Duration stallTimeout) {
    /** No stream consumers. */
    public static final Ingest OFF = new Ingest(false, List.of(), Duration.ofSeconds(60));

    public Ingest {
      sources = List.copyOf(sources);
      Objects.requireNonNull(stallTimeout, "stallTimeout");
      if (stallTimeout.isNegative() || stallTimeout.isZero()) {
        throw new IllegalArgumentException("the ingest stall timeout must be positive, got " + stallTimeout);
      }
    }

    /** Consumes {@code sources} (every stream source when empty), /ready turning 503 after a 60 s stall. */
    public static Ingest of(List<String> sources) {
      return new Ingest(true, sources, OFF.stallTimeout());
    }

    public Ingest withStallTimeout(Duration timeout) {
      return new Ingest(enabled, sources, timeout);
    }
  }

  /** Plaintext options with the default {@link Admission} limits, not {@code insecure}. */
  public ServerOptions(String host, int httpPort, int grpcPort, int ioThreads, int workerThreads, int maxBodyBytes,
      int maxEntities, Duration registryPoll, Duration shutdownGrace, Ingest ingest) {
    this(host, httpPort, grpcPort, ioThreads, workerThreads, maxBodyBytes, maxEntities, registryPoll, shutdownGrace,
        ingest, null, Admission.DEFAULTS, false);
  }

  /** Options without stream consumers ({@link Ingest#OFF}). */
  public ServerOptions(String host, int httpPort, int grpcPort, int ioThreads, int workerThreads, int maxBodyBytes,
      int maxEntities, Duration registryPoll, Duration shutdownGrace) {
    this(host, httpPort, grpcPort, ioThreads, workerThreads, maxBodyBytes, maxEntities, registryPoll, shutdownGrace,
        Ingest.OFF);
  }
  public static final int DEFAULT_GRPC_PORT = 6567;

  public ServerOptions {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(registryPoll, "registryPoll");
    Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    Objects.requireNonNull(ingest, "ingest");
    Objects.requireNonNull(admission, "admission");
    if (httpPort < 0 || httpPort > 65535) {
      throw new IllegalArgumentException("HTTP port must be 0..65535, got " + httpPort);
    }
    if (grpcPort < -1 || grpcPort > 65535) {
      throw new IllegalArgumentException("gRPC port must be -1 (off) or 0..65535, got " + grpcPort);
    }
    if (ioThreads < 0 || workerThreads < 1) {
      throw new IllegalArgumentException("io threads must be >= 0 and worker threads >= 1");
    }
    if (maxBodyBytes < 1024 || maxEntities < 1) {
      throw new IllegalArgumentException("max body must be >= 1024 bytes and max entities >= 1");
    }
  }

  /**
   * Defaults: loopback only (127.0.0.1), ports 6566/6567, 8 MiB bodies, 10,000 entities, registry polled
   * every second, plaintext, {@link Admission#DEFAULTS}.
   */
  public static ServerOptions defaults() {
    int cores = Runtime.getRuntime().availableProcessors();
    return new ServerOptions("127.0.0.1", DEFAULT_HTTP_PORT, DEFAULT_GRPC_PORT, 0, Math.max(4, 4 * cores),
        8 << 20, 10_000, Duration.ofSeconds(1), Duration.ofSeconds(10));
  }

  /** Defaults on loopback with free ports (tests, embedding). */
  public static ServerOptions loopback() {
    return defaults().withHost("127.0.0.1").withPorts(0, 0);
  }

  public ServerOptions withHost(String host) {
    return new ServerOptions(host, httpPort, grpcPort, ioThreads, workerThreads, maxBodyBytes, maxEntities, registryPoll, shutdownGrace, ingest, tls, admission, insecure);
  }

  public ServerOptions withPorts(int http, int grpc) {
    return new ServerOptions(host, http, grpc, ioThreads, workerThreads, maxBodyBytes, maxEntities, registryPoll, shutdownGrace, ingest, tls, admission, insecure);
  }

  public ServerOptions withThreads(int io, int workers) {
    return new ServerOptions(host, httpPort, grpcPort, io, workers, maxBodyBytes, maxEntities, registryPoll, shutdownGrace, ingest, tls, admission, insecure);
  }

  public ServerOptions withLimits(int maxBody, int maxRows) {
    return new ServerOptions(host, httpPort, grpcPort, ioThreads, workerThreads, maxBody, maxRows, registryPoll, shutdownGrace, ingest, tls, admission, insecure);
  }

  public ServerOptions withRegistryPoll(Duration poll) {
    return new ServerOptions(host, httpPort, grpcPort, ioThreads, workerThreads, maxBodyBytes, maxEntities, poll, shutdownGrace, ingest, tls, admission, insecure);
  }

  public ServerOptions withShutdownGrace(Duration grace) {
    return new ServerOptions(host, httpPort, grpcPort, ioThreads, workerThreads, maxBodyBytes, maxEntities, registryPoll, grace, ingest, tls, admission, insecure);
  }

  /** The same options, consuming stream sources as {@code ingest} says. */
  public ServerOptions withIngest(Ingest ingest) {
    return new ServerOptions(host, httpPort, grpcPort, ioThreads, workerThreads, maxBodyBytes, maxEntities, registryPoll,
        shutdownGrace, ingest, tls, admission, insecure);
  }

  /** The same options, serving TLS with {@code tls} (null: plaintext). */
  public ServerOptions withTls(Tls tls) {
    return new ServerOptions(host, httpPort, grpcPort, ioThreads, workerThreads, maxBodyBytes, maxEntities, registryPoll,
        shutdownGrace, ingest, tls, admission, insecure);
  }

  /** The same options with other connection and queueing limits. */
  public ServerOptions withAdmission(Admission admission) {
    return new ServerOptions(host, httpPort, grpcPort, ioThreads, workerThreads, maxBodyBytes, maxEntities, registryPoll,
        shutdownGrace, ingest, tls, admission, insecure);
  }

  /** The same options, allowing (or not) a non-loopback address without authentication. */
  public ServerOptions withInsecure(boolean insecure) {
    return new ServerOptions(host, httpPort, grpcPort, ioThreads, workerThreads, maxBodyBytes, maxEntities, registryPoll,
        shutdownGrace, ingest, tls, admission, insecure);
  }

  /**
   * The certificate both front ends present, and optionally the CA that client certificates must chain
   * to (mutual TLS: a client without a valid certificate from that CA is refused during the handshake).
   * Files are read when the server starts; a missing or malformed one is a {@link
   * dev.quiver.core.QuiverException} naming it.
   *
   * @param certChain PEM certificate chain, the server's certificate first; never null
   * @param key the PEM private key of that certificate (PKCS#8, {@code BEGIN PRIVATE KEY}); never null
   * @param clientCa PEM CA certificates client certificates are verified against; null: no client
   *     certificates asked for
   */
  public record Tls(Path certChain, Path key, Path clientCa) {
    /** quiver.yaml's {@code server:} keys. */
    public static final String CERT = "tls_cert";
    public static final String KEY = "tls_key";
    public static final String CLIENT_CA = "tls_client_ca";

    public Tls {
      Objects.requireNonNull(certChain, "certChain");
      Objects.requireNonNull(key, "key");
    }

    /** Whether clients must present a certificate signed by {@link #clientCa()}. */
    public boolean mutual() {
      return clientCa != null;
    }

    /**
     * The TLS settings of quiver.yaml's {@code server:} section ({@code tls_cert}, {@code tls_key},
     * {@code tls_client_ca}; relative paths are relative to {@code root}); null when it has none.
     *
     * @throws dev.quiver.core.QuiverException when only one of the certificate and the key is given
     */
    public static Tls fromConfig(Map<String, Object> server, Path root) {
      Path cert = path(server.get(CERT), root);
      Path key = path(server.get(KEY), root);
      Path ca = path(server.get(CLIENT_CA), root);
      if (cert == null && key == null) {
        if (ca != null) {
          throw new dev.quiver.core.QuiverException("quiver.yaml: server." + CLIENT_CA + " needs server." + CERT
              + " and server." + KEY + " too (mutual TLS is TLS first)");
        }
        return null;
      }
      if (cert == null || key == null) {
        throw new dev.quiver.core.QuiverException("quiver.yaml: server." + (cert == null ? CERT : KEY) + " is missing: TLS needs both "
            + CERT + " (PEM certificate chain) and " + KEY + " (PEM PKCS#8 private key)");
      }
      return new Tls(cert, key, ca);
    }

    /**
     * Checks that every file exists and is readable.
     *
     * @throws dev.quiver.core.QuiverException naming the first file that is not
     */
    public void checkReadable() {
      readable(certChain, "certificate chain (--tls-cert / server." + CERT + ")");
      readable(key, "private key (--tls-key / server." + KEY + ")");
      if (clientCa != null) {
        readable(clientCa, "client CA (--tls-client-ca / server." + CLIENT_CA + ")");
      }
    }

    private static void readable(Path p, String what) {
      if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
        throw new dev.quiver.core.QuiverException("TLS " + what + " " + p + " is not a readable file");
      }
    }

    private static Path path(Object value, Path root) {
      if (value == null || String.valueOf(value).isBlank()) {
        return null;
      }
      return root.resolve(String.valueOf(value).strip());
    }
  }

  /**
   * What the server admits, so that overload and slow or idle clients cannot pile work up: past these
   * limits a request is refused fast (HTTP 503 with {@code Retry-After}, gRPC {@code UNAVAILABLE} or {@code RESOURCE_EXHAUSTED})
   * instead of waiting.
   *
   * @param idleTimeout a connection with no request in progress and no traffic for this long is closed
   *     (HTTP; gRPC: max connection idle)
   * @param requestTimeout a request's headers and body must arrive within this once its first byte did
   *     (else 408 and close), and a TLS handshake must finish within it
   * @param maxConnections HTTP connections open at once; one more is answered 503 and closed
   * @param queueTimeout a request that waited longer than this for a worker is answered 503 without
   *     running (shed): the backstop that bounds any wait, a stall included
   * @param maxQueued requests waiting for a worker beyond the running ones; more are refused at once
   * @param queueBudget a request that, by the estimate of the queue ahead of it (requests queued × their
   *     recent service time ÷ workers), would wait longer than this is answered 503 on arrival, unless
   *     fewer requests than workers are queued; this is what keeps admitted requests fast under overload
   *     while the worker queue is the bottleneck
   * @param latencyTarget the p99 latency, inside the server, that an adaptive limit on the requests in flight
   *     keeps admitted requests within ({@link dev.quiver.server.admission.LatencyLimit}): past the limit a
   *     request is answered 503 on arrival; this is what keeps them fast when the cores, not the queue, are
   *     the bottleneck. {@link Duration#ZERO}: no such limit
   */
  public record Admission(Duration idleTimeout, Duration requestTimeout, int maxConnections, Duration queueTimeout,
      int maxQueued, Duration queueBudget, Duration latencyTarget) {
    /**
     * 60 s idle, 10 s per request, 4,096 connections, 1 s in the queue at most, 1,024 queued, a 5 ms queue budget,
     * no latency limit (opt in with {@code --latency-target}: docs/security.md says when, with what it measured).
     */
    public static final Admission DEFAULTS = new Admission(Duration.ofSeconds(60), Duration.ofSeconds(10), 4096,
        Duration.ofSeconds(1), 1024, Duration.ofMillis(5), Duration.ZERO);

    public Admission {
      positive(idleTimeout, "idle timeout (--idle-timeout)");
      positive(requestTimeout, "request timeout (--request-timeout)");
      positive(queueTimeout, "queue timeout (--queue-timeout)");
      positive(queueBudget, "queue budget (--queue-budget)");
      Objects.requireNonNull(latencyTarget, "latency target (--latency-target)");
      if (latencyTarget.isNegative()) {
        throw new IllegalArgumentException("the latency target (--latency-target) must not be negative, got " + latencyTarget);
      }
      if (maxConnections < 1 || maxQueued < 1) {
        throw new IllegalArgumentException("--max-connections and the queue bound must be >= 1, got "
            + maxConnections + " and " + maxQueued);
      }
    }

    public Admission withIdleTimeout(Duration d) {
      return new Admission(d, requestTimeout, maxConnections, queueTimeout, maxQueued, queueBudget, latencyTarget);
    }

    public Admission withRequestTimeout(Duration d) {
      return new Admission(idleTimeout, d, maxConnections, queueTimeout, maxQueued, queueBudget, latencyTarget);
    }

    public Admission withMaxConnections(int n) {
      return new Admission(idleTimeout, requestTimeout, n, queueTimeout, maxQueued, queueBudget, latencyTarget);
    }

    public Admission withQueueTimeout(Duration d) {
      return new Admission(idleTimeout, requestTimeout, maxConnections, d, maxQueued, queueBudget, latencyTarget);
    }

    public Admission withMaxQueued(int n) {
      return new Admission(idleTimeout, requestTimeout, maxConnections, queueTimeout, n, queueBudget, latencyTarget);
    }

    public Admission withQueueBudget(Duration d) {
      return new Admission(idleTimeout, requestTimeout, maxConnections, queueTimeout, maxQueued, d, latencyTarget);
    }

    /** The latency target ({@link Duration#ZERO}: no latency limit). */
    public Admission withLatencyTarget(Duration d) {
      return new Admission(idleTimeout, requestTimeout, maxConnections, queueTimeout, maxQueued, queueBudget, d);
    }

    private static void positive(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException("the " + what + " must be positive, got " + d);
      }
    }
  }
}
