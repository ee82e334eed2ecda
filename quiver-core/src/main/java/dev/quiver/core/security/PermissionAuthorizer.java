package dev.quiver.core.security;

import java.util.List;

/**
 * The authorizer of a registry version with permissions: the first permission, in name order, that
 * the principal holds, that allows the action and covers the resource decides "allowed"; when none
 * does, {@code <default deny>}. Immutable and thread-safe.
 */
final class PermissionAuthorizer implements Authorizer {
  static final String DEFAULT_DENY = "<default deny>";

  private final List<Permission> permissions;

  PermissionAuthorizer(List<Permission> permissions) {
    this.permissions = permissions.stream()
        .sorted(java.util.Comparator.comparing(Permission::name)).toList();
  }

  @Override
  public Decision decide(Principal principal, Action action, Resource resource) {
    for (Permission p : permissions) {
      if (p.grantsTo(principal.roles()) && p.allows(action) && p.covers(resource)) {
        return new Decision(true, p.name(), "permission '" + p.name() + "' grants " + action.wireName()
            + " on " + resource + " to " + (p.roles().contains("*") ? "every principal" : "roles " + p.roles()));
      }
    }
    return new Decision(false, DEFAULT_DENY, "no permission grants " + action.wireName() + " on " + resource
        + " to " + (principal.roles().isEmpty() ? "a principal without roles" : "roles " + principal.roles())
        + "; permissions are denied by default once any is defined: add one to the definitions and apply it");
  }
}
