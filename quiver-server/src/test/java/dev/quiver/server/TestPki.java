package dev.quiver.server;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Real certificates for TLS tests, generated per test run (EC P-256): a CA, a server certificate for
 * 127.0.0.1/localhost, client certificates (valid, expired, from another CA), written as PEM files.
 */
final class TestPki {
  final X509Bundle ca;
  final X509Bundle server;
  final X509Bundle client;
  final X509Bundle expiredClient;
  final X509Bundle strangerClient;
  final Path caPem;
  final Path serverChain;
  final Path serverKey;

  TestPki(Path dir) {
    try {
      Instant now = Instant.now();
      CertificateBuilder base = new CertificateBuilder().ecp256().notBefore(now.minus(1, ChronoUnit.DAYS))
          .notAfter(now.plus(1, ChronoUnit.DAYS));
      ca = base.copy().subject("CN=Quiver Test CA").setIsCertificateAuthority(true).buildSelfSigned();
      server = base.copy().subject("CN=quiver-server").addSanIpAddress("127.0.0.1").addSanDnsName("localhost")
          .addExtendedKeyUsageServerAuth().buildIssuedBy(ca);
      client = base.copy().subject("CN=scorer,OU=risk-team,OU=ml,O=Acme").addExtendedKeyUsageClientAuth().buildIssuedBy(ca);
      expiredClient = base.copy().subject("CN=old-scorer,OU=risk-team").notBefore(now.minus(3, ChronoUnit.DAYS))
          .notAfter(now.minus(2, ChronoUnit.DAYS)).addExtendedKeyUsageClientAuth().buildIssuedBy(ca);
      X509Bundle otherCa = base.copy().subject("CN=Someone Else's CA").setIsCertificateAuthority(true).buildSelfSigned();
      strangerClient = base.copy().subject("CN=stranger,OU=risk-team").addExtendedKeyUsageClientAuth().buildIssuedBy(otherCa);
      Files.createDirectories(dir);
      caPem = Files.writeString(dir.resolve("ca.pem"), ca.getCertificatePEM());
      serverChain = Files.writeString(dir.resolve("server.pem"), server.getCertificatePathPEM());
      serverKey = Files.writeString(dir.resolve("server-key.pem"), server.getPrivateKeyPEM());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException("could not generate test certificates", e);
    }
  }

  ServerOptions.Tls tls(boolean mutual) {
    return new ServerOptions.Tls(serverChain, serverKey, mutual ? caPem : null);
  }

  /** A client context trusting the test CA, presenting {@code clientCert} (null: none). */
  SSLContext clientContext(X509Bundle clientCert) {
    try {
      SSLContext ssl = SSLContext.getInstance("TLS");
      KeyManagerFactory kmf = clientCert == null ? null : clientCert.toKeyManagerFactory();
      ssl.init(kmf == null ? null : kmf.getKeyManagers(), ca.toTrustManagerFactory().getTrustManagers(), null);
      return ssl;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes {@code bundle}'s chain and key as PEM files in {@code dir}; returns {chain, key}. */
  static Path[] pem(X509Bundle bundle, Path dir, String name) {
    try {
      return new Path[] {Files.writeString(dir.resolve(name + ".pem"), bundle.getCertificatePathPEM()),
          Files.writeString(dir.resolve(name + "-key.pem"), bundle.getPrivateKeyPEM())};
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
