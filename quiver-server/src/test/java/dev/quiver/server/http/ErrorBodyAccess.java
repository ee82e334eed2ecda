package dev.quiver.server.http;

import java.util.List;

/** Test access to the Feast error classes the HTTP front end may name. */
public final class ErrorBodyAccess {
  /** See {@link ErrorBody#FEAST_CLASSES}. */
  public static final List<String> FEAST_CLASSES = ErrorBody.FEAST_CLASSES;

  private ErrorBodyAccess() {}
}
