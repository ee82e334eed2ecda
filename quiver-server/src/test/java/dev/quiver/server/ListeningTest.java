package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import dev.quiver.server.http.HttpFrontEnd;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Safe defaults: loopback unless told otherwise; any other address needs authentication configured
 * ({@code server.auth}) or {@code --insecure}, which is logged as a warning and reported by /health.
 * (The checks run before anything binds, so no test listens beyond 127.0.0.1.)
 */
class ListeningTest {
  @Test
  void theDefaultAddressIsLoopback() {
    assertThat(ServerOptions.defaults().host()).isEqualTo("127.0.0.1");
    assertThat(ServerOptions.defaults().insecure()).isFalse();
  }

  @Test
  void anyOtherAddressWithoutAuthenticationIsRefusedInOneLineNamingBothFixes() {
    for (Map<String, Object> server : List.<Map<String, Object>>of(Map.of(), Map.of("auth", "none"), Map.of("auth", " "))) {
      assertThatThrownBy(() -> QuiverServer.checkExposure(ServerOptions.defaults().withHost("0.0.0.0"), server))
          .isInstanceOf(QuiverException.class)
          .hasMessageContaining("0.0.0.0")
          .hasMessageContaining("auth: tokens")
          .hasMessageContaining("--insecure")
          .message().doesNotContain("\n");
    }
  }

  @Test
  void loopbackNeedsNothingAndConfiguredAuthenticationAllowsEveryAddress() {
    for (String host : List.of("127.0.0.1", "localhost", "::1")) {
      assertThat(QuiverServer.checkExposure(ServerOptions.defaults().withHost(host), Map.of())).as(host).isFalse();
    }
    for (String auth : List.of("tokens", "oidc", "tokens,oidc")) {
      assertThat(QuiverServer.checkExposure(ServerOptions.defaults().withHost("0.0.0.0"), Map.of("auth", auth))).isFalse();
    }
  }

  @Test
  void insecureIsAllowedAndWarnedAboutOnEveryStart() {
    List<LogRecord> records = new ArrayList<>();
    Logger log = Logger.getLogger(QuiverServer.class.getName());
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        records.add(r);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    log.addHandler(capture);
    try {
      ServerOptions exposed = ServerOptions.defaults().withHost("0.0.0.0").withInsecure(true);
      assertThat(QuiverServer.checkExposure(exposed, Map.of())).isTrue();
      assertThat(QuiverServer.checkExposure(exposed, Map.of())).isTrue();
    } finally {
      log.removeHandler(capture);
    }
    assertThat(records).hasSize(2).allSatisfy(r -> {
      assertThat(r.getLevel()).isEqualTo(Level.WARNING);
      assertThat(r.getMessage()).startsWith("INSECURE").contains("0.0.0.0").contains("server.auth");
    });
  }

  @Test
  void healthSaysInsecureWhenTheServerIsExposedWithoutAuthentication() throws Exception {
    ExecutorService workers = Executors.newFixedThreadPool(1);
    FeatureServing serving = GracefulShutdownTest.slow(new CountDownLatch(1));
    try (HttpFrontEnd insecure = HttpFrontEnd.start(ServerOptions.loopback().withInsecure(true), serving, null,
            new ServerMetrics(), workers);
        HttpFrontEnd safe = HttpFrontEnd.start(ServerOptions.loopback(), serving, null, new ServerMetrics(), workers);
        Http a = new Http(insecure.port());
        Http b = new Http(safe.port())) {
      assertThat(a.get("/health").json().get("insecure").asBoolean()).isTrue();
      assertThat(b.get("/health").json().has("insecure")).isFalse();
    } finally {
      workers.shutdownNow();
    }
  }

  @Test
  void insecureOnLoopbackChangesNothing() {
    assertThat(QuiverServer.checkExposure(ServerOptions.loopback().withInsecure(true), Map.of())).isFalse();
  }
}
