package dev.quiver.registry.file;

import dev.quiver.core.QuiverException;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.registry.RegistryStoreProvider;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Opens the embedded file registry, {@code registry.type: file} in {@code quiver.yaml}:
 *
 * <pre>{@code
 * registry:
 *   type: file
 *   path: .quiver/registry   # the default; relative to the feature repo
 * }</pre>
 *
 * <p>Every registry version is one immutable file, {@code <path>/versions/0000000042.json}, in the
 * {@link dev.quiver.core.registry.RegistryCodec} format; each saved training set is one file, {@code
 * <path>/datasets/NAME.json}. Commits are atomic and conditional on the
 * planned head, across threads and processes sharing the directory, and survive a crash at any
 * point (see the package documentation). The directory is created by the first commit.
 *
 * <p>Found by {@link java.util.ServiceLoader}; stateless and thread-safe.
 */
public final class FileRegistryProvider implements RegistryStoreProvider {

  /** The {@code registry.type} this provider opens. */
  public static final String TYPE = "file";

  /** Where the registry lives when {@code path} is not given, relative to the feature repo. */
  public static final String DEFAULT_PATH = ".quiver/registry";

  private static final Set<String> OPTIONS = Set.of("type", "path");

  /** For {@link java.util.ServiceLoader}. */
  public FileRegistryProvider() {}

  /** Returns {@value #TYPE}. */
  @Override
  public String type() {
    return TYPE;
  }

  /**
   * Opens the registry in {@code options.path} (default {@value #DEFAULT_PATH}), resolved against
   * {@code repoRoot} when relative. Opening reads nothing and creates nothing.
   *
   * @param options the {@code registry} section of {@code quiver.yaml}; may hold {@code type} and
   *     {@code path}, nothing else
   * @param repoRoot the feature repo
   * @throws QuiverException when an option is unknown or {@code path} is not a path
   * @throws NullPointerException when an argument is null
   */
  @Override
  public RegistryStore open(Map<String, Object> options, Path repoRoot) {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(repoRoot, "repoRoot");
    Set<String> unknown = new TreeSet<>(options.keySet());
    unknown.removeAll(OPTIONS);
    if (!unknown.isEmpty()) {
      throw new QuiverException(
          "unknown option" + (unknown.size() == 1 ? " " : "s ") + String.join(", ", unknown)
              + " for the file registry; it takes only 'path' (default " + DEFAULT_PATH + ")");
    }
    Object path = options.get("path") == null ? DEFAULT_PATH : options.get("path");
    Path relative;
    try {
      relative =
          switch (path) {
            case Path p -> p;
            case String s when !s.isBlank() -> Path.of(s.strip());
            default -> throw new InvalidPathException(String.valueOf(path), "not a path");
          };
    } catch (InvalidPathException e) {
      throw new QuiverException(
          "registry.path must be a directory path such as " + DEFAULT_PATH + ", found '" + path + "'", e);
    }
    return new FileRegistryStore(repoRoot.resolve(relative));
  }
}
