package dev.quiver.core.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds an {@link OnDemandView} in Java, the same object the YAML loader builds. An on-demand view
 * reads feature views, request data, or both; one that reads request data alone needs no {@link
 * #inputs}. Not thread-safe.
 *
 * <pre>{@code
 * OnDemandView risk = OnDemandViewBuilder.named("txn_risk").inputs("user_txn")
 *     .request("amount", ScalarType.FLOAT64)
 *     .derived("amount_ratio", "request.amount / nullif(user_txn.amount_avg_30d, 0)")
 *     .build();
 * OnDemandView fee = OnDemandViewBuilder.named("fee")          // request data alone
 *     .request("amount", ScalarType.FLOAT64)
 *     .derived("fee", "round(request.amount * 0.029 + 0.3, 2)")
 *     .build();
 * }</pre>
 */
public final class OnDemandViewBuilder {
  private final String name;
  private int version = 1;
  private final List<String> inputs = new ArrayList<>();
  private final List<RequestField> request = new ArrayList<>();
  private final List<DerivedFeature> features = new ArrayList<>();
  private String description = "";
  private String owner = "";
  private final Map<String, String> tags = new LinkedHashMap<>();

  private OnDemandViewBuilder(String name) {
    this.name = Objects.requireNonNull(name, "name");
  }

  public static OnDemandViewBuilder named(String name) {
    return new OnDemandViewBuilder(name);
  }

  public OnDemandViewBuilder version(int v) {
    this.version = v;
    return this;
  }

  /** Feature views the expressions read, as {@code user_txn} or {@code user_txn@v2}. */
  public OnDemandViewBuilder inputs(String... views) {
    inputs.addAll(List.of(views));
    return this;
  }

  /** A request field, read by the expressions as {@code request.NAME}. */
  public OnDemandViewBuilder request(String field, ValueType type) {
    request.add(new RequestField(field, type));
    return this;
  }

  public OnDemandViewBuilder description(String text) {
    this.description = text;
    return this;
  }

  public OnDemandViewBuilder owner(String team) {
    this.owner = team;
    return this;
  }

  public OnDemandViewBuilder tag(String key, String value) {
    tags.put(key, value);
    return this;
  }

  public OnDemandViewBuilder feature(DerivedFeature feature) {
    features.add(feature);
    return this;
  }

  /** A feature computed by an expression (its type is inferred when the definitions are validated). */
  public OnDemandViewBuilder derived(String featureName, String expression) {
    return feature(new DerivedFeature(featureName, expression, null, ""));
  }

  public OnDemandView build() {
    return new OnDemandView(name, version, inputs, request, features, new Metadata(description, owner, tags));
  }
}
