package dev.quiver.server.http;

import dev.quiver.core.QuiverException;
import dev.quiver.server.ServerOptions;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import javax.net.ssl.SSLException;

/** Builds the HTTP front end's Netty {@link SslContext} from PEM files (the JDK's TLS; TLS 1.2 and 1.3). */
final class HttpTls {
  private HttpTls() {}

  /**
   * The server context for {@code tls}: its chain and key, and with a client CA, client certificates
   * required and verified against it.
   *
   * @throws QuiverException naming the file that is missing or not valid PEM
   */
  static SslContext context(ServerOptions.Tls tls) {
    tls.checkReadable();
    SslContextBuilder b;
    try {
      b = SslContextBuilder.forServer(tls.certChain().toFile(), tls.key().toFile());
    } catch (IllegalArgumentException e) {
      throw new QuiverException("TLS: could not read the certificate chain " + tls.certChain() + " and key " + tls.key()
          + " (" + e.getMessage() + "); give a PEM certificate chain and its PEM PKCS#8 private key ('BEGIN PRIVATE KEY')");
    }
    if (tls.mutual()) {
      try {
        b.trustManager(tls.clientCa().toFile()).clientAuth(ClientAuth.REQUIRE);
      } catch (IllegalArgumentException e) {
        throw new QuiverException("TLS: could not read the client CA " + tls.clientCa() + " (" + e.getMessage()
            + "); give the PEM certificates that client certificates are signed by");
      }
    }
    try {
      return b.protocols("TLSv1.3", "TLSv1.2").build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new QuiverException("TLS: the certificate chain " + tls.certChain() + " and key " + tls.key()
          + " do not make a usable server context (" + e.getMessage() + "); check that the key belongs to the certificate"
          + " and is PEM PKCS#8 ('BEGIN PRIVATE KEY')");
    }
  }
}
