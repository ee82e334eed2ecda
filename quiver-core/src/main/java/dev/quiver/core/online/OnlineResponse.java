package dev.quiver.core.online;

import java.util.List;
import java.util.Map;

/**
 * The answer to an online request.
 *
 * @param entities the request's entity columns, as given (key name to values)
 * @param features one column per requested feature, in request order
 */
public record OnlineResponse(Map<String, List<Object>> entities, List<FeatureColumn> features) {
  public OnlineResponse {
    features = List.copyOf(features);
  }

  /** The number of entity rows. */
  public int rows() {
    return entities.isEmpty() ? 0 : entities.values().iterator().next().size();
  }
}
