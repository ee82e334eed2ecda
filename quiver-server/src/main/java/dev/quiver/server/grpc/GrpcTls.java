package dev.quiver.server.grpc;

import dev.quiver.core.QuiverException;
import dev.quiver.server.ServerOptions;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import javax.net.ssl.SSLException;

/** Builds the gRPC front end's TLS context (grpc-java's shaded Netty, ALPN h2) from PEM files. */
final class GrpcTls {
  private GrpcTls() {}

  /**
   * The server context for {@code tls}; with a client CA, client certificates are required and verified.
   *
   * @throws QuiverException naming the file that is missing or not valid PEM
   */
  static SslContext context(ServerOptions.Tls tls) {
    tls.checkReadable();
    SslContextBuilder b;
    try {
      b = GrpcSslContexts.forServer(tls.certChain().toFile(), tls.key().toFile());
      if (tls.mutual()) {
        b.trustManager(tls.clientCa().toFile()).clientAuth(ClientAuth.REQUIRE);
      }
      return b.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new QuiverException("TLS (gRPC): could not use the certificate chain " + tls.certChain() + ", key " + tls.key()
          + (tls.mutual() ? " and client CA " + tls.clientCa() : "") + " (" + e.getMessage() + "); give PEM certificates"
          + " and a PEM PKCS#8 private key ('BEGIN PRIVATE KEY') that belongs to the certificate");
    }
  }
}
