package dev.quiver.cli;

import picocli.CommandLine.Option;

/** {@code --output text|json} ({@code table} is the same as {@code text}, as the record listings spell it). */
final class OutputOption {
  enum Format {
    text,
    table,
    json
  }

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "text (default; table is the same) or json.",
      defaultValue = "text")
  Format format;

  boolean json() {
    return format == Format.json;
  }
}
