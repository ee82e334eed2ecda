package dev.quiver.registry.file;

import dev.quiver.core.QuiverException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * One directory of the file registry ({@code versions/}, {@code datasets/}) whose files are
 * immutable: each is published whole, at most once, and never replaced.
 *
 * <p><b>Publish protocol.</b> The bytes are written to a temporary file in the same directory,
 * forced to disk, and published with a hard link to the final name. Creating a link is atomic and
 * exclusive (it fails when the name exists), so of several writers racing for one name, in this
 * process or others, exactly one wins. Then the temporary file is removed and the directory forced,
 * so a published file survives power loss. A crash at any point leaves either no file or the
 * complete file, plus perhaps a temporary file ({@code .<name>.<uuid>.tmp}), which {@link #list}
 * ignores and removes once it is {@link #STALE_TEMP_AGE} old. Readers never lock and only ever see
 * complete files.
 *
 * <p>Stateless apart from its paths; thread-safe.
 */
final class PublishedDirectory {
  /** A temporary file this old belongs to a crashed or stalled writer and may be removed. */
  static final Duration STALE_TEMP_AGE = Duration.ofMinutes(1);

  private static final String TEMP_SUFFIX = ".tmp";

  private final Path root;
  private final Path dir;

  /**
   * @param root the registry directory, forced when {@code dir} is created in it
   * @param dir the directory of published files, created by the first {@link #publish}
   */
  PublishedDirectory(Path root, Path dir) {
    this.root = root;
    this.dir = dir;
  }

  /** The directory itself. */
  Path dir() {
    return dir;
  }

  /** The path a file of that name is published at. */
  Path file(String name) {
    return dir.resolve(name);
  }

  /**
   * Publishes {@code bytes} as {@code name}, creating the directory if needed. When this returns
   * true the file is complete and durable.
   *
   * @return false when a file of that name exists (published by another writer); nothing is written
   * @throws IOException when the bytes cannot be written; nothing is published
   * @throws QuiverException when the directory cannot be created, or the file system has no hard
   *     links
   */
  boolean publish(String name, byte[] bytes) throws IOException {
    DurableFiles.createRegistryDirectory(root, dir);
    Path target = file(name);
    Path temp = dir.resolve("." + name + "." + UUID.randomUUID() + TEMP_SUFFIX);
    try {
      DurableFiles.writeNew(temp, bytes);
      try {
        Files.createLink(target, temp);
      } catch (FileAlreadyExistsException lostTheRace) {
        return false;
      } catch (UnsupportedOperationException noHardLinks) {
        throw new QuiverException(
            "the file registry at "
                + root
                + " needs a file system with hard links, which it uses to publish versions and"
                + " datasets atomically; put the registry on a local disk",
            noHardLinks);
      }
    } finally {
      deleteQuietly(temp);
    }
    DurableFiles.forceDirectory(dir);
    return true;
  }

  /**
   * The names of the published files that match {@code names}, in no particular order; an absent
   * directory holds none. Removes temporary files older than {@link #STALE_TEMP_AGE} on the way: a
   * writer that crashed leaves one behind, a live writer holds one for milliseconds.
   *
   * @throws QuiverException when the directory cannot be listed
   */
  List<String> list(Pattern names) {
    List<String> found = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return found;
    }
    Instant staleBefore = Instant.now().minus(STALE_TEMP_AGE);
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (names.matcher(name).matches()) {
          found.add(name);
        } else if (name.startsWith(".") && name.endsWith(TEMP_SUFFIX)) {
          removeIfStale(entry, staleBefore);
        }
      }
    } catch (IOException e) {
      throw new QuiverException("cannot list the registry directory " + dir + ": " + e, e);
    }
    return found;
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // a stale temporary file is ignored by readers and removed by a later scan
    }
  }

  private static void removeIfStale(Path temp, Instant staleBefore) {
    try {
      if (Files.getLastModifiedTime(temp).toInstant().isBefore(staleBefore)) {
        Files.deleteIfExists(temp);
      }
    } catch (IOException ignored) {
      // another scan removed it first, or it is not ours to remove: readers ignore it either way
    }
  }
}
