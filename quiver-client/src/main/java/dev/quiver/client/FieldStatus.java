package dev.quiver.client;

/** How a value was found, as Feast reports it. */
public enum FieldStatus {
  /** Unset on the wire; a server never sends it for an answered value. */
  INVALID,
  /** The entity has a row and the value is set. */
  PRESENT,
  /** The entity has a row and the value is null. */
  NULL_VALUE,
  /** The entity has no row for the feature. */
  NOT_FOUND,
  /** The row is older than the view's TTL; the value is withheld (null). */
  OUTSIDE_MAX_AGE
}
