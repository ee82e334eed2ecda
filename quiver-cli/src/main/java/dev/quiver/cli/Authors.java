package dev.quiver.cli;

/** Who is acting: the explicit option, else {@code $QUIVER_AUTHOR}, else the OS user. */
final class Authors {
  private Authors() {}

  static String resolve(String explicit) {
    if (explicit != null && !explicit.isBlank()) {
      return explicit;
    }
    String env = System.getenv("QUIVER_AUTHOR");
    return env != null && !env.isBlank() ? env : System.getProperty("user.name", "unknown");
  }
}
