package dev.quiver.cli;

import picocli.CommandLine.Option;

/**
 * {@code --token}: the bearer token sent to a running server on the repo when a command goes
 * through it ({@link RunningServer}); default {@code $QUIVER_TOKEN}. Never printed.
 */
final class TokenOption {
  @Option(names = "--token", paramLabel = "TOKEN",
      description = "API token for the server running on this repo, when the command goes through it (default: $QUIVER_TOKEN;"
          + " the variable keeps it out of the process list).")
  String token;

  /** The token given, else {@code $QUIVER_TOKEN}; null when neither is set. */
  String resolve() {
    String t = token != null ? token : System.getenv("QUIVER_TOKEN");
    return t == null || t.isBlank() ? null : t.strip();
  }
}
