package dev.quiver.server;

import dev.quiver.core.registry.DatasetRecord;
import dev.quiver.core.registry.RegistrySnapshot;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the registry front ends (Feast's {@code RegistryServer} over gRPC) read: the registry version the
 * server serves, the saved training sets, the feature repo's root (relative paths resolve against it) and
 * the {@link Guard} that decides who may describe what. Thread-safe.
 */
public interface RegistryReads {

  /** The registry version being served; empty before the first apply. */
  Optional<RegistrySnapshot> applied();

  /** Every saved training set, oldest first. */
  List<DatasetRecord> datasets();

  /** The feature repo's root directory. */
  Path root();

  /** Authorization and audit; {@link Guard#OPEN} allows all. */
  Guard guard();

  /**
   * The earliest and latest value of a saved dataset's timestamp column, read from its output (Feast's
   * saved datasets carry them); empty when the output cannot be read or holds no timestamp. This
   * default reads nothing.
   */
  default Optional<EventRange> eventRange(DatasetRecord dataset) {
    return Optional.empty();
  }

  /** The first and last event time of a saved dataset, both inclusive. */
  record EventRange(java.time.Instant first, java.time.Instant last) {}
}
