package dev.quiver.core.online;

import dev.quiver.core.model.VersionedName;
import java.util.List;
import java.util.Map;

/**
 * The answer to an online request.
 *
 * @param entities the request's join-key columns, as given (key name to values); request data sent
 *     as entity columns is not echoed
 * @param features one column per requested feature, in request order
 * @param viewsRead the feature view versions whose rows the answer read, in order of first use (those
 *     on-demand features read included; on-demand views themselves are computed, not read): what
 *     Feast reports as {@code feature_view_metadata}
 */
public record OnlineResponse(Map<String, List<Object>> entities, List<FeatureColumn> features, List<VersionedName> viewsRead) {
  public OnlineResponse {
    features = List.copyOf(features);
    viewsRead = viewsRead == null ? List.of() : List.copyOf(viewsRead);
  }

  /** An answer that does not say which views it read. */
  public OnlineResponse(Map<String, List<Object>> entities, List<FeatureColumn> features) {
    this(entities, features, List.of());
  }

  /** The number of entity rows (also when the request had request data only, and no key columns). */
  public int rows() {
    return !entities.isEmpty() ? entities.values().iterator().next().size()
        : features.isEmpty() ? 0 : features.getFirst().values().size();
  }
}
