package dev.quiver.registry.file;

import dev.quiver.core.NotFoundException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.RegistryConflictException;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.registry.RegistryCodec;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.registry.VersionInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A registry in a directory: one immutable file per version, {@code versions/0000000042.json},
 * holding the {@link RegistryCodec} bytes of that version.
 *
 * <p><b>Commit protocol.</b> The new version is written to a temporary file in the same directory,
 * forced to disk, and published with a hard link to its final name. Creating a link is atomic and
 * exclusive (it fails when the name exists), so of several writers racing for version N, in this
 * process or others, exactly one wins; the others get a {@link RegistryConflictException}. Then the
 * temporary file is removed and the directory forced, so a returned commit survives power loss. A
 * crash at any point leaves either the old head or the complete new version, plus perhaps a
 * temporary file, which is ignored and removed once it is a minute old. Readers never lock and only
 * ever see complete files.
 *
 * <p>Versions are immutable, so their records are cached after the first read. Thread-safe.
 */
final class FileRegistryStore implements RegistryStore {
  private static final Pattern VERSION_FILE = Pattern.compile("(\\d{10,18})\\.json");
  private static final String TEMP_SUFFIX = ".tmp";
  /** A temporary file this old belongs to a crashed or stalled writer and may be removed. */
  static final Duration STALE_TEMP_AGE = Duration.ofMinutes(1);

  private final Path root;
  private final Path versions;
  private final ConcurrentMap<Long, VersionInfo> verifiedInfos = new ConcurrentHashMap<>();
  private volatile boolean closed;

  FileRegistryStore(Path root) {
    this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    this.versions = this.root.resolve("versions");
  }

  /** The directory holding the registry. */
  Path root() {
    return root;
  }

  /** The file a version is published as. */
  Path versionFile(long version) {
    return versions.resolve(String.format("%010d.json", version));
  }

  @Override
  public Optional<VersionInfo> head() {
    ensureOpen();
    OptionalLong newest = newestVersion();
    return newest.isPresent() ? Optional.of(info(newest.getAsLong())) : Optional.empty();
  }

  @Override
  public List<VersionInfo> log() {
    ensureOpen();
    List<Long> present = scanVersions();
    List<VersionInfo> log = new ArrayList<>(present.size());
    for (int i = present.size() - 1; i >= 0; i--) {
      log.add(info(present.get(i)));
    }
    return List.copyOf(log);
  }

  @Override
  public RegistrySnapshot read(long version) {
    ensureOpen();
    Path file = versionFile(version);
    byte[] bytes;
    try {
      bytes = version < 1 ? null : Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      bytes = null;
    } catch (IOException e) {
      throw new QuiverException("cannot read registry version " + version + " from " + file + ": " + e, e);
    }
    if (bytes == null) {
      OptionalLong newest = newestVersion();
      throw new NotFoundException(
          "registry version "
              + version
              + " does not exist in "
              + root
              + (newest.isPresent() ? "; the newest is " + newest.getAsLong() : "; it is empty"));
    }
    RegistrySnapshot snapshot = verified(version, file, bytes);
    verifiedInfos.putIfAbsent(version, snapshot.info());
    return snapshot;
  }

  @Override
  public VersionInfo commit(
      long expectedHead, Definitions definitions, String author, String message, Instant time) {
    ensureOpen();
    Objects.requireNonNull(definitions, "definitions");
    if (expectedHead < 0) {
      throw new IllegalArgumentException("expectedHead must be 0 or more: " + expectedHead);
    }
    long version = Math.addExact(expectedHead, 1);
    VersionInfo info =
        new VersionInfo(
            version, expectedHead, author, time, message, RegistryCodec.contentHash(definitions));
    byte[] bytes = RegistryCodec.encode(new RegistrySnapshot(info, definitions));

    Path target = versionFile(version);
    checkPlannedAgainstHead(expectedHead, target);
    createDirectories();
    Path temp = versions.resolve("." + target.getFileName() + "." + UUID.randomUUID() + TEMP_SUFFIX);
    try {
      writeDurably(temp, bytes);
      try {
        Files.createLink(target, temp);
      } catch (FileAlreadyExistsException lostTheRace) {
        throw conflict(expectedHead);
      } catch (UnsupportedOperationException noHardLinks) {
        throw new QuiverException(
            "the file registry at "
                + root
                + " needs a file system with hard links, which it uses to publish versions"
                + " atomically; put the registry on a local disk",
            noHardLinks);
      }
    } catch (IOException e) {
      throw new QuiverException(
          "cannot record registry version " + version + " in " + versions + ": " + e
              + "; nothing was recorded, run apply again",
          e);
    } finally {
      deleteQuietly(temp);
    }
    forceDirectory(versions);
    verifiedInfos.put(version, info);
    return info;
  }

