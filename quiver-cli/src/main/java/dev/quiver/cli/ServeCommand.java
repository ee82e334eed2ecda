package dev.quiver.cli;

import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.server.QuiverServer;
import dev.quiver.server.ServerOptions;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code quiver serve}: the feature server, until SIGINT/SIGTERM (then a graceful stop). */
@Command(name = "serve", description = "Serve online features over HTTP (Feast-compatible JSON) and gRPC.")
final class ServeCommand implements Callable<Integer> {
  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}, this machine only;"
      + " any other address needs server.auth in quiver.yaml or --insecure).")
  String host;

  @Option(names = "--insecure", description = "Allow a non-loopback --host without authentication (logged as a warning; /health says insecure).")
  boolean insecure;

  @Option(names = "--tls-cert", paramLabel = "PEM", description = "Serve HTTPS and gRPC over TLS with this PEM certificate chain (default: quiver.yaml's server.tls_cert).")
  java.nio.file.Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "PEM", description = "The certificate's PEM PKCS#8 private key (default: server.tls_key).")
  java.nio.file.Path tlsKey;

  @Option(names = "--tls-client-ca", paramLabel = "PEM", description = "Require client certificates signed by these PEM CA certificates: mutual TLS (default: server.tls_client_ca).")
  java.nio.file.Path tlsClientCa;

  @Option(names = "--idle-timeout", defaultValue = "60s", description = "Close connections idle this long (default: ${DEFAULT-VALUE}).")
  String idleTimeout;

  @Option(names = "--request-timeout", defaultValue = "10s", description = "A request's headers and body must arrive within this, else 408 (default: ${DEFAULT-VALUE}).")
  String requestTimeout;

  @Option(names = "--max-connections", defaultValue = "4096", description = "HTTP connections open at once; more get 503 (default: ${DEFAULT-VALUE}).")
  int maxConnections;

  @Option(names = "--queue-timeout", defaultValue = "1s", description = "Requests that waited longer than this for a worker get 503 without running (default: ${DEFAULT-VALUE}).")
  String queueTimeout;

  @Option(names = "--queue-budget", defaultValue = "5ms", description = "Requests that the queue ahead of them (requests waiting x recent service time / workers) would keep waiting longer than this get 503 on arrival (default: ${DEFAULT-VALUE}).")
  String queueBudget;

  @Option(names = "--latency-target", defaultValue = "off", description = "The p99 latency inside the server that an adaptive limit on the requests in flight keeps admitted requests within; past the limit, 503 on arrival, e.g. 10ms; 'off' for no limit (default: ${DEFAULT-VALUE}).")
  String latencyTarget;

  @Option(names = "--port", defaultValue = "6566", description = "HTTP port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--grpc-port", defaultValue = "6567", description = "gRPC port; 0 picks a free one, -1 turns gRPC off (default: ${DEFAULT-VALUE}).")
  int grpcPort;

  @Option(names = "--threads", description = "Worker threads that run requests (default: 4 per core, at least 4).")
  Integer threads;

  @Option(names = "--io-threads", defaultValue = "0", description = "Network event-loop threads; 0: one per core.")
  int ioThreads;

  @Option(names = "--max-entities", defaultValue = "10000", description = "Most entity rows per request (default: ${DEFAULT-VALUE}).")
  int maxEntities;

  @Option(names = "--max-body", defaultValue = "8388608", description = "Largest request body in bytes (default: ${DEFAULT-VALUE}).")
  int maxBody;

  @Option(names = "--registry-poll", defaultValue = "1s", description = "How often to look for a new registry version (default: ${DEFAULT-VALUE}).")
  String registryPoll;

  @Option(names = "--shutdown-grace", defaultValue = "10s", description = "How long in-flight requests may take on shutdown (default: ${DEFAULT-VALUE}).")
  String grace;

  @Option(names = "--ingest", description = "Also consume every Kafka stream source of the registry version served (docs/streams.md).")
  boolean ingest;

  @Option(names = "--ingest-sources", paramLabel = "SOURCE", split = ",",
      description = "Consume only these stream sources (implies --ingest).")
  List<String> ingestSources = new ArrayList<>();

  @Option(names = "--ingest-stall-timeout", defaultValue = "60s",
      description = "How long a consumer may fail to reach its brokers or to write before /ready turns 503 (default: ${DEFAULT-VALUE}).")
  String ingestStall;

  @Option(names = "--max-future-skew", paramLabel = "DURATION",
      description = "Refuse event times later than now + this (default: quiver.yaml's online.max_future_skew, else 1h).")
  String maxFutureSkew;

  @Mixin RepoOption repo;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    ServerOptions defaults = ServerOptions.defaults();
    Duration poll = duration(registryPoll, "--registry-poll");
    if (poll.compareTo(Duration.ofMillis(10)) < 0) {
      throw new dev.quiver.core.QuiverException("--registry-poll must be at least 10ms, got '" + registryPoll + "'");
    }
    ServerOptions options;
    try {
      options = new ServerOptions(host, port, grpcPort, ioThreads, threads == null ? defaults.workerThreads() : threads,
          maxBody, maxEntities, poll, duration(grace, "--shutdown-grace"));
    } catch (IllegalArgumentException e) { // a port, thread count or limit out of range, named in the message
      throw new dev.quiver.core.QuiverException(e.getMessage());
    }
    try {
      options = options.withIngest(ingestSettings())
          .withAdmission(ServerOptions.Admission.DEFAULTS
              .withIdleTimeout(duration(idleTimeout, "--idle-timeout"))
              .withRequestTimeout(duration(requestTimeout, "--request-timeout"))
              .withQueueTimeout(duration(queueTimeout, "--queue-timeout"))
              .withQueueBudget(duration(queueBudget, "--queue-budget"))
              .withLatencyTarget(latencyTarget.strip().equalsIgnoreCase("off") ? Duration.ZERO
                  : duration(latencyTarget, "--latency-target"))
              .withMaxConnections(maxConnections))
          .withInsecure(insecure);
    } catch (IllegalArgumentException e) { // a timeout not positive or a cap below 1, named in the message
      throw new dev.quiver.core.QuiverException(e.getMessage());
    }
    Duration skew = maxFutureSkew == null ? null : dev.quiver.core.online.TimeBounds.parse(maxFutureSkew, "--max-future-skew");
    CountDownLatch stopped = new CountDownLatch(1);
    try (FeatureRepo r = open(repo.repo, skew); QuiverServer server = QuiverServer.start(r, options.withTls(tls(r)))) {
      Thread hook = new Thread(() -> {
        server.close();
        stopped.countDown();
      }, "quiver-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      String scheme = server.options().tls() == null ? "http" : "https";
      out.printf("quiver %s serving %s%n  HTTP  " + scheme + "://%s:%d  (POST /get-online-features, /push, /write-to-online-store, /materialize, /materialize-incremental, /online/delete; GET /health, /ready, /metrics, /materialize/status, /api/v1/...)%n",
          QuiverServer.VERSION, r.config().root(), host, server.httpPort());
      if (server.grpcPort() >= 0) {
        out.printf("  gRPC  %s:%d%s  (feast.serving.ServingService: GetFeastServingInfo, GetOnlineFeatures; feast.registry.RegistryServer: Feast's remote registry, read-only; arrow.flight.protocol.FlightService: Feast's remote offline store, training sets)%n", host, server.grpcPort(),
            server.options().tls() == null ? "" : " (TLS)");
      }
      if (server.options().tls() != null && server.options().tls().mutual()) {
        out.printf("  Client certificates required (signed by %s)%n", server.options().tls().clientCa());
      }
      if (server.options().insecure()) {
        out.printf("  WARNING: listening on %s without authentication (--insecure)%n", host);
      }
      if (options.ingest().enabled()) {
        out.printf("  Ingest  %s  (GET /ingest/status)%n", ingestSources.isEmpty() ? "every stream source"
            : String.join(", ", ingestSources));
      }
      out.flush();
      stopped.await();
    }
    return 0;
  }

  /** TLS from the flags, else from quiver.yaml's server section; null: plaintext. */
  private ServerOptions.Tls tls(FeatureRepo r) {
    ServerOptions.Tls fromYaml = ServerOptions.Tls.fromConfig(r.config().server(), r.config().root());
    if (tlsCert == null && tlsKey == null) {
      if (tlsClientCa != null) {
        if (fromYaml == null) {
          throw new dev.quiver.core.QuiverException("--tls-client-ca needs --tls-cert and --tls-key too (mutual TLS is TLS first)");
        }
        return new ServerOptions.Tls(fromYaml.certChain(), fromYaml.key(), tlsClientCa.toAbsolutePath());
      }
      return fromYaml;
    }
    if (tlsCert == null || tlsKey == null) {
      throw new dev.quiver.core.QuiverException((tlsCert == null ? "--tls-cert" : "--tls-key") + " is missing: TLS needs both"
          + " --tls-cert (PEM certificate chain) and --tls-key (PEM PKCS#8 private key)");
    }
    java.nio.file.Path ca = tlsClientCa != null ? tlsClientCa.toAbsolutePath() : fromYaml == null ? null : fromYaml.clientCa();
    return new ServerOptions.Tls(tlsCert.toAbsolutePath(), tlsKey.toAbsolutePath(), ca);
  }

  /** The stream consumers asked for: {@code --ingest}, {@code --ingest-sources}, {@code --ingest-stall-timeout}. */
  private ServerOptions.Ingest ingestSettings() {
    Duration stall = duration(ingestStall, "--ingest-stall-timeout");
    if (stall.isZero() || stall.isNegative()) {
      throw new dev.quiver.core.QuiverException("--ingest-stall-timeout must be positive, got '" + ingestStall + "'");
    }
    if (!ingest && ingestSources.isEmpty()) {
      return ServerOptions.Ingest.OFF;
    }
    return ServerOptions.Ingest.of(ingestSources).withStallTimeout(stall);
  }

  /** The repo, its time bounds' skew overridden when {@code skew} is not null. */
  private static FeatureRepo open(java.nio.file.Path root, Duration skew) {
    FeatureRepo r = FeatureRepo.open(root);
    r.setMaxFutureSkew(skew);
    return r;
  }

  private static Duration duration(String text, String option) {
    return dev.quiver.core.model.Durations.parse(text).orElseThrow(() ->
        new dev.quiver.core.QuiverException(option + " '" + text + "' is not a duration; write e.g. 500ms, 1s, 2m"));
  }
}
