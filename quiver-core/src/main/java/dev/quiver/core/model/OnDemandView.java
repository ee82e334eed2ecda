package dev.quiver.core.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Derived features computed at request time from features of other views and request fields. A valid
 * view reads at least one of them: feature views alone, request data alone, or both (see {@link
 * OnDemandViewBuilder}).
 *
 * @param inputs the views whose features the expressions read, as refs without a feature
 *     ({@code user_txn} or {@code user_txn@v2}); empty when the view reads request data alone
 * @param requestFields the request data the expressions read ({@code request.field}): online from the
 *     request, offline from the query rows' columns of the same names
 */
public record OnDemandView(
    String name,
    int version,
    List<String> inputs,
    List<RequestField> requestFields,
    List<DerivedFeature> features,
    Metadata metadata) {
  public OnDemandView {
    Objects.requireNonNull(name, "name");
    inputs = List.copyOf(inputs);
    requestFields = List.copyOf(requestFields);
    features = List.copyOf(features);
    metadata = Objects.requireNonNullElse(metadata, Metadata.EMPTY);
  }

  public String qualifiedName() {
    return name + "@v" + version;
  }

  public Optional<DerivedFeature> feature(String featureName) {
    return features.stream().filter(f -> f.name().equals(featureName)).findFirst();
  }

  public OnDemandView withFeatures(List<DerivedFeature> newFeatures) {
    return new OnDemandView(name, version, inputs, requestFields, newFeatures, metadata);
  }
}
