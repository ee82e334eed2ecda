package dev.quiver.core.registry;

import dev.quiver.core.model.Definitions;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where registry versions live. A version is immutable once recorded; recording is atomic (a reader
 * sees the old head or the complete new version, never a mix) and conditional on the head the
 * caller planned against, so two concurrent applies never lose an update.
 *
 * <p>Beside the versions it keeps the saved training sets ({@link DatasetRecord}), immutable like
 * versions, and a materialization {@link Watermark} per view version, which only ever moves forward;
 * optionally ({@link #tokens}, {@link #audit}, {@link #validationLog}, {@link #skewLog}) API tokens
 * and three append-only logs. {@link RegistryCopy} copies all of it; a kind added here must be added
 * there too (and to {@code RegistryCopyContract}).
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

  /** Every saved training set, oldest first ({@link DatasetRecord#OLDEST_FIRST}). */
  List<DatasetRecord> datasets();

  /** The saved training set of that name, if any. */
  Optional<DatasetRecord> dataset(String name);

  /**
   * The watermark of one view version: how far it has been materialized.
   *
   * @param view the view version, {@code name@vN}
   * @return empty when that view version was never materialized
   * @throws dev.quiver.core.QuiverException when {@code view} is not {@code name@vN} ({@link
   *     Watermark#isValidView}), or the stored watermark is damaged
   * @throws NullPointerException when {@code view} is null
   */
  Optional<Watermark> watermark(String view);

  /**
   * Every view version's watermark, by view name, then version ({@code x@v2} before {@code x@v10}).
   *
   * @throws dev.quiver.core.QuiverException when a stored watermark is damaged
   */
  List<Watermark> watermarks();

  /**
   * Moves a view version's watermark forward: atomically records {@code proposed} when the view has
   * no watermark or {@code proposed} is ahead of the stored one ({@link Watermark#isAhead}: a later
   * end, or the same end under a later registry version); otherwise keeps the stored watermark,
   * unchanged in every field. Call it only after the data up to {@code proposed.end()} is written.
   *
   * <p>A watermark never moves backwards. Concurrent advances of one view, from threads or
   * processes, are serialized: whatever their order, the one furthest ahead (latest end, then latest
   * registry version) is the one that remains. Advances of different views are independent.
   *
   * @return the watermark in force afterwards: {@code proposed}, or the later one already stored
   * @throws dev.quiver.core.QuiverException when {@code proposed.view()} is not {@code name@vN}
   *     ({@link Watermark#isValidView}), the stored watermark is damaged, or it cannot be written;
   *     the stored watermark is then unchanged
   * @throws NullPointerException when {@code proposed} is null
   */
  Watermark advanceWatermark(Watermark proposed);

  /**
   * Removes a view version's watermark, the one way it moves back: for a rebuild of the view's
   * online state (its next materialization starts from the beginning) or a watermark left in the
   * future by an old run. Serialized with {@link #advanceWatermark} like advances are; a view without
   * one is left as it is.
   *
   * @return the watermark removed, or empty when there was none
   * @throws dev.quiver.core.QuiverException when {@code view} is not {@code name@vN} or the watermark
   *     cannot be removed; it is unchanged then
   */
  Optional<Watermark> resetWatermark(String view);

  /**
   * The audit log kept beside the versions (DESIGN §6).
   *
   * @throws UnsupportedOperationException when this store keeps none
   */
  default dev.quiver.core.security.AuditLog audit() {
    throw new UnsupportedOperationException("this registry store keeps no audit log");
  }

  /**
   * The validation results kept beside the versions (docs/validation.md).
   *
   * @throws UnsupportedOperationException when this store keeps none
   */
  default dev.quiver.core.quality.ValidationLog validationLog() {
    throw new UnsupportedOperationException("this registry store keeps no validation results");
  }

  /**
   * The skew results kept beside the versions (docs/monitoring.md, "Skew").
   *
   * @throws UnsupportedOperationException when this store keeps none
   */
  default dev.quiver.core.monitor.SkewLog skewLog() {
    throw new UnsupportedOperationException("this registry store keeps no skew results");
  }

  /**
   * The API tokens kept beside the versions, hashed (DESIGN §6).
   *
   * @throws UnsupportedOperationException when this store keeps none
   */
  default dev.quiver.core.security.TokenStore tokens() {
    throw new UnsupportedOperationException("this registry store keeps no API tokens");
  }

  /**
   * Asks to be told, soon after it happens, that a new version was recorded, by this or any other
   * process, so a reader can read the head at once instead of at its next poll. Optional: the
   * default tells nothing and returns a subscription that does nothing. A notification can be lost
   * (a connection drops, a change lands while one is being re-made: implementations then tell once
   * more when it is back, as a version may have been missed), so callers keep polling as well, less
   * often.
   *
   * <p>The listener runs on a thread of the store: it must be quick (hand the work to another
   * thread) and should not throw; anything it throws is ignored. Extra calls are harmless: it may be
   * told of a version more than once, or told when nothing changed.
   *
   * @return a subscription; close it to stop being told
   * @throws NullPointerException when {@code listener} is null
   */
  default Subscription onNewVersion(Runnable listener) {
    Objects.requireNonNull(listener, "listener");
    return () -> {};
  }

  /** A registration made with {@link #onNewVersion}; closing it is idempotent and throws nothing. */
  @FunctionalInterface
  interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  /** Releases resources; idempotent. */
  @Override
  void close();
}
