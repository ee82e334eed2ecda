package dev.quiver.core.security;

/**
 * Decides whether a principal may do an action on a resource. Implementations are immutable and
 * thread-safe; one is built per registry version from its permissions.
 */
public interface Authorizer {

  /** Decides; never null, never throws for a well-formed question. */
  Decision decide(Principal principal, Action action, Resource resource);

  /**
   * Decides, and throws when denied.
   *
   * @throws AccessDeniedException naming the principal, action, resource and rule
   */
  default void check(Principal principal, Action action, Resource resource) {
    Decision d = decide(principal, action, resource);
    if (!d.allowed()) {
      throw new AccessDeniedException(principal, action, resource, d);
    }
  }

  /**
   * The authorizer of a registry version's permissions: allows everything when there are none
   * ({@link #allowAll()}); otherwise allows what some permission grants and denies the rest ({@code
   * <default deny>}). See {@link Permission} for how one matches.
   *
   * @param permissions never null
   */
  static Authorizer of(java.util.List<Permission> permissions) {
    return permissions.isEmpty() ? allowAll() : new PermissionAuthorizer(permissions);
  }

  /** Allows everything: a registry without permissions. */
  static Authorizer allowAll() {
    return (p, a, r) -> new Decision(true, "<no permissions>", "no permissions are defined: everything is allowed");
  }
}
