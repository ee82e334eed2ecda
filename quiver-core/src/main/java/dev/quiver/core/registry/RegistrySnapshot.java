package dev.quiver.core.registry;

import dev.quiver.core.model.Definitions;
import java.util.Objects;

/** One registry version: its audit record and the complete definitions it holds. */
public record RegistrySnapshot(VersionInfo info, Definitions definitions) {
  public RegistrySnapshot {
    Objects.requireNonNull(info, "info");
    Objects.requireNonNull(definitions, "definitions");
  }
}
