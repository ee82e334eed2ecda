package dev.quiver.core;

/**
 * Another apply recorded a registry version first. Nothing was written; re-run plan and apply on top
 * of the new version.
 */
public final class RegistryConflictException extends QuiverException {
  public RegistryConflictException(String message) {
    super(message);
  }
}
