package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.registry.RegistryStores;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.server.QuiverServer;
import dev.quiver.server.ServerOptions;
import dev.quiver.testkit.LocalPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server on a PostgreSQL registry polls it only once an hour here, yet serves a version applied
 * from another machine (another store instance) within a second: the commit's notification makes
 * it read the head at once. After its listening connection is ended by the database it reconnects
 * and still serves the next version within a second.
 */
class PostgresRegistryServeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static LocalPostgres pg;

  @TempDir Path tmp;

  @BeforeAll
  static void startPostgres() {
    pg = LocalPostgres.start();
  }

  @AfterAll
  static void stopPostgres() {
    pg.close();
  }

  @Test
  @Timeout(120)
  void aVersionAppliedElsewhereIsServedWithinASecondEvenAfterTheListenerIsKilled() throws Exception {
    String schema = pg.newSchema();
    Path r = tmp.resolve("repo");
    Cli init = Cli.run("init", r.toString(), "--rows", "500", "--start", "2026-01-01");
    assertThat(init.exitCode()).as(init.toString()).isZero();
    String yaml = Files.readString(r.resolve("quiver.yaml"));
    Files.writeString(r.resolve("quiver.yaml"), yaml.replace(
        "  type: file                 # the embedded default; versions live under .quiver/registry\n  path: .quiver/registry\n",
        "  type: postgres\n  url: " + pg.url() + "\n  user: " + LocalPostgres.USER
            + "\n  password: ${file:pg-password.txt}\n  schema: " + schema + "\n"));
    Files.writeString(r.resolve("pg-password.txt"), LocalPostgres.PASSWORD);
    Cli apply = Cli.run("apply", "--repo", r.toString());
    assertThat(apply.exitCode()).as(apply.toString()).isZero();

    try (FeatureRepo repo = FeatureRepo.open(r);
        QuiverServer server = QuiverServer.start(repo,
            ServerOptions.loopback().withPorts(0, -1).withRegistryPoll(Duration.ofHours(1)));
        HttpClient http = HttpClient.newHttpClient();
        RegistryStore elsewhere = RegistryStores.open(pg.registryOptions(schema), r)) {
      URI ready = URI.create("http://127.0.0.1:" + server.httpPort() + "/ready");
      assertThat(servedVersion(http, ready)).isEqualTo(1);

      long served = applyElsewhereAndTimeIt(elsewhere, http, ready, 2);
      assertThat(served).as("ms until version 2 was served").isLessThan(1_000);

      assertThat(pg.terminate("quiver-registry-listener")).as("listening connections ended").isEqualTo(1);
      served = applyElsewhereAndTimeIt(elsewhere, http, ready, 3);
      assertThat(served).as("ms until version 3 was served, after the listener was killed").isLessThan(1_000);

      served = applyElsewhereAndTimeIt(elsewhere, http, ready, 4);
      assertThat(served).as("ms until version 4 was served, on the new listening connection").isLessThan(1_000);
    }
  }

  /** Records version {@code next} (version 1's definitions again) and returns the ms until the server serves it. */
  private static long applyElsewhereAndTimeIt(RegistryStore elsewhere, HttpClient http, URI ready, long next)
      throws Exception {
    long start = System.nanoTime();
    elsewhere.commit(next - 1, elsewhere.read(1).definitions(), "elsewhere", "version " + next, Instant.now());
    long deadline = start + Duration.ofSeconds(5).toNanos();
    while (servedVersion(http, ready) != next && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(servedVersion(http, ready)).as("served version").isEqualTo(next);
    long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
    System.out.println("version " + next + " applied elsewhere was served after " + millis + " ms");
    return millis;
  }

  private static long servedVersion(HttpClient http, URI ready) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(ready).GET().build(), HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body()).path("registry_version").asLong();
  }
}
