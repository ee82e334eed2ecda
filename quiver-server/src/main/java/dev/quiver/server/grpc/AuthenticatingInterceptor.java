package dev.quiver.server.grpc;

import dev.quiver.core.QuiverException;
import dev.quiver.core.security.AuthenticationException;
import dev.quiver.core.security.Principal;
import dev.quiver.server.Caller;
import dev.quiver.server.auth.Authenticator;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.SocketAddress;

/**
 * Puts every call's {@link Caller} into {@link Caller#GRPC}: the principal of its {@code authorization}
 * metadata ({@code Bearer <token>}, what Feast's gRPC clients send), or {@link Principal#ANONYMOUS}
 * when authentication is off. A call without valid credentials is closed with {@code UNAUTHENTICATED}
 * (the description says what is wrong, never the token) before it reaches the service. Runs on the
 * call executor, never on an event loop. Thread-safe.
 */
final class AuthenticatingInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final Authenticator auth;

  AuthenticatingInterceptor(Authenticator auth) {
    this.auth = auth;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    Caller connection = Caller.GRPC.get(); // the client certificate's, set by the CertificateInterceptor, or anonymous
    boolean certified = connection != null && !connection.principal().equals(Principal.ANONYMOUS);
    String authorization = auth.enabled() ? headers.get(AUTHORIZATION) : null; // not looked up when unused
    if (!auth.enabled() || (authorization == null && certified)) {
      if (certified) {
        auth.connected(connection.principal(), connection.address()); // a client certificate's use
      }
      return next.startCall(call, headers);
    }
    SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    String address = String.valueOf(remote);
    Principal principal;
    try {
      principal = auth.authenticate(authorization, address);
    } catch (AuthenticationException e) {
      return refuse(call, Status.UNAUTHENTICATED.withDescription(e.getMessage()));
    } catch (QuiverException e) { // logged, rate-limited, by the server's authenticator
      return refuse(call, Status.UNAVAILABLE.withDescription(e.getMessage()));
    }
    Context context = Context.current().withValue(Caller.GRPC, new Caller(principal, address));
    return Contexts.interceptCall(context, call, headers, next);
  }

  private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
    Metadata trailers = new Metadata();
    if (status.getCode() == Status.Code.UNAUTHENTICATED) {
      trailers.put(Metadata.Key.of("www-authenticate", Metadata.ASCII_STRING_MARSHALLER), "Bearer realm=\"quiver\"");
    }
    call.close(status, trailers);
    return new ServerCall.Listener<>() {};
  }
}
