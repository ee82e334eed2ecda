package dev.quiver.client;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A connection to a feature server. Implementations are thread-safe and meant to be shared: open one
 * per server and process, and close it when done.
 *
 * <p>Errors: every failure is a {@link FeatureServerException} carrying the server's message and code
 * (an HTTP status or a gRPC status name); nothing else is thrown for a failed call.
 */
public interface FeatureClient extends AutoCloseable {

  /** Latest feature values for the request's entity rows; blocks until answered or the timeout passes. */
  OnlineFeatures getOnlineFeatures(OnlineFeaturesRequest request);

  /** The server's version string. */
  String serverVersion();

  @Override
  void close();

  /** An HTTP client for {@code baseUrl} (e.g. {@code http://localhost:6566}) with a 10 s timeout per call. */
  static HttpFeatureClient http(String baseUrl) {
    return new HttpFeatureClient(URI.create(baseUrl), Duration.ofSeconds(10));
  }

  /** An HTTP client with the given timeout per call. */
  static HttpFeatureClient http(URI baseUrl, Duration timeout) {
    return new HttpFeatureClient(baseUrl, timeout);
  }

  /**
   * An HTTPS client for {@code baseUrl} ({@code https://host:port}) that trusts the server certificates
   * signed by the PEM CA certificates in {@code caCert} (a private CA; the JDK's default trust store is
   * not used), with the given timeout per call.
   *
   * @throws FeatureServerException when {@code caCert} is missing or holds no certificate
   */
  static HttpFeatureClient https(URI baseUrl, Path caCert, Duration timeout) {
    return new HttpFeatureClient(baseUrl, timeout, TrustedCa.context(caCert));
  }

  /**
   * An HTTPS client for {@code baseUrl} with the trust and, for mutual TLS, the client certificate of
   * {@code tls}, with the given timeout per call.
   *
   * @throws FeatureServerException (code {@code TLS}) naming a file that is missing or unusable
   */
  static HttpFeatureClient https(URI baseUrl, ClientTls tls, Duration timeout) {
    return new HttpFeatureClient(baseUrl, timeout, TrustedCa.context(tls));
  }

  /**
   * A gRPC client over TLS for {@code host:port}, trusting server certificates signed by the PEM CA
   * certificates in {@code caCert}, with the given deadline per call.
   *
   * @throws FeatureServerException when {@code caCert} is missing or holds no certificate
   */
  static GrpcFeatureClient grpcTls(String host, int port, Path caCert, Duration deadline) {
    return new GrpcFeatureClient(host, port, deadline, ClientTls.trusting(caCert));
  }

  /**
   * A gRPC client over TLS for {@code host:port} with the trust and, for mutual TLS, the client
   * certificate of {@code tls}, with the given deadline per call.
   *
   * @throws FeatureServerException (code {@code TLS}) naming a file that is missing or unusable
   */
  static GrpcFeatureClient grpcTls(String host, int port, ClientTls tls, Duration deadline) {
    return new GrpcFeatureClient(host, port, deadline, tls);
  }

  /** A plaintext gRPC client for {@code host:port} with a 10 s deadline per call. */
  static GrpcFeatureClient grpc(String host, int port) {
    return new GrpcFeatureClient(host, port, Duration.ofSeconds(10));
  }

  /** A plaintext gRPC client with the given deadline per call. */
  static GrpcFeatureClient grpc(String host, int port, Duration deadline) {
    return new GrpcFeatureClient(host, port, deadline);
  }
}
