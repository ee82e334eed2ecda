package dev.quiver.core.registry;

import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How far one version of a feature view has been materialized: the end of its last completed
 * materialization. Everything with {@code event_ts <= end} has been written to the online store, so
 * {@code materialize-incremental END} continues from {@code end}; the rows hold the features of the
 * view as registry version {@code registryVersion} defined it. A watermark moves only after the
 * data is written, and only forward ({@link RegistryStore#advanceWatermark}); a crashed run leaves
 * it where it was, and running again is safe because online writes are idempotent.
 *
 * @param view the view version, {@code name@vN} ({@code user_txn@v2}); see {@link #isValidView}
 * @param end the end of the last completed materialization: every row with {@code event_ts <= end}
 *     has been written
 * @param registryVersion the registry version whose definitions that materialization ran under
 * @param author who ran it
 * @param updatedAt when it completed
 */
public record Watermark(
    String view, Instant end, long registryVersion, String author, Instant updatedAt) {

  private static final Pattern VIEW = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}@v[1-9][0-9]{0,8}");

  /**
   * Requires every field but {@code view}'s spelling, which stores check ({@link #isValidView}) so
   * they can refuse it with a message naming the store.
   *
   * @throws NullPointerException when a field is null
   */
  public Watermark {
    Objects.requireNonNull(view, "view");
    Objects.requireNonNull(end, "end");
    Objects.requireNonNull(author, "author");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }

  /**
   * True when {@code proposed} moves {@code stored} forward: a later end, or the same end reached
   * under a later registry version (a rerun after an apply that changed the view's features records
   * the definitions its rows now hold). What {@link RegistryStore#advanceWatermark} stores.
   */
  public static boolean isAhead(Watermark proposed, Watermark stored) {
    int byEnd = proposed.end().compareTo(stored.end());
    return byEnd > 0 || byEnd == 0 && proposed.registryVersion() > stored.registryVersion();
  }

  /**
   * True for a view version as {@link dev.quiver.core.model.FeatureView#qualifiedName()} spells it:
   * a valid name ({@link dev.quiver.core.Names#isValid}), {@code @v}, and a version from 1 to
   * 999999999 without leading zeros ({@code user_txn@v2}; not {@code user_txn}, {@code user_txn@2}
   * or {@code user_txn@v02}). Every view version has exactly one such spelling, so stores may key
   * watermarks by it; it holds only letters, digits, {@code _} and {@code @}, so it is safe in file
   * names and keys. False for null.
   */
  public static boolean isValidView(String view) {
    return view != null && VIEW.matcher(view).matches();
  }
}
