package dev.quiver.server;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link QuiverServer} listens and what it accepts.
 *
 * @param host the address to bind ({@code 0.0.0.0} for every interface)
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
    Ingest ingest) {
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

  /** Defaults: every interface, ports 6566/6567, 8 MiB bodies, 10,000 entities, registry polled every second. */
  public static ServerOptions defaults() {
    int cores = Runtime.getRuntime().availableProcessors();
    return new ServerOptions("0.0.0.0", DEFAULT_HTTP_PORT, DEFAULT_GRPC_PORT, 0, Math.max(4, 4 * cores),
        8 << 20, 10_000, Duration.ofSeconds(1), Duration.ofSeconds(10));
  }

  /** Defaults on loopback with free ports (tests, embedding). */
  public static ServerOptions loopback() {
    return defaults().withHost("127.0.0.1").withPorts(0, 0);
  }

  public ServerOptions withHost(String host) {
    return new ServerOptions(host, httpPort, grpcPort, ioThreads, workerThreads, maxBodyBytes, maxEntities, registryPoll, shutdownGrace, ingest);
  }

  public ServerOptions withPorts(int http, int grpc) {
    return new ServerOptions(host, http, grpc, ioThreads, workerThreads, maxBodyBytes, maxEntities, registryPoll, shutdownGrace, ingest);
  }

  public ServerOptions withThreads(int io, int workers) {
    return new ServerOptions(host, httpPort, grpcPort, io, workers, maxBodyBytes, maxEntities, registryPoll, shutdownGrace, ingest);
  }

  public ServerOptions withLimits(int maxBody, int maxRows) {
    return new ServerOptions(host, httpPort, grpcPort, ioThreads, workerThreads, maxBody, maxRows, registryPoll, shutdownGrace, ingest);
  }

  public ServerOptions withRegistryPoll(Duration poll) {
    return new ServerOptions(host, httpPort, grpcPort, ioThreads, workerThreads, maxBodyBytes, maxEntities, poll, shutdownGrace, ingest);
  }

  public ServerOptions withShutdownGrace(Duration grace) {
    return new ServerOptions(host, httpPort, grpcPort, ioThreads, workerThreads, maxBodyBytes, maxEntities, registryPoll, grace, ingest);
  }

  /** The same options, consuming stream sources as {@code ingest} says. */
  public ServerOptions withIngest(Ingest ingest) {
    return new ServerOptions(host, httpPort, grpcPort, ioThreads, workerThreads, maxBodyBytes, maxEntities, registryPoll,
        shutdownGrace, ingest);
  }
}
