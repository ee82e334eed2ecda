package dev.quiver.registry.postgres;

import dev.quiver.core.Names;
import dev.quiver.core.QuiverException;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The {@code registry} section of {@code quiver.yaml} for {@code type: postgres}, checked.
 *
 * @param url the JDBC URL, {@code jdbc:postgresql://host:5432/db}
 * @param user the login user, or null for the driver's default
 * @param password the password, or null; never shown ({@link #toString()} leaves it out)
 * @param schema the schema holding the registry's tables, a lower-case SQL identifier
 * @param poolSize the most connections one process opens
 */
record PostgresSettings(String url, String user, String password, String schema, int poolSize) {
  static final String DEFAULT_SCHEMA = "quiver";
  static final int DEFAULT_POOL_SIZE = 4;
  static final int MAX_POOL_SIZE = 64;
  private static final Set<String> OPTIONS = Set.of("type", "url", "user", "password", "schema", "pool_size");
  private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final String EXAMPLE = "jdbc:postgresql://db.example.com:5432/features";

  PostgresSettings {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(schema, "schema");
  }

  /**
   * Reads the options.
   *
   * @throws QuiverException naming the option and the fix; the message never holds the password
   */
  static PostgresSettings of(Map<String, Object> options) {
    Set<String> unknown = new TreeSet<>(options.keySet());
    unknown.removeAll(OPTIONS);
    if (!unknown.isEmpty()) {
      Set<String> known = new TreeSet<>(OPTIONS);
      known.remove("type");
      throw new QuiverException("unknown registry option" + (unknown.size() == 1 ? " '" : "s '")
          + String.join("', '", unknown) + "' for type postgres"
          + (unknown.size() == 1 ? Names.didYouMean(unknown.iterator().next(), known) : "")
          + " (known: " + String.join(", ", known) + ")");
    }
    String url = string(options, "url");
    if (url == null || url.isBlank()) {
      throw new QuiverException("registry.url is missing: the postgres registry needs a JDBC URL such as " + EXAMPLE);
    }
    url = url.strip();
    if (!url.startsWith("jdbc:postgresql:")) {
      throw new QuiverException("registry.url '" + displayUrl(url) + "' must start with jdbc:postgresql:, e.g. " + EXAMPLE);
    }
    if (url.contains("password=")) {
      throw new QuiverException("registry.url '" + displayUrl(url) + "' carries a password; move it to"
          + " registry.password, written as ${PGPASSWORD} or ${file:PATH} so it stays out of quiver.yaml");
    }
    String schema = string(options, "schema");
    schema = schema == null ? DEFAULT_SCHEMA : schema.strip();
    if (!SCHEMA.matcher(schema).matches()) {
      throw new QuiverException("registry.schema '" + schema + "' must be a lower-case SQL name (letters, digits, _;"
          + " up to 63), such as " + DEFAULT_SCHEMA);
    }
    return new PostgresSettings(url, string(options, "user"), string(options, "password"), schema, poolSize(options));
  }

  /** The URL as messages show it: without its query parameters, which may hold credentials. */
  String displayUrl() {
    return displayUrl(url);
  }

  static String displayUrl(String url) {
    int query = url.indexOf('?');
    String shown = query < 0 ? url : url.substring(0, query);
    return shown.replaceFirst("//[^/@]*@", "//");
  }

  /** Without the password. */
  @Override
  public String toString() {
    return "PostgresSettings[url=" + displayUrl() + ", user=" + user + ", schema=" + schema + ", poolSize=" + poolSize
        + "]";
  }

  private static String string(Map<String, Object> options, String name) {
    Object value = options.get(name);
    return switch (value) {
      case null -> null;
      case String s -> s;
      case Number n -> n.toString();
      default -> throw new QuiverException("registry." + name + " must be a single value");
    };
  }

  private static int poolSize(Map<String, Object> options) {
    Object value = options.get("pool_size");
    if (value == null) {
      return DEFAULT_POOL_SIZE;
    }
    int n;
    try {
      n = Integer.parseInt(String.valueOf(value).strip());
    } catch (NumberFormatException e) {
      n = -1;
    }
    if (n < 1 || n > MAX_POOL_SIZE) {
      throw new QuiverException("registry.pool_size must be a whole number from 1 to " + MAX_POOL_SIZE + ", not '"
          + value + "' (" + DEFAULT_POOL_SIZE + " is plenty: registry calls are short)");
    }
    return n;
  }
}
