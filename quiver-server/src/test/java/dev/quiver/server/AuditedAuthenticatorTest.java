package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.security.AuditEvent;
import dev.quiver.core.security.AuthenticationException;
import dev.quiver.core.security.Principal;
import dev.quiver.registry.file.FileRegistryProvider;
import dev.quiver.server.auth.Authenticator;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Token use and authentication failures reach the audit log (a real file registry's) without flooding
 * it: one {@code token_use} per principal, method and client host per window; at most {@code limit}
 * failures per host per window, the next one recorded counting those that were not.
 */
class AuditedAuthenticatorTest {
  static final String SECRET = "qvr_abcdefabcdef_s3cr3tvalue-that-must-not-appear";
  static final Principal BOT = new Principal("ci-bot", Set.of("reader"), "token");
  static final Principal ALICE = new Principal("alice", Set.of("risk"), "jwt");

  @TempDir Path dir;
  RegistryStore registry;
  AuditTrail trail;
  AuditedAuthenticator auth;
  final AtomicLong now = new AtomicLong();

  /** Accepts "Bearer bot" and "Bearer alice"; anything else is refused with a reason. */
  static final Authenticator CHECK = new Authenticator() {
    @Override
    public Principal authenticate(String authorization) {
      return switch (String.valueOf(authorization)) {
        case "Bearer bot" -> BOT;
        case "Bearer alice" -> ALICE;
        case "null" -> throw new AuthenticationException("no credentials");
        default -> throw new AuthenticationException("unknown API token");
      };
    }

    @Override
    public boolean enabled() {
      return true;
    }
  };

  @BeforeEach
  void open() {
    registry = new FileRegistryProvider().open(Map.of(), dir);
    trail = new AuditTrail(registry.audit());
    Guard guard = new Guard(null, trail, Clock.systemUTC());
    auth = new AuditedAuthenticator(CHECK, guard, FailureLog.UNCOUNTED, now::get, Duration.ofMinutes(10), Duration.ofMinutes(1), 3);
  }

  @AfterEach
  void close() {
    trail.close();
    registry.close();
  }

  private List<AuditEvent> events() {
    trail.close(Duration.ofSeconds(10)); // appends what is queued
    return registry.audit().read(Instant.EPOCH, 10_000);
  }

  @Test
  void aTokenUseIsRecordedOncePerPrincipalMethodAndHostPerWindow() {
    for (int i = 0; i < 500; i++) {
      assertThat(auth.authenticate("Bearer bot", "/10.0.0.1:" + (40000 + i))).isEqualTo(BOT); // new port, same host
    }
    auth.authenticate("Bearer bot", "/10.0.0.2:40000");
    auth.authenticate("Bearer alice", "/10.0.0.1:40000");
    auth.connected(new Principal("scorer", Set.of(), "mtls"), "/10.0.0.3:5000");
    auth.connected(new Principal("scorer", Set.of(), "mtls"), "/10.0.0.3:5001");
    now.addAndGet(Duration.ofMinutes(9).toNanos());
    auth.authenticate("Bearer bot", "/10.0.0.1:1");
    now.addAndGet(Duration.ofMinutes(1).toNanos());
    auth.authenticate("Bearer bot", "/10.0.0.1:2"); // a new window

    List<AuditEvent> events = events();
    assertThat(events).allSatisfy(e -> {
      assertThat(e.action()).isEqualTo("token_use");
      assertThat(e.outcome()).isEqualTo("ok");
    });
    assertThat(events).extracting(e -> e.principal() + " " + e.method() + " " + AuditedAuthenticator.host(e.client()))
        .containsExactly("ci-bot token 10.0.0.1", "ci-bot token 10.0.0.2", "alice jwt 10.0.0.1", "scorer mtls 10.0.0.3",
            "ci-bot token 10.0.0.1");
    assertThat(events.getFirst().client()).isEqualTo("/10.0.0.1:40000");
  }

  @Test
  void failuresAreRecordedWithTheReasonRateLimitedPerHostAndTheSuppressedOnesCounted() {
    for (int i = 0; i < 1000; i++) {
      assertThatThrownBy(() -> auth.authenticate("Bearer " + SECRET, "/10.9.9.9:1234")).isInstanceOf(AuthenticationException.class);
    }
    assertThatThrownBy(() -> auth.authenticate(null, "/10.1.1.1:1")).hasMessage("no credentials"); // another host: its own limit
    now.addAndGet(Duration.ofMinutes(1).toNanos());
    assertThatThrownBy(() -> auth.authenticate("Bearer nope", "/10.9.9.9:1235")).isInstanceOf(AuthenticationException.class);

    List<AuditEvent> events = events();
    assertThat(events).hasSize(5).allSatisfy(e -> {
      assertThat(e.action()).isEqualTo("authentication_failed");
      assertThat(e.outcome()).isEqualTo("denied");
      assertThat(e.principal()).isEqualTo("anonymous");
      assertThat(e.toString()).doesNotContain("s3cr3t").doesNotContain("abcdefabcdef");
    });
    assertThat(events.subList(0, 3)).extracting(AuditEvent::detail).containsOnly("unknown API token");
    assertThat(events.get(3).detail()).isEqualTo("no credentials");
    assertThat(events.get(3).client()).isEqualTo("/10.1.1.1:1");
    assertThat(events.get(4).detail()).startsWith("unknown API token; 997 earlier failures from 10.9.9.9 were not recorded");
  }

  @Test
  void hostDropsThePort() {
    assertThat(AuditedAuthenticator.host("/127.0.0.1:50412")).isEqualTo("127.0.0.1");
    assertThat(AuditedAuthenticator.host("/0:0:0:0:0:0:0:1:50412")).isEqualTo("0:0:0:0:0:0:0:1");
    assertThat(AuditedAuthenticator.host("unknown")).isEqualTo("unknown");
  }
}
