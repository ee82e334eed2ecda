package dev.quiver.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * An {@link SSLContext} from PEM files with the JDK's X.509 and TLS: trusting the CA certificates of
 * one file and, for mutual TLS, presenting a client certificate chain with its PKCS#8 key.
 */
final class TrustedCa {
  private static final Pattern PKCS8 = Pattern.compile(
      "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

  private TrustedCa() {}

  /** @throws FeatureServerException (code {@code TLS}) naming the file when it is missing or holds no certificate */
  static SSLContext context(Path caPem) {
    return context(ClientTls.trusting(caPem));
  }

  /** @throws FeatureServerException (code {@code TLS}) naming the file that is missing or unusable */
  static SSLContext context(ClientTls tls) {
    TrustManagerFactory tmf = trust(tls.caCert());
    KeyManagerFactory kmf = tls.mutual() ? keys(tls.clientCert(), tls.clientKey()) : null;
    try {
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return ssl;
    } catch (GeneralSecurityException e) {
      throw new FeatureServerException("TLS", true, "cannot set up TLS: " + e.getMessage(), e);
    }
  }

  /** The CA certificates of {@code caPem} as trust managers. */
  static TrustManagerFactory trust(Path caPem) {
    try {
      Collection<? extends Certificate> certs = certificates(caPem);
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate c : certs) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      return tmf;
    } catch (IOException | GeneralSecurityException e) {
      throw new FeatureServerException("TLS", true, "cannot use " + caPem + " as the server's CA: " + e.getMessage()
          + " (give the PEM certificate of the CA that signed the server's certificate)", e);
    }
  }

  /** A client certificate chain and its PKCS#8 key as key managers. */
  static KeyManagerFactory keys(Path chainPem, Path keyPem) {
    Certificate[] chain;
    try {
      chain = certificates(chainPem).toArray(Certificate[]::new);
    } catch (IOException | GeneralSecurityException e) {
      throw new FeatureServerException("TLS", true, "cannot use " + chainPem + " as the client certificate: " + e.getMessage()
          + " (give the client's PEM certificate chain)", e);
    }
    PrivateKey key = privateKey(keyPem);
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      char[] none = new char[0];
      store.setKeyEntry("client", key, none, chain);
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(store, none);
      return kmf;
    } catch (IOException | GeneralSecurityException e) {
      throw new FeatureServerException("TLS", true, "the key in " + keyPem + " does not fit the certificate in " + chainPem
          + ": " + e.getMessage(), e);
    }
  }

  /** At least one certificate, or an exception whose message says the file holds none. */
  private static Collection<? extends Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(pem)) {
      Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new GeneralSecurityException("the file holds no PEM certificate");
      }
      return certs;
    }
  }

  /** A PKCS#8 PEM private key (RSA or EC); the message never quotes the file. */
  private static PrivateKey privateKey(Path pem) {
    String text;
    try {
      text = Files.readString(pem);
    } catch (IOException e) {
      throw new FeatureServerException("TLS", true, "cannot read the client key " + pem + ": " + e.getMessage(), e);
    }
    Matcher m = PKCS8.matcher(text);
    if (!m.find()) {
      throw new FeatureServerException("TLS", true, "the client key " + pem + " is not a PKCS#8 PEM key (-----BEGIN PRIVATE"
          + " KEY-----); convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pkcs8.pem", null);
    }
    byte[] der = Base64.getMimeDecoder().decode(m.group(1));
    for (String algorithm : new String[] {"EC", "RSA", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new FeatureServerException("TLS", true, "the client key " + pem + " is not an RSA, EC or Ed25519 PKCS#8 key", null);
  }
}
