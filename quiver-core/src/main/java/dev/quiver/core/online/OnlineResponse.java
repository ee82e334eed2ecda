package dev.quiver.core.online;

import java.util.List;
import java.util.Map;

/**
 * The answer to an online request.
 *
 * @param entities the request's entity columns (key name to values), in its order; the join-key
 *     columns the read looked up hold the keys as parsed to their types ({@code 1L}, not the {@code
 *     "1"} a request may send; see {@link StrictValues}), other columns are as given
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
