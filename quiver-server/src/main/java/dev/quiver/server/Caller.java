package dev.quiver.server;

import dev.quiver.core.security.Principal;
import io.grpc.Context;
import java.util.Objects;

/**
 * Who sent a request to the server and from where; every endpoint acts for one.
 *
 * @param principal the authenticated principal ({@link Principal#ANONYMOUS} without authentication)
 * @param address the client's address ({@code host:port}), for the audit log
 */
public record Caller(Principal principal, String address) {
  /** Where gRPC calls find their caller (set by the authenticating interceptor). */
  public static final Context.Key<Caller> GRPC = Context.key("quiver-caller");

  public Caller {
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(address, "address");
  }

  /** An unauthenticated caller from {@code address}. */
  public static Caller anonymous(String address) {
    return new Caller(Principal.ANONYMOUS, address);
  }

  /** The caller of the current gRPC call, anonymous when none was set. */
  public static Caller ofGrpc() {
    Caller c = GRPC.get();
    return c == null ? anonymous("unknown") : c;
  }
}
