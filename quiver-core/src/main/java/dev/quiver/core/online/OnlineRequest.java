package dev.quiver.core.online;

import dev.quiver.core.model.FeatureRef;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An online read: features for entity rows, with the request data on-demand views read. Both maps
 * are column-major, as Feast's {@code entities} and {@code request_context}: {@code user_id -> [1,
 * 2]}, {@code amount -> [12.5, 80.0]}; value {@code i} of every column belongs to entity row {@code
 * i}, so all columns have one length.
 *
 * <p>Request values may be given loosely typed (JSON numbers and strings, as a server decodes them)
 * and are converted to the declared field types: numbers to int32/int64 when whole, to
 * float32/float64; strings to numbers, bools, timestamps (ISO-8601) and bytes (base64); lists item
 * by item. A value that does not fit is an {@link dev.quiver.core.InvalidRequestException}.
 *
 * @param features feature refs ({@code view:feature}, {@code view@v2:feature}, {@code view:*})
 * @param entities join-key columns, and request-field columns as Feast's clients send them (see {@link
 *     OnlineReader#read(OnlineRequest)}); may be empty when only request data is read
 * @param requestContext request-field columns, by field name; fields no requested feature reads are
 *     ignored; a field may be given here or in {@code entities}, not in both
 * @param fullFeatureNames name the response columns {@code view__feature}
 */
public record OnlineRequest(List<FeatureRef> features, Map<String, List<Object>> entities,
    Map<String, List<Object>> requestContext, boolean fullFeatureNames) {
  public OnlineRequest {
    features = List.copyOf(features);
    Objects.requireNonNull(entities, "entities");
    requestContext = requestContext == null ? Map.of() : requestContext;
  }

  /** A request without request data. */
  public static OnlineRequest of(List<FeatureRef> features, Map<String, List<Object>> entities) {
    return new OnlineRequest(features, entities, Map.of(), false);
  }

  /** The same request with request data. */
  public OnlineRequest withRequestContext(Map<String, List<Object>> context) {
    return new OnlineRequest(features, entities, context, fullFeatureNames);
  }
}
