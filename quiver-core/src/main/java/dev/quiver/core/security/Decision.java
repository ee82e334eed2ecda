package dev.quiver.core.security;

import java.util.Objects;

/**
 * An authorization answer and why.
 *
 * @param allowed whether the action may go ahead
 * @param rule the permission that decided (its name), or {@code <no permissions>} when none are
 *     defined (everything is allowed), or {@code <default deny>} when none matched
 * @param reason one sentence a person can act on
 */
public record Decision(boolean allowed, String rule, String reason) {
  public Decision {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(reason, "reason");
  }
}
