package dev.quiver.client;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One online read: feature refs or a feature service, entity key columns (column-major: join key to one
 * value per entity row) and request-time data for on-demand features. Immutable; the {@code with}
 * methods return a new request.
 *
 * <p>Values: {@code Long}/{@code Integer}, {@code Double}/{@code Float}, {@code String}, {@code Boolean},
 * {@code byte[]}, {@code java.time.Instant} and lists of these; null for a missing key.
 *
 * @param features {@code view:feature} refs; empty when {@code featureService} is set
 * @param featureService a service name ({@code name} or {@code name@v2}); null when {@code features} is given
 * @param featureViewMetadata ask the server to name each feature view version the answer read
 *     (Feast's {@code include_feature_view_version_metadata}; {@link OnlineFeatures#featureViewMetadata()})
 */
public record OnlineFeaturesRequest(
    List<String> features,
    String featureService,
    Map<String, List<Object>> entities,
    boolean fullFeatureNames,
    Map<String, List<Object>> requestContext,
    boolean featureViewMetadata) {
  public OnlineFeaturesRequest {
    features = List.copyOf(features);
    entities = copy(entities);
    requestContext = copy(requestContext);
    if (features.isEmpty() == (featureService == null)) {
      throw new IllegalArgumentException("give either feature refs or a feature service");
    }
  }

  /** A request that does not ask for the feature view metadata (the constructor before it existed). */
  public OnlineFeaturesRequest(List<String> features, String featureService, Map<String, List<Object>> entities,
      boolean fullFeatureNames, Map<String, List<Object>> requestContext) {
    this(features, featureService, entities, fullFeatureNames, requestContext, false);
  }

  /** A request for these feature refs ({@code view:feature}). */
  public static OnlineFeaturesRequest features(String... refs) {
    return new OnlineFeaturesRequest(List.of(refs), null, Map.of(), false, Map.of(), false);
  }

  /** A request for a feature service's features. */
  public static OnlineFeaturesRequest service(String name) {
    return new OnlineFeaturesRequest(List.of(), Objects.requireNonNull(name, "name"), Map.of(), false, Map.of(), false);
  }

  /** Adds (or replaces) an entity key column; its values are the entity rows, in order. */
  public OnlineFeaturesRequest entity(String joinKey, Object... values) {
    Map<String, List<Object>> e = new LinkedHashMap<>(entities);
    e.put(joinKey, Collections.unmodifiableList(new ArrayList<>(Arrays.asList(values))));
    return new OnlineFeaturesRequest(features, featureService, e, fullFeatureNames, requestContext, featureViewMetadata);
  }

  /** Adds (or replaces) an entity key column from a list. */
  public OnlineFeaturesRequest entity(String joinKey, List<?> values) {
    return entity(joinKey, values.toArray());
  }

  /** Adds (or replaces) a request-data column for on-demand features, one value per entity row. */
  public OnlineFeaturesRequest requestData(String field, Object... values) {
    Map<String, List<Object>> r = new LinkedHashMap<>(requestContext);
    r.put(field, Collections.unmodifiableList(new ArrayList<>(Arrays.asList(values))));
    return new OnlineFeaturesRequest(features, featureService, entities, fullFeatureNames, r, featureViewMetadata);
  }

  /** Names answers {@code view__feature} instead of {@code feature}. */
  public OnlineFeaturesRequest withFullFeatureNames(boolean full) {
    return new OnlineFeaturesRequest(features, featureService, entities, full, requestContext, featureViewMetadata);
  }

  /**
   * Asks the server to name each feature view version the answer read ({@link
   * OnlineFeatures#featureViewMetadata()}): Feast's {@code include_feature_view_version_metadata},
   * over HTTP and gRPC alike. A server that does not support it answers without the list.
   */
  public OnlineFeaturesRequest withFeatureViewMetadata(boolean include) {
    return new OnlineFeaturesRequest(features, featureService, entities, fullFeatureNames, requestContext, include);
  }

  private static Map<String, List<Object>> copy(Map<String, List<Object>> columns) {
    Map<String, List<Object>> out = new LinkedHashMap<>();
    if (columns != null) {
      columns.forEach((k, v) -> out.put(k, Collections.unmodifiableList(new ArrayList<>(v))));
    }
    return Collections.unmodifiableMap(out);
  }
}
