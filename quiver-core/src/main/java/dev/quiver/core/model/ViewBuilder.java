package dev.quiver.core.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds a {@link FeatureView} in Java, the same object the YAML loader builds. Not thread-safe.
 *
 * <pre>{@code
 * FeatureView v = ViewBuilder.named("user_txn").entities("user").source("transactions")
 *     .ttl("90d").owner("risk-team")
 *     .column("last_country", "country")
 *     .aggregate("amount_avg_30d", AggregateFunction.AVG, "amount", "30d")
 *     .build();
 * }</pre>
 */
public final class ViewBuilder {
  private final String name;
  private int version = 1;
  private final List<String> entities = new ArrayList<>();
  private String source;
  private Duration ttl;
  private boolean online = true;
  private final List<Feature> features = new ArrayList<>();
  private String description = "";
  private String owner = "";
  private final Map<String, String> tags = new LinkedHashMap<>();
  private final List<ValidationRule> rules = new ArrayList<>();

  private ViewBuilder(String name) {
    this.name = Objects.requireNonNull(name, "name");
  }

  public static ViewBuilder named(String name) {
    return new ViewBuilder(name);
  }

  public ViewBuilder version(int v) {
    this.version = v;
    return this;
  }

  public ViewBuilder entities(String... names) {
    entities.addAll(List.of(names));
    return this;
  }

  public ViewBuilder source(String sourceName) {
    this.source = sourceName;
    return this;
  }

  public ViewBuilder ttl(Duration d) {
    this.ttl = d;
    return this;
  }

  /** A TTL spelled as in YAML, e.g. {@code 90d}. */
  public ViewBuilder ttl(String spelling) {
    return ttl(
        Durations.parse(spelling)
            .orElseThrow(() -> new IllegalArgumentException("not a duration: " + spelling)));
  }

  public ViewBuilder online(boolean on) {
    this.online = on;
    return this;
  }

  public ViewBuilder description(String text) {
    this.description = text;
    return this;
  }

  public ViewBuilder owner(String team) {
    this.owner = team;
    return this;
  }

  public ViewBuilder tag(String key, String value) {
    tags.put(key, value);
    return this;
  }

  public ViewBuilder feature(Feature feature) {
    features.add(feature);
    return this;
  }

  /** A column feature reading {@code column}. */
  public ViewBuilder column(String featureName, String column) {
    return feature(new ColumnFeature(featureName, column, null, ""));
  }

  /** A column feature reading the column of the same name. */
  public ViewBuilder column(String featureName) {
    return column(featureName, featureName);
  }

  /** An aggregate over a window spelled as in YAML ({@code 30d} or {@code lifetime}). */
  public ViewBuilder aggregate(String featureName, AggregateFunction fn, String column, String window) {
    return feature(
        new AggregateFeature(featureName, Aggregation.of(fn, column, parseWindow(window)), null, ""));
  }

  public ViewBuilder aggregate(String featureName, Aggregation aggregation) {
    return feature(new AggregateFeature(featureName, aggregation, null, ""));
  }

  public ViewBuilder derived(String featureName, String expression) {
    return feature(new DerivedFeature(featureName, expression, null, ""));
  }

  /**
   * Adds a validation rule (docs/validation.md), e.g. {@code rule(new ValidationRule.Min("amount",
   * BigDecimal.ZERO, OnFail.SKIP_ROW))}; the same rule a {@code validation:} block defines in YAML.
   */
  public ViewBuilder rule(ValidationRule rule) {
    rules.add(Objects.requireNonNull(rule, "rule"));
    return this;
  }

  public FeatureView build() {
    return new FeatureView(
        name, version, entities, source, ttl, online, features, new Metadata(description, owner, tags), rules);
  }

  static Window parseWindow(String spelling) {
    if ("lifetime".equalsIgnoreCase(spelling.strip())) {
      return Window.lifetime();
    }
    return Window.of(
        Durations.parse(spelling)
            .orElseThrow(() -> new IllegalArgumentException("not a window: " + spelling)));
  }
}
