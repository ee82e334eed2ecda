package dev.quiver.core.model;

import java.util.List;
import java.util.Objects;

/**
 * The named, versioned set of features one model consumes. Refs are stored as written (wildcards
 * expanded): a pinned ref ({@code user_txn@v2:amount}) reads exactly that view version, an unpinned
 * one ({@code user_txn:amount}) follows the view's newest version ({@link FeatureResolver}; online,
 * {@code ServingVersions} keeps the previous one until the newest is materialized). A superseded
 * service version that the registry keeps has every ref pinned to the version it read when it was
 * superseded ({@code dev.quiver.core.diff.Planner#retain}). Immutable.
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
