package dev.quiver.core.offline;

import dev.quiver.core.model.FeatureRef;
import java.util.List;
import java.util.Objects;

/**
 * A request for a point-in-time-correct training set.
 *
 * @param query the query rows: entity keys, a timestamp, and any other columns (labels), which pass
 *     through unchanged
 * @param features the feature refs; empty when {@code service} is given
 * @param service a feature service name, or null when {@code features} are given
 * @param serviceVersion the service version; 0 for the latest
 * @param fullFeatureNames name output columns {@code view__feature} instead of {@code feature}
 * @param timestampColumn the query's timestamp column, or null to use {@code event_timestamp} or the
 *     query's only timestamp column
 */
public record HistoricalRequest(
    QueryInput query,
    List<FeatureRef> features,
    String service,
    int serviceVersion,
    boolean fullFeatureNames,
    String timestampColumn) {
  public HistoricalRequest {
    Objects.requireNonNull(query, "query");
    features = List.copyOf(features);
    if (features.isEmpty() == (service == null)) {
      throw new IllegalArgumentException("give either feature refs or a feature service, not both or neither");
    }
  }

  public static HistoricalRequest ofFeatures(QueryInput query, List<FeatureRef> features) {
    return new HistoricalRequest(query, features, null, 0, false, null);
  }

  public static HistoricalRequest ofService(QueryInput query, String service) {
    return new HistoricalRequest(query, List.of(), service, 0, false, null);
  }

  public HistoricalRequest withFullFeatureNames(boolean full) {
    return new HistoricalRequest(query, features, service, serviceVersion, full, timestampColumn);
  }

  public HistoricalRequest withTimestampColumn(String column) {
    return new HistoricalRequest(query, features, service, serviceVersion, fullFeatureNames, column);
  }
}
