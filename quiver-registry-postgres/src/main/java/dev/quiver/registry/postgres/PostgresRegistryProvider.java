package dev.quiver.registry.postgres;

import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.registry.RegistryStoreProvider;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Opens a registry kept in PostgreSQL, {@code registry.type: postgres} in {@code quiver.yaml}:
 *
 * <pre>{@code
 * registry:
 *   type: postgres
 *   url: jdbc:postgresql://db.example.com:5432/features
 *   user: quiver
 *   password: ${PGPASSWORD}     # a secret: from the environment or ${file:PATH}
 *   schema: quiver              # the default
 *   pool_size: 4                # the default; connections per process
 * }</pre>
 *
 * <p>Opening connects, and creates or upgrades the schema's tables (versioned migrations, Flyway),
 * so many machines can share one registry: commits are conditional on the planned head across all
 * of them (see {@link PostgresRegistryStore}).
 *
 * <p>Found by {@link java.util.ServiceLoader}; stateless and thread-safe.
 */
public final class PostgresRegistryProvider implements RegistryStoreProvider {

  /** The {@code registry.type} this provider opens. */
  public static final String TYPE = "postgres";

  /** For {@link java.util.ServiceLoader}. */
  public PostgresRegistryProvider() {}

  /** Returns {@value #TYPE}. */
  @Override
  public String type() {
    return TYPE;
  }

  /**
   * Connects to the database and brings the registry's schema up to date.
   *
   * @param options the {@code registry} section: {@code url} (required), {@code user}, {@code
   *     password}, {@code schema}, {@code pool_size}
   * @param repoRoot unused: nothing of this registry lives in the repo
   * @return an open store; close it to close its connections
   * @throws dev.quiver.core.QuiverException when an option is wrong, the server cannot be reached,
   *     refuses the login or the schema; the message names the URL without credentials and never
   *     holds the password
   * @throws NullPointerException when an argument is null
   */
  @Override
  public RegistryStore open(Map<String, Object> options, Path repoRoot) {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(repoRoot, "repoRoot");
    return new PostgresRegistryStore(RegistryDatabase.open(PostgresSettings.of(options)));
  }
}
