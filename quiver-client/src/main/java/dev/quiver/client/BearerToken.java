package dev.quiver.client;

/** Checks a bearer token before a client sends it; never puts the token in a message. */
final class BearerToken {
  private BearerToken() {}

  /** {@code token} when it can go in a header; null stays null (no token). */
  static String check(String token) {
    if (token == null) {
      return null;
    }
    if (token.isBlank()) {
      throw new IllegalArgumentException("the bearer token is empty; pass null to send none");
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        throw new IllegalArgumentException("the bearer token has a character a header cannot carry at position " + i
            + " (a space, a line break or a non-ASCII character); pass the token alone, without 'Bearer '");
      }
    }
    return token;
  }
}
