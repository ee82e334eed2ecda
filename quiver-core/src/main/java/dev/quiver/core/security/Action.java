package dev.quiver.core.security;

import java.util.Locale;

/** What a principal asks to do; the names permissions use ({@code read_online}, ...). */
public enum Action {
  /** List and describe definitions, registry versions, datasets ({@code /api/v1}, {@code describe}). */
  DESCRIBE,
  /** Record a registry version ({@code apply}). */
  APPLY,
  /** Read online values ({@code /get-online-features}, gRPC {@code GetOnlineFeatures}). */
  READ_ONLINE,
  /** Compute or read training sets and saved datasets. */
  READ_OFFLINE,
  /** Write values ({@code /push}, {@code /write-to-online-store}). */
  PUSH,
  /** Materialize, rebuild or delete online state. */
  MATERIALIZE,
  /** Everything, including tokens, permissions and the audit log. */
  ADMIN;

  /** The name used in definitions and messages: {@code read_online}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The action of that name.
   *
   * @throws IllegalArgumentException naming the valid names when there is none
   */
  public static Action of(String name) {
    for (Action a : values()) {
      if (a.wireName().equals(name)) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown action '" + name + "'; actions are describe, apply, read_online,"
        + " read_offline, push, materialize, admin");
  }
}
