package dev.quiver.core.validate;

import dev.quiver.core.model.Aggregation;

/** Small phrases shared by the checkers' messages. */
final class DefinitionValidatorHints {
  private DefinitionValidatorHints() {}

  static String hopHint(Aggregation a) {
    return a.hop() == null ? " (the default hop for this window)" : "";
  }
}
