package dev.quiver.core.online;

import java.util.List;
import java.util.Map;

/**
 * The answer to an online request.
 *
 * @param entities the request's join-key columns, as given (key name to values); request data sent
 *     as entity columns is not echoed
 * @param features one column per requested feature, in request order
 */
public record OnlineResponse(Map<String, List<Object>> entities, List<FeatureColumn> features) {
  public OnlineResponse {
    features = List.copyOf(features);
  }

  /** The number of entity rows (also when the request had request data only, and no key columns). */
  public int rows() {
    return !entities.isEmpty() ? entities.values().iterator().next().size()
        : features.isEmpty() ? 0 : features.getFirst().values().size();
  }
}
