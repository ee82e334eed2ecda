package dev.quiver.core.model;

import java.util.List;
import java.util.Objects;

/**
 * The named, versioned set of features one model consumes. In the registry every ref is pinned to
 * a view version; unpinned refs in definitions pin to the latest version at apply.
 */
public record FeatureService(String name, int version, List<FeatureRef> features, Metadata metadata) {
  public FeatureService {
    Objects.requireNonNull(name, "name");
    features = List.copyOf(features);
    metadata = Objects.requireNonNullElse(metadata, Metadata.EMPTY);
  }

  public String qualifiedName() {
    return name + "@v" + version;
  }
}
