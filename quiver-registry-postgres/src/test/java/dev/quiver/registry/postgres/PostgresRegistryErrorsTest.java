package dev.quiver.registry.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import dev.quiver.testkit.LocalPostgres;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a user sees when the registry database cannot be used: one line naming the URL (without
 * credentials) and the fix, never the password.
 */
class PostgresRegistryErrorsTest {
  private static LocalPostgres pg;

  @BeforeAll
  static void startPostgres() {
    pg = LocalPostgres.start();
  }

  @AfterAll
  static void stopPostgres() {
    pg.close();
  }

  private static void open(Map<String, Object> options) {
    new PostgresRegistryProvider().open(options, Path.of(".")).close();
  }

  @Test
  void anUnreachableServerIsNamedWithoutCredentials() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Map<String, Object> options = pg.registryOptions(pg.newSchema());
    String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/postgres";
    options.put("url", url + "?sslmode=disable");

    assertThatThrownBy(() -> open(options))
        .isInstanceOf(QuiverException.class)
        .hasMessageStartingWith("cannot reach the PostgreSQL registry at " + url + " (")
        .hasMessageEndingWith("check registry.url in quiver.yaml and that the server is running")
        .hasMessageNotContaining("\n")
        .hasMessageNotContaining("sslmode")
        .hasMessageNotContaining(LocalPostgres.PASSWORD);
  }

  @Test
  void aWrongPasswordIsRefusedAndNeverEchoed() {
    Map<String, Object> options = pg.registryOptions(pg.newSchema());
    options.put("password", "not-the-password-42");

    assertThatThrownBy(() -> open(options))
        .isInstanceOf(QuiverException.class)
        .hasMessage("PostgreSQL at " + pg.url() + " refused the login of user '" + LocalPostgres.USER + "': wrong password or user;"
            + " check registry.user and registry.password in quiver.yaml");
  }

  @Test
  void aUserWithoutSchemaPermissionIsToldWhatToGrant() {
    pg.execute("CREATE ROLE reader LOGIN PASSWORD 'reader-secret-7'");
    Map<String, Object> options = pg.registryOptions("teams");
    options.put("user", "reader");
    options.put("password", "reader-secret-7");

    assertThatThrownBy(() -> open(options))
        .isInstanceOf(QuiverException.class)
        .hasMessageStartingWith("user 'reader' may not use or create schema 'teams' at " + pg.url() + " (")
        .hasMessageContaining("GRANT USAGE, CREATE ON SCHEMA teams")
        .hasMessageNotContaining("\n")
        .hasMessageNotContaining("reader-secret-7");

    pg.execute("GRANT CREATE ON DATABASE postgres TO reader");
    open(options); // with the grant, the same user creates the schema and its tables
  }

  @Test
  void optionsAreCheckedWithTheFix() {
    Map<String, Object> noUrl = new LinkedHashMap<>(Map.of("type", "postgres"));
    assertThatThrownBy(() -> open(noUrl)).hasMessageStartingWith("registry.url is missing");

    Map<String, Object> inUrl = pg.registryOptions(pg.newSchema());
    inUrl.put("url", pg.url() + "?user=postgres&password=" + LocalPostgres.PASSWORD);
    assertThatThrownBy(() -> open(inUrl))
        .hasMessageContaining("carries a password; move it to registry.password")
        .hasMessageNotContaining(LocalPostgres.PASSWORD);

    Map<String, Object> typo = pg.registryOptions(pg.newSchema());
    typo.put("pasword", "x");
    assertThatThrownBy(() -> open(typo)).hasMessageContaining("unknown registry option 'pasword'")
        .hasMessageContaining("password");

    Map<String, Object> schema = pg.registryOptions("Bad-Schema");
    assertThatThrownBy(() -> open(schema)).hasMessageContaining("registry.schema 'Bad-Schema' must be");
  }
}
