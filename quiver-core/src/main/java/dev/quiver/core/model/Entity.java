package dev.quiver.core.model;

import java.util.List;
import java.util.Objects;

/**
 * What features describe (a user, a merchant). Identified by one or more typed join keys; a
 * composite entity (user and device, say) has several.
 */
public record Entity(String name, List<JoinKey> joinKeys, Metadata metadata) {
  public Entity {
    Objects.requireNonNull(name, "name");
    joinKeys = List.copyOf(joinKeys);
    metadata = Objects.requireNonNullElse(metadata, Metadata.EMPTY);
  }
}
