package dev.quiver.core.online;

/** How an online value was found (Feast's statuses). */
public enum FeatureStatus {
  /** The entity has a row and the value is set. */
  PRESENT,
  /** The entity has a row and the value is null. */
  NULL_VALUE,
  /** The entity has no row in the view (or the row predates the feature). */
  NOT_FOUND,
  /** The row is older than the view's TTL relative to now; the value is withheld (null), as offline. */
  OUTSIDE_MAX_AGE
}
