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
 *
 * @param logging what the server logs of the rows it serves for this service; null when it logs none
 */
public record FeatureService(String name, int version, List<FeatureRef> features, Metadata metadata, FeatureLogging logging) {
  public FeatureService {
    Objects.requireNonNull(name, "name");
    features = List.copyOf(features);
    metadata = Objects.requireNonNullElse(metadata, Metadata.EMPTY);
  }

  /** A service that logs nothing. */
  public FeatureService(String name, int version, List<FeatureRef> features, Metadata metadata) {
    this(name, version, features, metadata, null);
  }

  public String qualifiedName() {
    return name + "@v" + version;
  }

  /** The same service with other refs (logging and metadata kept). */
  public FeatureService withFeatures(List<FeatureRef> refs) {
    return new FeatureService(name, version, refs, metadata, logging);
  }
}
