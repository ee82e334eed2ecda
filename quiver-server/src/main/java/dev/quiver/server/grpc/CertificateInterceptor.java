package dev.quiver.server.grpc;

import dev.quiver.core.security.Principal;
import dev.quiver.server.Caller;
import dev.quiver.server.CertificatePrincipal;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import javax.net.ssl.SSLSession;

/**
 * Sets every call's {@link Caller#GRPC}: the verified client certificate's {@link CertificatePrincipal}
 * under mutual TLS, else anonymous, with the peer's address. An authenticating interceptor that runs
 * after this one may replace it. Stateless, thread-safe.
 */
final class CertificateInterceptor implements ServerInterceptor {
  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    Principal certificate = CertificatePrincipal.of(session);
    String address = String.valueOf(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
    Caller caller = certificate == null ? Caller.anonymous(address) : new Caller(certificate, address);
    return Contexts.interceptCall(Context.current().withValue(Caller.GRPC, caller), call, headers, next);
  }
}
