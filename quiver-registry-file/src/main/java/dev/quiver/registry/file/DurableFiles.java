package dev.quiver.registry.file;

import dev.quiver.core.QuiverException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The file operations both directory kinds of the file registry build on ({@link
 * PublishedDirectory}, {@link WatermarkDirectory}): writing a new file durably, making a
 * directory's entries durable, and creating a registry subdirectory so that it survives power loss.
 * Stateless; thread-safe.
 */
final class DurableFiles {
  private DurableFiles() {}

  /** Writes {@code bytes} to a new file (it must not exist) and forces them to disk. */
  static void writeNew(Path file, byte[] bytes) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    }
  }

  /**
   * Makes a directory's entries durable. Not every platform can open a directory (Windows cannot);
   * there the file system orders metadata itself and there is nothing more to do. A null {@code
   * dir} (the parent of a root) is ignored.
   */
  static void forceDirectory(Path dir) {
    if (dir == null) {
      return;
    }
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException notSupported) {
      // best effort, see above
    }
  }

  /**
   * Creates {@code dir} (with its parents) when it does not exist, then forces the registry
   * directory {@code root} and its parent, so the new entries survive power loss.
   *
   * @throws QuiverException naming the directory when it cannot be created
   */
  static void createRegistryDirectory(Path root, Path dir) {
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
        forceDirectory(root);
        forceDirectory(root.getParent());
      }
    } catch (IOException e) {
      throw new QuiverException("cannot create the registry directory " + dir + ": " + e, e);
    }
  }

  /**
   * A registry file's bytes, or empty when there is no such file.
   *
   * @param what the file's content in the message ({@code dataset 'x'})
   * @throws QuiverException when it exists but cannot be read
   */
  static Optional<byte[]> readIfPresent(Path file, String what) {
    try {
      return Optional.of(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new QuiverException("cannot read " + what + " from " + file + ": " + e, e);
    }
  }
}
