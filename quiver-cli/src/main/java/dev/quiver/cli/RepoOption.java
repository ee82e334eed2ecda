package dev.quiver.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --repo DIR} option shared by every command that works on a feature repo. */
final class RepoOption {
  @Option(
      names = {"-r", "--repo"},
      paramLabel = "DIR",
      description = "The feature repo (the folder holding quiver.yaml). Default: the current folder.",
      defaultValue = ".")
  Path repo;
}
