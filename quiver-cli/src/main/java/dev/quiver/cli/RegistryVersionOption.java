package dev.quiver.cli;

import picocli.CommandLine.Option;

/** {@code --version N}: read an older registry version instead of the latest. */
final class RegistryVersionOption {
  @Option(names = "--version", paramLabel = "N", description = "Read registry version N instead of the latest.", defaultValue = "latest")
  String version;
}
