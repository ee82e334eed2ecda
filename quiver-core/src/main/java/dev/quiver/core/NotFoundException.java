package dev.quiver.core;

/**
 * A named thing (a view, a feature, a registry version) does not exist. {@link #kind()} says what
 * kind of thing, so a server can answer in its protocol's terms (Feast's typed errors, for one).
 */
public final class NotFoundException extends QuiverException {
  /** What kind of thing is missing. */
  public enum Kind {
    /** A feature view or on-demand view, by name. */
    FEATURE_VIEW,
    /** A version of a view that exists. */
    VIEW_VERSION,
    /** A feature of a view that exists. */
    FEATURE,
    /** A feature service, or a version of one. */
    FEATURE_SERVICE,
    /** A source (push). */
    SOURCE,
    /** Anything else (a dataset, a registry version, a catalogue path). */
    OTHER
  }

  private final Kind kind;

  public NotFoundException(String message) {
    this(Kind.OTHER, message);
  }

  public NotFoundException(Kind kind, String message) {
    super(message);
    this.kind = kind == null ? Kind.OTHER : kind;
  }

  /** What kind of thing is missing; never null. */
  public Kind kind() {
    return kind;
  }
}
