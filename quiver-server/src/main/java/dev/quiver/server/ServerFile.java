package dev.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Where a running {@code quiver serve} listens, recorded in its feature repo as {@code
 * .quiver/server.json} ({@code {"pid": 4242, "http": "http://127.0.0.1:6566", "started":
 * "2026-11-22T10:00:00Z"}}), so that CLI commands needing the embedded online store the server owns
 * go through it instead of failing on RocksDB's lock. Written atomically once the server listens,
 * removed when it closes; a file left by a server that died is ignored (its process is gone, or the
 * pid now belongs to a process that started after the file was written). Holds no secret.
 *
 * <p>Thread-safe; the file is the only state.
 */
public final class ServerFile implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ServerFile.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The file's place, relative to the feature repo. */
  public static final String PATH = ".quiver/server.json";

  /**
   * One running server.
   *
   * @param pid its process
   * @param http the base URL of its HTTP API ({@code http://127.0.0.1:6566})
   * @param started when it started listening
   */
  public record Entry(long pid, URI http, Instant started) {
    public Entry {
      Objects.requireNonNull(http, "http");
      Objects.requireNonNull(started, "started");
    }
  }

  private final Path file;
  private final Entry entry;

  private ServerFile(Path file, Entry entry) {
    this.file = file;
    this.entry = entry;
  }

  /** The file of the repo at {@code repoRoot}. */
  public static Path path(Path repoRoot) {
    return repoRoot.resolve(PATH);
  }

  /**
   * Records this process as the server of {@code repoRoot}, listening at {@code http}; replaces
   * what was there. Close the result to remove the file.
   *
   * @throws java.io.UncheckedIOException when the file cannot be written
   */
  public static ServerFile write(Path repoRoot, URI http) {
    Entry e = new Entry(ProcessHandle.current().pid(), http, Instant.now());
    Path file = path(repoRoot);
    ObjectNode n = JSON.createObjectNode();
    n.put("pid", e.pid());
    n.put("http", e.http().toString());
    n.put("started", e.started().toString());
    try {
      Files.createDirectories(file.getParent());
      Path tmp = Files.createTempFile(file.getParent(), "server-", ".json.tmp");
      try {
        Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
        try {
          Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException unsupported) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException ex) {
      throw new java.io.UncheckedIOException("cannot write " + file + ": " + ex.getMessage(), ex);
    }
    return new ServerFile(file, e);
  }

  /**
   * The URL clients on this machine reach a server bound to {@code host} at: a wildcard address
   * (0.0.0.0, ::) is reached on the loopback.
   */
  public static URI url(String host, int port) {
    String h = host == null || host.isBlank() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")
        ? "127.0.0.1" : host;
    if (h.contains(":") && !h.startsWith("[")) {
      h = "[" + h + "]";
    }
    return URI.create("http://" + h + ":" + port);
  }

  /** What this server recorded. */
  public Entry entry() {
    return entry;
  }

  /**
   * The server running on {@code repoRoot}, if one is: empty when there is no file, when it cannot
   * be read, or when the process it names is not alive (or started after the file was written, a
   * reused pid).
   */
  public static Optional<Entry> find(Path repoRoot) {
    Optional<Entry> e = read(path(repoRoot));
    return e.filter(ServerFile::alive);
  }

  /** The entry the file holds, alive or not; empty when absent or malformed. */
  static Optional<Entry> read(Path file) {
    try {
      JsonNode n = JSON.readTree(Files.readAllBytes(file));
      if (n == null || !n.path("pid").canConvertToLong() || !n.path("http").isTextual() || !n.path("started").isTextual()) {
        LOG.fine(() -> file + " is not a server file; ignored");
        return Optional.empty();
      }
      return Optional.of(new Entry(n.get("pid").asLong(), URI.create(n.get("http").asText()),
          Instant.parse(n.get("started").asText())));
    } catch (NoSuchFileException absent) {
      return Optional.empty();
    } catch (IOException | IllegalArgumentException | DateTimeParseException e) {
      LOG.fine(() -> file + " cannot be read (" + e.getMessage() + "); ignored");
      return Optional.empty();
    }
  }

  /** Whether the entry's process is alive and is the one that wrote it (not a later one given its pid). */
  static boolean alive(Entry e) {
    return ProcessHandle.of(e.pid()).filter(ProcessHandle::isAlive)
        .filter(p -> p.info().startInstant().map(s -> !s.isAfter(e.started())).orElse(true))
        .isPresent();
  }

  /** Removes the file, unless another server has replaced it since. Never throws. */
  @Override
  public void close() {
    try {
      if (read(file).filter(entry::equals).isPresent()) {
        Files.deleteIfExists(file);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warning("cannot remove " + file + " (" + e.getMessage() + "); the next CLI command ignores it once this process ends");
    }
  }
}
