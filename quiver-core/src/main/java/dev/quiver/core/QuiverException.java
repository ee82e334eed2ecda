package dev.quiver.core;

/**
 * The root of Quiver's one exception family. Unchecked; every message is written for the person who
 * has to act on it (what went wrong, where, and what to do).
 */
public class QuiverException extends RuntimeException {
  public QuiverException(String message) {
    super(message);
  }

  public QuiverException(String message, Throwable cause) {
    super(message, cause);
  }
}
