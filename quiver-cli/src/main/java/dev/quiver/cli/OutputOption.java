package dev.quiver.cli;

import picocli.CommandLine.Option;

/** {@code --output text|json}. */
final class OutputOption {
  enum Format {
    text,
    json
  }

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "text (default) or json.",
      defaultValue = "text")
  Format format;

  boolean json() {
    return format == Format.json;
  }
}
