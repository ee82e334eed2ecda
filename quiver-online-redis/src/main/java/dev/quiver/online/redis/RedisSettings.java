package dev.quiver.online.redis;

import dev.quiver.core.Names;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.Durations;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The parsed {@code online} section of {@code quiver.yaml} for {@code type: redis}; see {@link
 * RedisOnlineStoreProvider} for the options. Immutable.
 *
 * @param uris the standalone server (one) or the cluster's seed nodes (one or more), with TLS and
 *     credentials applied and {@link RedisURI#getTimeout()} set to the command timeout
 * @param cluster whether {@code uris} are Redis Cluster seeds
 * @param connectTimeout how long opening a TCP (and TLS) connection may take
 * @param commandTimeout how long any one call may wait for Redis to answer
 * @param poolSize how many multiplexed connections calls are spread over
 * @param keyPrefix the first part of every key the store writes
 */
record RedisSettings(
    List<RedisURI> uris, boolean cluster, Duration connectTimeout, Duration commandTimeout, int poolSize,
    String keyPrefix) {

  static final String DEFAULT_URL = "redis://localhost:6379";
  static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(1);
  static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMillis(500);
  static final int DEFAULT_POOL_SIZE = 2;
  static final int MAX_POOL_SIZE = 64;
  static final String DEFAULT_KEY_PREFIX = "quiver";

  /** Every option {@code type: redis} takes ({@code type} itself included). */
  static final Set<String> OPTIONS = new LinkedHashSet<>(List.of(
      "type", "url", "cluster", "username", "password", "tls", "connect_timeout", "command_timeout",
      "pool_size", "key_prefix"));

  RedisSettings {
    uris = List.copyOf(uris);
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(commandTimeout, "commandTimeout");
    Objects.requireNonNull(keyPrefix, "keyPrefix");
  }

  /**
   * Parses and checks the options.
   *
   * @throws QuiverException naming every unknown option, or the first malformed one
   */
  static RedisSettings parse(Map<String, Object> options) {
    Objects.requireNonNull(options, "options");
    Set<String> unknown = new TreeSet<>(options.keySet());
    unknown.removeAll(OPTIONS);
    if (!unknown.isEmpty()) {
      Set<String> known = new LinkedHashSet<>(OPTIONS);
      known.remove("type");
      throw new QuiverException("unknown online option" + (unknown.size() == 1 ? " '" : "s '")
          + String.join("', '", unknown) + "' for type redis"
          + (unknown.size() == 1 ? Names.didYouMean(unknown.iterator().next(), known) : "")
          + " (known: " + String.join(", ", known) + ")");
    }
    boolean cluster = bool(options, "cluster", false);
    Boolean tls = options.get("tls") == null ? null : bool(options, "tls", false);
    String username = string(options, "username");
    String password = string(options, "password");
    if (username != null && password == null) {
      throw new QuiverException("online.username is set but online.password is not; Redis ACL users need both");
    }
    Duration connectTimeout = duration(options, "connect_timeout", DEFAULT_CONNECT_TIMEOUT);
    Duration commandTimeout = duration(options, "command_timeout", DEFAULT_COMMAND_TIMEOUT);
    int poolSize = poolSize(options);
    String prefix = keyPrefix(options);

    List<String> urls = urls(options);
    if (urls.size() > 1 && !cluster) {
      String listed = urls.stream().map(RedisSettings::redact).collect(Collectors.joining(", "));
      throw new QuiverException("online.url lists " + urls.size() + " servers (" + listed + "); several URLs are the"
          + " seed nodes of a Redis Cluster: add 'cluster: true', or give one URL");
    }
    List<RedisURI> uris = new ArrayList<>();
    for (String url : urls) {
      RedisURI uri = uri(url);
      if (tls != null && !tls && uri.isSsl()) {
        throw new QuiverException("online.url '" + redact(url) + "' uses rediss:// (TLS) but online.tls is false; "
            + "use redis:// or drop 'tls: false'");
      }
      if (Boolean.TRUE.equals(tls)) {
        uri.setSsl(true);
      }
      if (cluster && uri.getDatabase() != 0) {
        throw new QuiverException("online.url '" + redact(url) + "' selects database " + uri.getDatabase()
            + "; a Redis Cluster has only database 0");
      }
      if (password != null) {
        if (username != null) {
          uri.setAuthentication(username, password.toCharArray());
        } else {
          uri.setAuthentication(password.toCharArray());
        }
      }
      uri.setTimeout(commandTimeout);
      uris.add(uri);
    }
    return new RedisSettings(uris, cluster, connectTimeout, commandTimeout, poolSize, prefix);
  }

  /** How messages name the store: {@code redis at host:port} or {@code redis cluster at host:port,host:port}. */
  String endpoint() {
    return (cluster ? "redis cluster at " : "redis at ")
        + uris.stream().map(u -> u.getHost() + ":" + u.getPort()).collect(Collectors.joining(","));
  }

  private static List<String> urls(Map<String, Object> options) {
    Object value = options.get("url");
    List<String> urls = new ArrayList<>();
    switch (value) {
      case null -> urls.add(DEFAULT_URL);
      case String s -> {
        for (String part : s.split(",")) {
          if (!part.isBlank()) {
            urls.add(part.strip());
          }
        }
      }
      case List<?> list -> {
        for (Object o : list) {
          if (!(o instanceof String s) || s.isBlank()) {
            throw new QuiverException("online.url must be a redis:// URL or a list of them, found an entry '"
                + (o == null ? null : redact(o.toString())) + "'");
          }
          urls.add(s.strip());
        }
      }
      default -> throw new QuiverException("online.url must be a redis:// URL (or a list of them), not '" + value + "'");
    }
    if (urls.isEmpty()) {
      throw new QuiverException("online.url is empty; give a URL such as " + DEFAULT_URL);
    }
    return urls;
  }

  /** The URL without its password, for messages. */
  static String redact(String url) {
    return url.replaceFirst("//[^/@]*@", "//***@");
  }

  private static RedisURI uri(String url) {
    String lower = url.toLowerCase(Locale.ROOT);
    if (!lower.startsWith("redis://") && !lower.startsWith("rediss://")) {
      throw new QuiverException("online.url '" + redact(url) + "' must start with redis:// (or rediss:// for TLS), e.g. "
          + DEFAULT_URL);
    }
    try {
      RedisURI uri = RedisURI.create(url);
      if (uri.getHost() == null || uri.getHost().isBlank()) {
        throw new IllegalArgumentException("no host");
      }
      return uri;
    } catch (RuntimeException e) {
      throw new QuiverException("online.url '" + redact(url) + "' is not a Redis URL (" + e.getMessage()
          + "); expected redis://[user:password@]host[:port][/database]", e);
    }
  }

  private static boolean bool(Map<String, Object> options, String name, boolean fallback) {
    Object value = options.get(name);
    return switch (value) {
      case null -> fallback;
      case Boolean b -> b;
      case String s when s.strip().equalsIgnoreCase("true") -> true;
      case String s when s.strip().equalsIgnoreCase("false") -> false;
      default -> throw new QuiverException("online." + name + " must be true or false, not '" + value + "'");
    };
  }

  private static String string(Map<String, Object> options, String name) {
    Object value = options.get(name);
    return switch (value) {
      case null -> null;
      case String s -> s;
      case Number n -> n.toString(); // YAML reads a numeric password as a number
      default -> throw new QuiverException("online." + name + " must be a string");
    };
  }

  private static Duration duration(Map<String, Object> options, String name, Duration fallback) {
    Object value = options.get(name);
    Duration d = switch (value) {
      case null -> fallback;
      case Duration given -> given;
      case String s -> Durations.parse(s).orElseThrow(() -> new QuiverException(
          "online." + name + " must be a duration such as 500ms or 2s, not '" + s + "'"));
      default -> throw new QuiverException("online." + name + " must be a duration with a unit, such as 500ms or 2s, not '"
          + value + "'");
    };
    if (d.isNegative() || d.isZero()) {
      throw new QuiverException("online." + name + " must be longer than zero, not '" + value + "'");
    }
    return d;
  }

  private static int poolSize(Map<String, Object> options) {
    Object value = options.get("pool_size");
    if (value == null) {
      return DEFAULT_POOL_SIZE;
    }
    int n;
    try {
      n = value instanceof Integer i ? i : Integer.parseInt(String.valueOf(value).strip());
    } catch (NumberFormatException e) {
      n = -1;
    }
    if (n < 1 || n > MAX_POOL_SIZE) {
      throw new QuiverException("online.pool_size must be a whole number from 1 to " + MAX_POOL_SIZE + ", not '" + value
          + "' (Lettuce connections are shared by all threads; " + DEFAULT_POOL_SIZE + " is plenty for most servers)");
    }
    return n;
  }

  private static String keyPrefix(Map<String, Object> options) {
    Object value = options.get("key_prefix");
    if (value == null) {
      return DEFAULT_KEY_PREFIX;
    }
    if (!(value instanceof String s) || s.isEmpty() || s.indexOf('{') >= 0 || s.indexOf('}') >= 0) {
      throw new QuiverException("online.key_prefix must be a non-empty string without '{' or '}' (they would break the"
          + " hash tag of the keys), not '" + value + "'");
    }
    return s;
  }
}
