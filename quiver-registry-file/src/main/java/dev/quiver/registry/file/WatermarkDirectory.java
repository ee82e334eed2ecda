package dev.quiver.registry.file;

import dev.quiver.core.QuiverException;
import dev.quiver.core.registry.RegistryCodec;
import dev.quiver.core.registry.Watermark;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * The {@code watermarks/} directory of the file registry: one file per view version, {@code
 * <name>@v<N>.json}, holding the {@link RegistryCodec#encodeWatermark} bytes of its watermark.
 * Unlike versions and datasets, these files are replaced, but only ever by a later watermark.
 *
 * <p><b>Advance protocol.</b> Under the lock of the directory, the stored watermark is read again;
 * when the proposed end is not later, nothing is written. Otherwise the new bytes are written to a
 * temporary file in the directory ({@code .<view>.json.<uuid>.tmp}), forced to disk, and renamed
 * over the old file atomically ({@link StandardCopyOption#ATOMIC_MOVE}); then the directory is
 * forced. Readers never lock: the rename makes them see the old file or the new one, whole. A crash
 * leaves the old watermark or the new one, plus perhaps a temporary file, which the next advance
 * removes (only a lock holder writes temporary files, so one found under the lock is orphaned).
 *
 * <p>The lock serializes advances across threads and processes: an in-process lock per directory,
 * because a JVM holds file locks for all its threads, and an exclusive {@link FileLock} on {@code
 * watermarks/.lock}, which the operating system releases when a holder dies. Because every advance
 * compares with the stored end under it, the latest end proposed always remains, whatever the order.
 *
 * <p>Thread-safe.
 */
final class WatermarkDirectory {
  private static final Pattern FILE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}@v[1-9][0-9]{0,8}\\.json");
  private static final String JSON = ".json";
  private static final String LOCK_FILE = ".lock";
  private static final String TEMP_SUFFIX = ".tmp";
  private static final Pattern VERSION_SUFFIX = Pattern.compile("@v(?=[0-9]+$)");

  /** By view name, then version number: {@code x@v2} before {@code x@v10}. */
  private static final Comparator<Watermark> BY_VIEW =
      Comparator.comparing((Watermark w) -> VERSION_SUFFIX.split(w.view())[0])
          .thenComparingInt(w -> Integer.parseInt(VERSION_SUFFIX.split(w.view())[1]));

  /** The in-process half of the lock, one per directory (by real path) for the whole JVM. */
  private static final ConcurrentMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

  private final Path root;
  private final Path dir;

  /**
   * @param root the registry directory, forced when {@code dir} is created in it
   * @param dir the watermarks directory, created by the first {@link #advance}
   */
  WatermarkDirectory(Path root, Path dir) {
    this.root = root;
    this.dir = dir;
  }

  /** The file a view version's watermark is kept in. */
  Path file(String view) {
    return dir.resolve(view + JSON);
  }

  /**
   * The stored watermark of {@code view}, or empty when there is none. On a case-insensitive file
   * system the file of {@code User@v1} may hold {@code user@v1}, another view: that is empty too.
   *
   * @throws QuiverException when {@code view} is not {@code name@vN}, or the file is damaged
   */
  Optional<Watermark> read(String view) {
    checkView(view);
    return stored(view).filter(w -> w.view().equals(view));
  }

  /** Every stored watermark, by view name, then version; a damaged file fails the listing. */
  List<Watermark> list() {
    List<Watermark> found = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return found;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (FILE.matcher(name).matches()) {
          stored(name.substring(0, name.length() - JSON.length())).ifPresent(found::add);
        }
      }
    } catch (IOException e) {
      throw new QuiverException("cannot list the watermarks in " + dir + ": " + e, e);
    }
    found.sort(BY_VIEW);
    return List.copyOf(found);
  }

  /** See {@link dev.quiver.core.registry.RegistryStore#advanceWatermark}. */
  Watermark advance(Watermark proposed) {
    String view = proposed.view();
    checkView(view);
    byte[] bytes = RegistryCodec.encodeWatermark(proposed);
    DurableFiles.createRegistryDirectory(root, dir);
    try {
      return locked(
          () -> {
            Optional<Watermark> stored = stored(view);
            if (stored.isPresent() && !stored.get().view().equals(view)) {
              throw new QuiverException(
                  "the watermark of view " + view + " cannot be told apart from that of view "
                      + stored.get().view() + " on the case-insensitive file system of " + root
                      + "; keep the registry on a case-sensitive file system, or rename one of the views");
            }
            if (stored.isPresent() && !Watermark.isAhead(proposed, stored.get())) {
              return stored.get();
            }
            replace(view, bytes);
            return proposed;
          });
    } catch (IOException e) {
      throw new QuiverException(
          "cannot advance the watermark of view " + view + " in " + dir + ": " + e
              + "; it is unchanged, and running the materialization again is safe",
          e);
    }
  }

  /** See {@link dev.quiver.core.registry.RegistryStore#resetWatermark}: deletes the file under the lock. */
  Optional<Watermark> reset(String view) {
    checkView(view);
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    try {
      return locked(
          () -> {
            Optional<Watermark> stored = stored(view).filter(w -> w.view().equals(view));
            if (stored.isPresent()) {
              Files.deleteIfExists(file(view));
              DurableFiles.forceDirectory(dir);
            }
            return stored;
          });
    } catch (IOException e) {
      throw new QuiverException("cannot remove the watermark of view " + view + " in " + dir + ": " + e
          + "; it is unchanged", e);
    }
  }

  // ---- the lock ---------------------------------------------------------------------------------

  private interface LockedAction<T> {
    T run() throws IOException;
  }

  /** Runs {@code action} holding the directory's lock, against threads and processes. */
  private <T> T locked(LockedAction<T> action) throws IOException {
    ReentrantLock inProcess = IN_PROCESS.computeIfAbsent(dir.toRealPath(), k -> new ReentrantLock());
    inProcess.lock();
    try (FileChannel channel =
            FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = lockOf(channel)) {
      return action.run();
    } finally {
      inProcess.unlock();
    }
  }

  /**
   * The exclusive lock of {@code channel}, waiting for other processes. The in-process lock keeps
   * this JVM's threads out, unless two paths of one directory (symbolic links) got two in-process
   * locks; then another thread of this JVM holds the file lock, and this one waits for it to go.
   */
  private static FileLock lockOf(FileChannel channel) throws IOException {
    while (true) {
      try {
        return channel.lock();
      } catch (OverlappingFileLockException heldInThisJvm) {
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for the watermark lock", e);
        }
      }
    }
  }

  // ---- files ------------------------------------------------------------------------------------

  /** Writes {@code bytes} durably as {@code view}'s file, replacing it atomically; under the lock. */
  private void replace(String view, byte[] bytes) throws IOException {
    removeOrphanedTemps();
    Path target = file(view);
    Path temp = dir.resolve("." + view + JSON + "." + UUID.randomUUID() + TEMP_SUFFIX);
    try {
      DurableFiles.writeNew(temp, bytes);
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        throw new QuiverException(
            "the file registry at " + root + " needs a file system that renames atomically, which"
                + " it uses to move watermarks; put the registry on a local disk",
            e);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
    DurableFiles.forceDirectory(dir);
  }

  /** Removes the temporary files of crashed writers; under the lock, every one is orphaned. */
  private void removeOrphanedTemps() throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, ".*" + TEMP_SUFFIX)) {
      for (Path temp : entries) {
        Files.deleteIfExists(temp);
      }
    }
  }

  /**
   * The watermark in {@code view}'s file, whatever view it records when that differs only in case
   * (a case-insensitive file system), or empty when there is no file. Fails when it is damaged.
   */
  private Optional<Watermark> stored(String view) {
    Path file = file(view);
    byte[] bytes = DurableFiles.readIfPresent(file, "the watermark of view " + view).orElse(null);
    if (bytes == null) {
      return Optional.empty();
    }
    Watermark watermark;
    try {
      watermark = RegistryCodec.decodeWatermark(bytes);
    } catch (QuiverException e) {
      throw damaged(view, file, e.getMessage(), e);
    }
    if (!watermark.view().equalsIgnoreCase(view)) {
      throw damaged(view, file, "it records view " + watermark.view(), null);
    }
    return Optional.of(watermark);
  }

  private static QuiverException damaged(String view, Path file, String why, Throwable cause) {
    return new QuiverException(
        "the watermark of view " + view + " is damaged (" + file + "): " + why
            + "; restore the file from a backup, or delete it and materialize the view again with"
            + " an explicit start",
        cause);
  }

  private static void checkView(String view) {
    if (!Watermark.isValidView(view)) {
      throw new QuiverException(
          "'" + view + "' is not a view version: a watermark belongs to one version of a view,"
              + " written name@vN (user_txn@v2)");
    }
  }
}
