package dev.quiver.server;

import java.util.List;
import java.util.Map;

/**
 * One online read as the protocols (Feast HTTP JSON, Feast gRPC) carry it, before it is resolved
 * against a registry version.
 *
 * @param features feature refs as text ({@code view:feature}, {@code view@v2:feature}); empty when
 *     {@code featureService} is set
 * @param featureService a service name, optionally {@code name@vN}; null when {@code features} is given
 * @param entities entity key columns, column-major: join key to values (Java {@code Long}, {@code
 *     Double}, {@code String}, {@code Boolean}, {@code byte[]} or null)
 * @param requestContext request-time data for on-demand features, column-major; may be empty
 */
public record OnlineRequest(
    List<String> features,
    String featureService,
    Map<String, List<Object>> entities,
    boolean fullFeatureNames,
    Map<String, List<Object>> requestContext) {
  public OnlineRequest {
    features = features == null ? List.of() : List.copyOf(features);
    entities = entities == null ? Map.of() : entities;
    requestContext = requestContext == null ? Map.of() : requestContext;
  }
}
