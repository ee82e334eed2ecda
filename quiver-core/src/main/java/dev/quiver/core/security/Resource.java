package dev.quiver.core.security;

import java.util.Map;
import java.util.Objects;

/**
 * What an action is on.
 *
 * @param kind the kind of object
 * @param name its name ({@code *} for "every object of this kind", e.g. listing all views)
 * @param tags its tags from the definitions ({@code pii: "true"}); never null
 */
public record Resource(Kind kind, String name, Map<String, String> tags) {
  /** Kinds of resources permissions name. */
  public enum Kind { FEATURE_VIEW, ON_DEMAND_VIEW, FEATURE_SERVICE, SOURCE, ENTITY, DATASET, REGISTRY }

  public Resource {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    tags = Map.copyOf(tags);
  }

  /** The registry as a whole (apply, the audit log, tokens). */
  public static final Resource REGISTRY_ROOT = new Resource(Kind.REGISTRY, "*", Map.of());

  /** {@code feature_view payments}, for messages. */
  @Override
  public String toString() {
    return kind.name().toLowerCase(java.util.Locale.ROOT) + " " + name;
  }
}
