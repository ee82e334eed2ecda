package dev.quiver.core.model;

import java.time.Duration;
import java.util.Objects;

/**
 * The time span of an aggregate: a fixed length ending (exclusively) at the query time, or the
 * whole history. See DESIGN §3 for the sawtooth alignment.
 */
public sealed interface Window extends java.io.Serializable permits Window.Fixed, Window.Lifetime {

  /** The canonical spelling, e.g. {@code 30d}, {@code 90m}, {@code lifetime}. */
  String spelling();

  static Window of(Duration length) {
    return new Fixed(length);
  }

  static Window lifetime() {
    return Lifetime.INSTANCE;
  }

  /** A window of the given positive length. */
  record Fixed(Duration length) implements Window {
    public Fixed {
      Objects.requireNonNull(length, "length");
    }

    @Override
    public String spelling() {
      return Durations.format(length);
    }
  }

  /** Every row up to the query time. */
  enum Lifetime implements Window {
    INSTANCE;

    @Override
    public String spelling() {
      return "lifetime";
    }
  }
}
