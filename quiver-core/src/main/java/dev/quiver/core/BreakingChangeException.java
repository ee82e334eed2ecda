package dev.quiver.core;

/**
 * An apply would change what an existing online feature means. Nothing was written. Give the view a
 * new {@code version} (old and new then coexist), or pass {@code --force} to accept the change.
 */
public final class BreakingChangeException extends QuiverException {
  public BreakingChangeException(String message) {
    super(message);
  }
}
