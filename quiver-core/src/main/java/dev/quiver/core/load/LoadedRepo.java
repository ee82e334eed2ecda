package dev.quiver.core.load;

import dev.quiver.core.model.Definitions;
import java.nio.file.Path;
import java.util.List;

/**
 * A feature repo as read from disk, before validation.
 *
 * @param files the definition files read, relative to the repo root, in the order read
 */
public record LoadedRepo(RepoConfig config, Definitions definitions, Origins origins, List<Path> files) {
  public LoadedRepo {
    files = List.copyOf(files);
  }
}
