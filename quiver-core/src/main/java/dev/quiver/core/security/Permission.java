package dev.quiver.core.security;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A permission definition: principals holding any of {@code roles} may do any of {@code actions} on
 * the resources it covers. Applied and versioned through the registry like every other definition.
 *
 * <p>It covers a resource when the resource's kind is one of {@code kinds} (every kind when empty),
 * its name matches one of the glob patterns {@code names} ({@code *} any run of characters, {@code ?}
 * one character; every name when empty), and its tags hold every entry of {@code tags}. The role
 * {@code *} is held by every principal; the action {@code admin} grants every action.
 *
 * <p>Immutable; sets and maps are sorted, so equal definitions are equal records.
 *
 * @param name the permission's name, which denials and grants cite as their rule; never blank
 * @param roles the roles it grants to; never empty
 * @param actions what it allows; never empty
 * @param kinds the resource kinds it covers; empty for all
 * @param names glob patterns of resource names; empty for all
 * @param tags tags a resource must all carry, with these values; empty for no condition
 * @param description free text; may be null
 */
public record Permission(
    String name, Set<String> roles, Set<Action> actions, Set<Resource.Kind> kinds, List<String> names,
    Map<String, String> tags, String description) {

  public Permission {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a permission needs a name");
    }
    roles = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(roles));
    actions = java.util.Collections.unmodifiableSet(java.util.EnumSet.copyOf(
        actions.isEmpty() ? java.util.EnumSet.noneOf(Action.class) : actions));
    kinds = kinds.isEmpty() ? Set.of()
        : java.util.Collections.unmodifiableSet(java.util.EnumSet.copyOf(kinds));
    names = List.copyOf(new TreeSet<>(names));
    tags = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(tags));
  }

  /** Whether a principal with these roles holds it: shares a role with it, or it grants {@code *}. */
  public boolean grantsTo(Set<String> principalRoles) {
    if (roles.contains("*")) {
      return true;
    }
    for (String r : principalRoles) {
      if (roles.contains(r)) {
        return true;
      }
    }
    return false;
  }

  /** Whether it allows the action: lists it, or lists {@code admin}. */
  public boolean allows(Action action) {
    return actions.contains(action) || actions.contains(Action.ADMIN);
  }

  /** Whether it covers the resource: kind, name pattern and tags all match. */
  public boolean covers(Resource resource) {
    if (!kinds.isEmpty() && !kinds.contains(resource.kind())) {
      return false;
    }
    if (!names.isEmpty() && names.stream().noneMatch(p -> Glob.matches(p, resource.name()))) {
      return false;
    }
    for (Map.Entry<String, String> t : tags.entrySet()) {
      if (!t.getValue().equals(resource.tags().get(t.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /** The spelling of a resource kind in definitions: {@code feature_view}. */
  public static String spelling(Resource.Kind kind) {
    return kind.name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * The kind of that spelling.
   *
   * @throws IllegalArgumentException naming the valid spellings when there is none
   */
  public static Resource.Kind kind(String spelling) {
    for (Resource.Kind k : Resource.Kind.values()) {
      if (spelling(k).equals(spelling)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown resource kind '" + spelling + "'; kinds are " + kindSpellings());
  }

  /** Every kind's spelling, comma-separated. */
  public static String kindSpellings() {
    return String.join(", ", java.util.Arrays.stream(Resource.Kind.values()).map(Permission::spelling).toList());
  }
}
