package dev.quiver.core;

/** A named thing (a view, a feature, a registry version) does not exist. */
public final class NotFoundException extends QuiverException {
  public NotFoundException(String message) {
    super(message);
  }
}
