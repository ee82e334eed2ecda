package dev.quiver.core.model;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A named, versioned set of features over one source, keyed by its entities.
 *
 * @param version 1 or more; versions of one view coexist in the registry
 * @param entities entity names, in join-key order
 * @param source the source name
 * @param ttl how far back a point-in-time lookup may reach and when an online value is
 *     OUTSIDE_MAX_AGE; null for no limit
 * @param online whether the view is materialized to the online store
 * @param rules data-quality rules checked where data enters (docs/validation.md), in definition order
 */
public record FeatureView(
    String name,
    int version,
    List<String> entities,
    String source,
    Duration ttl,
    boolean online,
    List<Feature> features,
    Metadata metadata,
    List<ValidationRule> rules) {
  public FeatureView {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(source, "source");
    entities = List.copyOf(entities);
    features = List.copyOf(features);
    metadata = Objects.requireNonNullElse(metadata, Metadata.EMPTY);
    rules = rules == null ? List.of() : List.copyOf(rules);
  }

  /** A view without validation rules. */
  public FeatureView(String name, int version, List<String> entities, String source, Duration ttl, boolean online,
      List<Feature> features, Metadata metadata) {
    this(name, version, entities, source, ttl, online, features, metadata, List.of());
  }

  /** {@code name@vN}, how refs and messages name this version. */
  public String qualifiedName() {
    return name + "@v" + version;
  }

  public Optional<Feature> feature(String featureName) {
    return features.stream().filter(f -> f.name().equals(featureName)).findFirst();
  }

  public FeatureView withFeatures(List<Feature> newFeatures) {
    return new FeatureView(name, version, entities, source, ttl, online, newFeatures, metadata, rules);
  }

  /** This view with {@code newRules} instead of its rules. */
  public FeatureView withRules(List<ValidationRule> newRules) {
    return new FeatureView(name, version, entities, source, ttl, online, features, metadata, newRules);
  }
}
