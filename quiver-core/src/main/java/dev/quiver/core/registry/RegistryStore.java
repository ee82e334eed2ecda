package dev.quiver.core.registry;

import dev.quiver.core.model.Definitions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where registry versions live. A version is immutable once recorded; recording is atomic (a reader
 * sees the old head or the complete new version, never a mix) and conditional on the head the
 * caller planned against, so two concurrent applies never lose an update.
 *
 * <p>Implementations are thread-safe and safe to use from several processes at once. The embedded
 * default is the file registry; each implementation passes the {@code RegistryStoreContract} suite.
 */
public interface RegistryStore extends AutoCloseable {

  /** The newest version's record, or empty when nothing was ever applied. */
  Optional<VersionInfo> head();

  /** Every version's record, newest first. */
  List<VersionInfo> log();

  /**
   * Reads one version.
   *
   * @throws dev.quiver.core.NotFoundException when the version does not exist
   * @throws dev.quiver.core.QuiverException when the stored version is damaged
   */
  RegistrySnapshot read(long version);

  /** The newest version, or empty when nothing was ever applied. */
  default Optional<RegistrySnapshot> latest() {
    return head().map(h -> read(h.version()));
  }

  /**
   * Records {@code definitions} as version {@code expectedHead + 1}.
   *
   * @param expectedHead the head version the change was planned against (0 for none)
   * @return the new version's record
   * @throws dev.quiver.core.RegistryConflictException when the head is no longer {@code
   *     expectedHead}; nothing is written
   */
  VersionInfo commit(
      long expectedHead, Definitions definitions, String author, String message, Instant time);

  /**
   * Records a saved training set. Atomic, like {@link #commit}.
   *
   * @throws dev.quiver.core.QuiverException when a dataset of that name exists; nothing is written
   */
  void saveDataset(DatasetRecord dataset);

  /** Every saved training set, oldest first. */
  List<DatasetRecord> datasets();

  /** The saved training set of that name, if any. */
  Optional<DatasetRecord> dataset(String name);

  /** Releases resources; idempotent. */
  @Override
  void close();
}
