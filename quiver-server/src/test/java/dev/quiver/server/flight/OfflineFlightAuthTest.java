package dev.quiver.server.flight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.core.security.AuditEvent;
import dev.quiver.server.QuiverServer;
import dev.quiver.server.ServerOptions;
import dev.quiver.server.auth.ApiTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training sets over Flight with authentication and permissions on: Feast's {@code authorization:
 * Bearer <token>} header authenticates the call, {@code read_offline} is needed on every view read,
 * and a denial is a Flight {@code UNAUTHORIZED} error naming the principal, the action and the
 * resource, recorded in the audit log.
 */
class OfflineFlightAuthTest {
  @TempDir static Path tmp;
  static FeatureRepo repo;
  static QuiverServer server;
  static String analyst;
  static String intern;

  @BeforeAll
  static void start() throws Exception {
    Path root = FlightRepo.create(tmp.resolve("repo"), 11, "server: {auth: tokens}");
    Files.writeString(root.resolve("features/defs.yaml"), FlightRepo.DEFINITIONS + """
        permissions:
          - {name: analysts, roles: [analyst], actions: [read_offline], resources: {kinds: [feature_view, on_demand_view]}}
        """);
    repo = FeatureRepo.open(root);
    repo.apply(repo.plan(false), "test", "permissions", false);
    analyst = issue("ana", "analyst");
    intern = issue("eve", "intern");
    server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, 0));
  }

  static String issue(String name, String role) {
    ApiTokens.Issued issued = ApiTokens.issue(name, Set.of(role), Optional.of(Duration.ofDays(1)), Clock.systemUTC());
    repo.registry().tokens().create(issued.record());
    return issued.token();
  }

  @AfterAll
  static void stop() {
    server.close();
    repo.close();
  }

  @Test
  void theBearerTokenAuthenticatesAndReadOfflineAuthorizes() throws Exception {
    List<FlightRepo.QueryRow> rows = FlightRepo.queryRows(12, 50);
    var refs = List.of("stats:amount", "ratio:price_ratio");
    try (FlightClientAccess ok = new FlightClientAccess(server.grpcPort(), analyst)) {
      assertThat(ok.exchange(OfflineFlightTest.historical(refs, false), rows, 50).rows()).hasSize(50);
    }
    try (FlightClientAccess denied = new FlightClientAccess(server.grpcPort(), intern)) {
      assertThatThrownBy(() -> denied.exchange(OfflineFlightTest.historical(refs, false), rows, 50))
          .isInstanceOfSatisfying(FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHORIZED))
          .hasMessageContaining("eve").hasMessageContaining("read_offline").hasMessageContaining("stats");
    }
    try (FlightClientAccess anonymous = new FlightClientAccess(server.grpcPort(), null)) {
      assertThatThrownBy(() -> anonymous.exchange(OfflineFlightTest.historical(refs, false), rows, 50))
          .isInstanceOfSatisfying(FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHENTICATED));
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    List<AuditEvent> denials;
    do {
      denials = repo.registry().audit().read(java.time.Instant.EPOCH, 1000).stream()
          .filter(e -> e.outcome().equals("denied") && e.principal().equals("eve")).toList();
    } while (denials.isEmpty() && System.nanoTime() < deadline && sleep());
    assertThat(denials).isNotEmpty();
    assertThat(denials.get(0).action()).isEqualTo("read_offline");
  }

  private static boolean sleep() {
    try {
      Thread.sleep(50);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
