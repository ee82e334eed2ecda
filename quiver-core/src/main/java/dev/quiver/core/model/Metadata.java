package dev.quiver.core.model;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Who owns a definition and what it is for; used for discovery ({@code quiver list --owner/--tag}).
 *
 * @param description free text, may be empty, never null
 * @param owner a team or person, may be empty, never null
 * @param tags key/value labels, sorted by key, never null
 */
public record Metadata(String description, String owner, Map<String, String> tags) implements java.io.Serializable {
  public static final Metadata EMPTY = new Metadata("", "", Map.of());

  public Metadata {
    description = Objects.requireNonNullElse(description, "");
    owner = Objects.requireNonNullElse(owner, "");
    tags = tags == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(tags));
  }

  /** True when the tag is present and, if {@code value} is non-null, has that value. */
  public boolean hasTag(String key, String value) {
    return tags.containsKey(key) && (value == null || value.equals(tags.get(key)));
  }
}
