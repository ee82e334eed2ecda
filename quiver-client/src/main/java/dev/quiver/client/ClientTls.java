package dev.quiver.client;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How a client talks TLS to a feature server: the PEM CA certificates the server's certificate must
 * chain to and, for mutual TLS, the client's own PEM certificate chain and PKCS#8 private key ({@code
 * -----BEGIN PRIVATE KEY-----}; RSA or EC). Files are read when a client is created; errors name the
 * file and never show key material.
 *
 * <pre>{@code
 * ClientTls tls = ClientTls.trusting(Path.of("ca.pem")).withClientCertificate(Path.of("client.pem"), Path.of("client-key.pem"));
 * try (FeatureClient c = FeatureClient.https(URI.create("https://features:6566"), tls, Duration.ofSeconds(5))) { ... }
 * }</pre>
 *
 * @param caCert PEM CA certificates to trust (the JDK's default trust store is not used); not null
 * @param clientCert the client's PEM certificate chain, or null for no client certificate
 * @param clientKey the client's PKCS#8 PEM private key; null exactly when {@code clientCert} is
 */
public record ClientTls(Path caCert, Path clientCert, Path clientKey) {
  public ClientTls {
    Objects.requireNonNull(caCert, "caCert");
    if ((clientCert == null) != (clientKey == null)) {
      throw new IllegalArgumentException("give both the client certificate and its key, or neither");
    }
  }

  /** Trusts the CA certificates in {@code caCert}; presents no client certificate. */
  public static ClientTls trusting(Path caCert) {
    return new ClientTls(caCert, null, null);
  }

  /** The same trust, presenting {@code cert} (PEM chain) with its PKCS#8 PEM {@code key} (mutual TLS). */
  public ClientTls withClientCertificate(Path cert, Path key) {
    return new ClientTls(caCert, Objects.requireNonNull(cert, "cert"), Objects.requireNonNull(key, "key"));
  }

  /** True when a client certificate is presented. */
  public boolean mutual() {
    return clientCert != null;
  }
}