  @Override
  public void close() {
    closed = true;
  }

  @Override
  public String toString() {
    return "FileRegistryStore[" + root + "]";
  }

  // ---- commit helpers ---------------------------------------------------------------------------

  /**
   * Fails unless {@code expectedHead} is the head: version {@code expectedHead} exists (so, versions
   * never being removed, every earlier one does) and the next does not. The link that publishes the
   * next version re-checks the second half atomically.
   */
  private void checkPlannedAgainstHead(long expectedHead, Path next) {
    if (Files.exists(next)) {
      throw conflict(expectedHead);
    }
    if (expectedHead > 0 && !Files.exists(versionFile(expectedHead))) {
      OptionalLong newest = newestVersion();
      throw new RegistryConflictException(
          "you planned against registry version "
              + expectedHead
              + " but the registry at "
              + root
              + (newest.isPresent() ? " is at version " + newest.getAsLong() : " is empty")
              + "; run plan again");
    }
  }

  private RegistryConflictException conflict(long expectedHead) {
    long winner = expectedHead + 1;
    String who;
    try {
      VersionInfo info = info(winner);
      who = " was applied by " + info.author() + " at " + info.appliedAt();
    } catch (QuiverException unreadable) {
      who = " was applied by someone else";
    }
    return new RegistryConflictException(
        "registry version "
            + winner
            + who
            + " while you planned against "
            + expectedHead
            + "; run plan again");
  }

  private void createDirectories() {
    try {
      if (!Files.isDirectory(versions)) {
        Files.createDirectories(versions);
        forceDirectory(root);
        forceDirectory(root.getParent());
      }
    } catch (IOException e) {
      throw new QuiverException("cannot create the registry directory " + versions + ": " + e, e);
    }
  }

  private static void writeDurably(Path file, byte[] bytes) throws IOException {
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    }
  }

  /**
   * Makes a directory's entries durable. Not every platform can open a directory (Windows cannot);
   * there the file system orders metadata itself and there is nothing more to do.
   */
  private static void forceDirectory(Path dir) {
    if (dir == null) {
      return;
    }
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException notSupported) {
      // best effort, see above
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // a stale temporary file is ignored by readers and removed by a later scan
    }
  }

  // ---- read helpers -----------------------------------------------------------------------------

  private VersionInfo info(long version) {
    VersionInfo cached = verifiedInfos.get(version);
    return cached != null ? cached : read(version).info();
  }

  private RegistrySnapshot verified(long version, Path file, byte[] bytes) {
    RegistrySnapshot snapshot;
    try {
      snapshot = RegistryCodec.decode(bytes);
    } catch (QuiverException e) {
      throw damaged(version, file, e.getMessage(), e);
    }
    if (snapshot.info().version() != version) {
      throw damaged(version, file, "it records version " + snapshot.info().version(), null);
    }
    String actual = RegistryCodec.contentHash(snapshot.definitions());
    if (!actual.equals(snapshot.info().contentHash())) {
      throw damaged(
          version,
          file,
          "its definitions hash to " + actual + ", not the recorded " + snapshot.info().contentHash(),
          null);
    }
    return snapshot;
  }

  private static QuiverException damaged(long version, Path file, String why, Throwable cause) {
    return new QuiverException(
        "registry version "
            + version
            + " is damaged ("
            + file
            + "): "
            + why
            + "; restore the file from a backup or a copy of the registry",
        cause);
  }

  private OptionalLong newestVersion() {
    List<Long> present = scanVersions();
    return present.isEmpty() ? OptionalLong.empty() : OptionalLong.of(present.getLast());
  }

  /**
   * The published versions, ascending. Removes temporary files older than {@link #STALE_TEMP_AGE}
   * on the way: a writer that crashed leaves one behind, a live writer holds one for milliseconds.
   */
  private List<Long> scanVersions() {
    List<Long> found = new ArrayList<>();
    if (!Files.isDirectory(versions)) {
      return found;
    }
    Instant staleBefore = Instant.now().minus(STALE_TEMP_AGE);
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(versions)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        Matcher m = VERSION_FILE.matcher(name);
        if (m.matches()) {
          found.add(Long.parseLong(m.group(1)));
        } else if (name.endsWith(TEMP_SUFFIX)) {
          removeIfStale(entry, staleBefore);
        }
      }
    } catch (IOException e) {
      throw new QuiverException("cannot list the registry directory " + versions + ": " + e, e);
    }
    found.sort(null);
    return found;
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

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the file registry store at " + root + " is closed");
    }
  }
}
