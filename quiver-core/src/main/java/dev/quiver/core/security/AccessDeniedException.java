package dev.quiver.core.security;

import dev.quiver.core.QuiverException;

/** A principal may not do an action (HTTP 403, gRPC {@code PERMISSION_DENIED}); the message names the rule. */
public final class AccessDeniedException extends QuiverException {
  private final transient Principal principal;
  private final Action action;
  private final transient Resource resource;
  private final transient Decision decision;

  public AccessDeniedException(Principal principal, Action action, Resource resource, Decision decision) {
    super(principal.name() + " may not " + action.wireName() + " " + resource + ": " + decision.reason()
        + " (rule " + decision.rule() + ")");
    this.principal = principal;
    this.action = action;
    this.resource = resource;
    this.decision = decision;
  }

  public Principal principal() {
    return principal;
  }

  public Action action() {
    return action;
  }

  public Resource resource() {
    return resource;
  }

  public Decision decision() {
    return decision;
  }
}
