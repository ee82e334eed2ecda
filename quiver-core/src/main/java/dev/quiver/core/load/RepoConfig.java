package dev.quiver.core.load;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The contents of a feature repo's {@code quiver.yaml}.
 *
 * <pre>{@code
 * project: payments
 * registry: {type: file, path: .quiver/registry}
 * offline:  {engine: duckdb}
 * online:   {type: rocksdb, path: .quiver/online}
 * definitions: [features]        # folders or files holding definitions; default: the whole repo
 * classpath: [lib/*.jar]          # jars (or class folders) holding custom transforms; globs allowed
 * server:   {tls_cert: ..., ...}   # how quiver serve listens and authenticates (docs/security.md)
 * feature_logging: {path: feature_logs, roll_every: 5m}   # where served rows are logged (docs/monitoring.md)
 * monitoring: {skew: {every: 1h, lookback: 1h}}   # what quiver serve checks on a schedule (docs/monitoring.md)
 * }</pre>
 *
 * @param root the repo folder (absolute)
 * @param registry the registry section; {@code type} selects the store (default {@code file})
 * @param offline the offline section, passed to the offline engine
 * @param online the online section, passed to the online store
 * @param definitions folders or files, relative to root, scanned for definition YAML
 * @param classpath jars or class folders, relative to root (globs allowed), that custom transforms are
 *     loaded from ({@link TransformClasspath})
 * @param server the server section: TLS, authentication (flat keys; docs/security.md)
 * @param featureLogging the feature_logging section: where and how the server writes the rows feature
 *     services with {@code logging:} serve (flat keys; empty when absent; docs/monitoring.md)
 * @param monitoring the monitoring section: per check ({@code skew}), a map of its settings as strings
 *     ({@link dev.quiver.core.monitor.SkewSchedule})
 */
public record RepoConfig(
    Path root,
    String project,
    Map<String, Object> registry,
    Map<String, Object> offline,
    Map<String, Object> online,
    List<String> definitions,
    List<String> classpath,
    Map<String, Object> server,
    Map<String, Object> featureLogging,
    Map<String, Object> monitoring) {
  public RepoConfig {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(project, "project");
    registry = Map.copyOf(registry);
    offline = Map.copyOf(offline);
    online = Map.copyOf(online);
    definitions = List.copyOf(definitions);
    classpath = List.copyOf(classpath);
    server = Map.copyOf(server);
    featureLogging = Map.copyOf(featureLogging);
    monitoring = Map.copyOf(monitoring);
  }

  /** A configuration without a monitoring section. */
  public RepoConfig(Path root, String project, Map<String, Object> registry, Map<String, Object> offline,
      Map<String, Object> online, List<String> definitions, List<String> classpath, Map<String, Object> server,
      Map<String, Object> featureLogging) {
    this(root, project, registry, offline, online, definitions, classpath, server, featureLogging, Map.of());
  }

  /** A configuration without a feature_logging section. */
  public RepoConfig(Path root, String project, Map<String, Object> registry, Map<String, Object> offline,
      Map<String, Object> online, List<String> definitions, List<String> classpath, Map<String, Object> server) {
    this(root, project, registry, offline, online, definitions, classpath, server, Map.of());
  }

  /** A configuration without a server section. */
  public RepoConfig(Path root, String project, Map<String, Object> registry, Map<String, Object> offline,
      Map<String, Object> online, List<String> definitions, List<String> classpath) {
    this(root, project, registry, offline, online, definitions, classpath, Map.of());
  }

  /** A configuration without a transform classpath. */
  public RepoConfig(Path root, String project, Map<String, Object> registry, Map<String, Object> offline,
      Map<String, Object> online, List<String> definitions) {
    this(root, project, registry, offline, online, definitions, List.of());
  }

  /** The configuration, with every value read from a secret shown as {@value Secrets#MASK}. */
  @Override
  public String toString() {
    return Secrets.redact("RepoConfig[root=" + root + ", project=" + project + ", registry=" + registry + ", offline="
        + offline + ", online=" + online + ", definitions=" + definitions + ", classpath=" + classpath + ", server="
        + server + ", feature_logging=" + featureLogging + ", monitoring=" + monitoring + "]");
  }

  /** The registry store type, {@code file} unless configured. */
  public String registryType() {
    return String.valueOf(registry.getOrDefault("type", "file"));
  }
}
