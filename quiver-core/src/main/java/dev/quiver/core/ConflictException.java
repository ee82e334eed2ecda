package dev.quiver.core;

/**
 * A request that cannot be applied to what the stores hold now, though it is well formed: for one,
 * a push for a key whose online tile row was written for window aggregates the view no longer has
 * and has not been rebuilt since. Nothing was written; the message says what to run first (often
 * {@code quiver materialize}), after which the same request succeeds. Servers answer it with HTTP 409.
 */
public class ConflictException extends QuiverException {
  public ConflictException(String message) {
    super(message);
  }
}
