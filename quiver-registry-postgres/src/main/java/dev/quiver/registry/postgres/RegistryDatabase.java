package dev.quiver.registry.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.quiver.core.QuiverException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * The PostgreSQL database a registry lives in: a small HikariCP pool, the schema brought up to date
 * with Flyway on open, and the translation of driver errors into one-line {@link QuiverException}s
 * that name the URL (without credentials) and the fix, never the password.
 *
 * <p>Thread-safe: connections come from the pool, one per call.
 */
final class RegistryDatabase implements AutoCloseable {
  /** The newest schema version this code knows: the highest {@code V<N>__*.sql} in migrations/. */
  static final int SCHEMA_VERSION = 3;

  static final String MIGRATIONS = "classpath:dev/quiver/registry/postgres/migrations";
  private static final String HISTORY = "flyway_schema_history";
  private static final AtomicInteger POOLS = new AtomicInteger();

  // Pool start-up and "schema is up to date" lines would be printed by every CLI command: keep
  // the two libraries to warnings. Held here so the levels are not garbage-collected.
  private static final Logger HIKARI_LOG = quiet("com.zaxxer.hikari");
  private static final Logger FLYWAY_LOG = quiet("org.flywaydb");

  private final PostgresSettings settings;
  private final HikariDataSource pool;

  private RegistryDatabase(PostgresSettings settings, HikariDataSource pool) {
    this.settings = settings;
    this.pool = pool;
  }

  /**
   * Connects and brings the schema up to date (creating it and its tables on first use).
   *
   * @throws QuiverException when the server cannot be reached, refuses the login, or the user may not
   *     use or create the schema; one line naming the URL without credentials
   */
  static RegistryDatabase open(PostgresSettings settings) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("quiver-registry-" + POOLS.incrementAndGet());
    config.setJdbcUrl(settings.url());
    if (settings.user() != null) {
      config.setUsername(settings.user());
    }
    if (settings.password() != null) {
      config.setPassword(settings.password());
    }
    config.setMaximumPoolSize(settings.poolSize());
    config.setMinimumIdle(1);
    config.setConnectionTimeout(10_000);
    config.setInitializationFailTimeout(1);
    config.addDataSourceProperty("connectTimeout", "5");
    config.addDataSourceProperty("ApplicationName", "quiver");
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw translate(settings, "connect", e);
    }
    RegistryDatabase db = new RegistryDatabase(settings, pool);
    try {
      db.migrate();
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
    return db;
  }

  /** A connection from the pool; the caller closes it. */
  Connection connection() throws SQLException {
    return pool.getConnection();
  }

  /**
   * A connection of its own, outside the pool, for one long-lived use (listening for
   * notifications); the caller closes it.
   *
   * @param applicationName the {@code application_name} it shows in {@code pg_stat_activity}
   */
  Connection dedicatedConnection(String applicationName) throws SQLException {
    Properties props = new Properties();
    if (settings.user() != null) {
      props.setProperty("user", settings.user());
    }
    if (settings.password() != null) {
      props.setProperty("password", settings.password());
    }
    props.setProperty("connectTimeout", "5");
    props.setProperty("tcpKeepAlive", "true");
    props.setProperty("ApplicationName", applicationName);
    Connection c = new org.postgresql.Driver().connect(settings.url(), props);
    if (c == null) {
      throw new SQLException("the PostgreSQL driver does not accept the URL", "08001");
    }
    return c;
  }

  /** {@code "schema".name}, for SQL. */
  String table(String name) {
    return "\"" + settings.schema() + "\"." + name;
  }

  PostgresSettings settings() {
    return settings;
  }

  /** The failure of {@code what} ("read the registry head") as a one-line message. */
  QuiverException failure(String what, Exception e) {
    return translate(settings, what, e);
  }

  @Override
  public void close() {
    pool.close();
  }

  // ---- migrations -------------------------------------------------------------------------------

  private void migrate() {
    int current = schemaVersion();
    if (current == SCHEMA_VERSION) {
      return;
    }
    if (current > SCHEMA_VERSION) {
      throw new QuiverException("the registry at " + settings.displayUrl() + " (schema " + settings.schema()
          + ") has schema version " + current + ", newer than this Quiver understands (" + SCHEMA_VERSION
          + "); upgrade Quiver");
    }
    try {
      Flyway.configure(RegistryDatabase.class.getClassLoader())
          .dataSource(pool)
          .schemas(settings.schema())
          .defaultSchema(settings.schema())
          .table(HISTORY)
          .locations(MIGRATIONS)
          .load()
          .migrate();
    } catch (FlywayException e) {
      throw translate(settings, "create the registry tables in schema " + settings.schema(), e);
    }
  }

  /** The schema version recorded by Flyway, or 0 when the schema or its history table is missing. */
  private int schemaVersion() {
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      try (ResultSet exists = s.executeQuery("SELECT to_regclass('" + table(HISTORY) + "') IS NOT NULL")) {
        exists.next();
        if (!exists.getBoolean(1)) {
          return 0;
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT coalesce(max(version::int), 0) FROM " + table(HISTORY)
          + " WHERE success AND version IS NOT NULL")) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (SQLException e) {
      throw translate(settings, "read the registry schema version", e);
    }
  }

  // ---- errors -----------------------------------------------------------------------------------

  static QuiverException translate(PostgresSettings settings, String what, Throwable e) {
    SQLException sql = sqlCause(e);
    String url = settings.displayUrl();
    String user = settings.user() == null ? "(the default user)" : "'" + settings.user() + "'";
    if (sql == null) {
      return new QuiverException("the PostgreSQL registry at " + url + " failed to " + what + ": " + firstLine(e), e);
    }
    String state = sql.getSQLState() == null ? "" : sql.getSQLState();
    String message;
    if (state.startsWith("08")) {
      message = "cannot reach the PostgreSQL registry at " + url + " (" + firstLine(sql)
          + "); check registry.url in quiver.yaml and that the server is running";
    } else if (state.equals("28P01") || state.equals("28000")) {
      message = "PostgreSQL at " + url + " refused the login of user " + user
          + ": wrong password or user; check registry.user and registry.password in quiver.yaml";
    } else if (state.equals("3D000")) {
      message = "the database in registry.url " + url + " does not exist; create it (CREATE DATABASE) or fix the URL";
    } else if (state.equals("42501")) {
      message = "user " + user + " may not use or create schema '" + settings.schema() + "' at " + url
          + " (" + firstLine(sql) + "); ask an administrator to run GRANT USAGE, CREATE ON SCHEMA "
          + settings.schema() + " (or GRANT CREATE ON DATABASE, for a new schema) to that user";
    } else {
      message = "the PostgreSQL registry at " + url + " failed to " + what + ": " + firstLine(sql)
          + (state.isEmpty() ? "" : " (SQL state " + state + ")");
    }
    return new QuiverException(message, e);
  }

  private static SQLException sqlCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s) {
        return s;
      }
    }
    return null;
  }

  /** The first line of the message, without PostgreSQL's "FATAL: "/"ERROR: " prefix. */
  private static String firstLine(Throwable e) {
    String m = String.valueOf(e.getMessage()).strip();
    int nl = m.indexOf('\n');
    m = nl < 0 ? m : m.substring(0, nl).strip();
    return m.replaceFirst("^(FATAL|ERROR): ", "");
  }

  private static Logger quiet(String name) {
    Logger logger = Logger.getLogger(name);
    if (logger.getLevel() == null) {
      logger.setLevel(Level.WARNING);
    }
    return logger;
  }
}
