package dev.quiver.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** An {@link SSLContext} that trusts the PEM CA certificates of one file (the JDK's X.509 and TLS). */
final class TrustedCa {
  private TrustedCa() {}

  /** @throws FeatureServerException (code {@code TLS}) naming the file when it is missing or holds no certificate */
  static SSLContext context(Path caPem) {
    try (InputStream in = Files.newInputStream(caPem)) {
      Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new FeatureServerException("TLS", true, "the CA file " + caPem + " holds no PEM certificate", null);
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate c : certs) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, tmf.getTrustManagers(), null);
      return ssl;
    } catch (IOException | GeneralSecurityException e) {
      throw new FeatureServerException("TLS", true, "cannot use " + caPem + " as the server's CA: " + e.getMessage()
          + " (give the PEM certificate of the CA that signed the server's certificate)", e);
    }
  }
}
