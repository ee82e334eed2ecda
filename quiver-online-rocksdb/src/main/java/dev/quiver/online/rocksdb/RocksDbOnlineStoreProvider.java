package dev.quiver.online.rocksdb;

import dev.quiver.core.QuiverException;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.OnlineStoreProvider;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Opens the embedded RocksDB online store, {@code online.type: rocksdb} in {@code quiver.yaml}:
 *
 * <pre>{@code
 * online:
 *   type: rocksdb
 *   path: .quiver/online     # the default; relative to the feature repo
 *   block_cache_mb: 128      # the default; the read cache shared by every table
 *   write_buffer_mb: 64      # the default; each table's memtable (all together at most 4x this)
 *   written_rows_mb: 256     # the default (or 1/8 of the heap if less); rows this process wrote, kept for its next writes (0: none)
 *   sync: false              # the default; true makes every write wait for an fsync of the WAL
 * }</pre>
 *
 * <p>The store is one RocksDB database in {@code path}, created when missing; one process at a time
 * may open it (a second one fails with "the online store at PATH is in use by another process").
 * With {@code sync: false} every write goes to the write-ahead log before it is acknowledged, so it
 * survives a crash of the process but not necessarily of the machine; writes are idempotent, so
 * re-running the materialization (or replaying the stream) restores what a power loss took. See the
 * package documentation for the layout and the tuning.
 *
 * <p>Found by {@link java.util.ServiceLoader}; stateless and thread-safe.
 */
public final class RocksDbOnlineStoreProvider implements OnlineStoreProvider {

  /** The {@code online.type} this provider opens. */
  public static final String TYPE = "rocksdb";

  /** Where the store lives when {@code path} is not given, relative to the feature repo. */
  public static final String DEFAULT_PATH = ".quiver/online";

  private static final Set<String> OPTIONS = Set.of("type", "path", "block_cache_mb", "write_buffer_mb", "written_rows_mb",
      "sync");

  /** For {@link java.util.ServiceLoader}. */
  public RocksDbOnlineStoreProvider() {}

  /** Returns {@value #TYPE}. */
  @Override
  public String type() {
    return TYPE;
  }

  /**
   * Opens (creating when missing) the store in {@code options.path}, resolved against {@code
   * repoRoot} when relative. The store holds a lock on the directory until it is closed.
   *
   * @param options the {@code online} section of {@code quiver.yaml}: {@code type}, {@code path},
   *     {@code block_cache_mb}, {@code write_buffer_mb}, {@code written_rows_mb} and {@code sync}, each optional; a null value
   *     means the default
   * @param repoRoot the feature repo
   * @return a thread-safe store; close it to release the directory
   * @throws QuiverException when an option is unknown or malformed (naming it), when the directory
   *     cannot be created or opened, or when another process has it open
   * @throws NullPointerException when an argument is null
   */
  @Override
  public OnlineStore open(Map<String, Object> options, Path repoRoot) {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(repoRoot, "repoRoot");
    Set<String> unknown = new TreeSet<>(options.keySet());
    unknown.removeAll(OPTIONS);
    if (!unknown.isEmpty()) {
      throw new QuiverException(
          "unknown option" + (unknown.size() == 1 ? " " : "s ") + String.join(", ", unknown)
              + " for the rocksdb online store; it takes 'path' (default " + DEFAULT_PATH
              + "), 'block_cache_mb', 'write_buffer_mb', 'written_rows_mb' and 'sync'");
    }
    Path dir = repoRoot.resolve(path(options.get("path")));
    long blockCache = megabytes(options, "block_cache_mb", RocksDbOnlineStore.DEFAULT_BLOCK_CACHE_BYTES, 1 << 20, 1);
    long writeBuffer = megabytes(options, "write_buffer_mb", RocksDbOnlineStore.DEFAULT_WRITE_BUFFER_BYTES, 1 << 16, 1);
    long writtenRows = options.get("written_rows_mb") == null ? RocksDbOnlineStore.defaultWrittenRowsBytes()
        : megabytes(options, "written_rows_mb", 0, 1 << 20, 0);
    return RocksDbOnlineStore.open(dir, blockCache, writeBuffer, bool(options, "sync"), writtenRows);
  }

  private static Path path(Object path) {
    Object p = path == null ? DEFAULT_PATH : path;
    try {
      return switch (p) {
        case Path given -> given;
        case String s when !s.isBlank() -> Path.of(s.strip());
        default -> throw new InvalidPathException(String.valueOf(p), "not a path");
      };
    } catch (InvalidPathException e) {
      throw new QuiverException(
          "online.path must be a directory path such as " + DEFAULT_PATH + ", found '" + p + "'", e);
    }
  }

  private static long megabytes(Map<String, Object> options, String name, long defaultBytes, long maxMegabytes,
      long minMegabytes) {
    Object v = options.get(name);
    if (v == null) {
      return defaultBytes;
    }
    long mb;
    try {
      mb = switch (v) {
        case Integer i -> i;
        case Long l -> l;
        case Short s -> s;
        case String s -> Long.parseLong(s.strip());
        default -> throw new NumberFormatException();
      };
    } catch (NumberFormatException e) {
      mb = -1;
    }
    if (mb < minMegabytes || mb > maxMegabytes) {
      throw new QuiverException("online." + name + " must be a whole number of megabytes from " + minMegabytes + " to "
          + maxMegabytes
          + ", found '" + v + "'");
    }
    return mb << 20;
  }

  private static boolean bool(Map<String, Object> options, String name) {
    Object v = options.get(name);
    return switch (v) {
      case null -> false;
      case Boolean b -> b;
      case String s when s.strip().equalsIgnoreCase("true") -> true;
      case String s when s.strip().equalsIgnoreCase("false") -> false;
      default -> throw new QuiverException("online." + name + " must be true or false, found '" + v + "'");
    };
  }
}
