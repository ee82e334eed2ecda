package dev.quiver.core;

import java.util.Comparator;
import java.util.Objects;

/**
 * One thing wrong with a definition: where it is and what to do about it.
 *
 * @param origin where the offending definition was written; {@link Origin#UNKNOWN} for definitions
 *     built in Java
 * @param message what is wrong and how to fix it, as one or two sentences
 */
public record Problem(Origin origin, String message) implements Comparable<Problem> {
  private static final Comparator<Problem> ORDER =
      Comparator.comparing((Problem p) -> p.origin().file())
          .thenComparingInt(p -> p.origin().line())
          .thenComparing(Problem::message);

  public Problem {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public int compareTo(Problem other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return origin + ": " + message;
  }
}
