package dev.quiver.registry.file;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.QuiverException;
import dev.quiver.core.security.AuditEvent;
import dev.quiver.core.security.AuditLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/**
 * The file registry's audit log: {@code audit/events.jsonl}, one JSON object per line and event
 * ({@code time}, {@code principal}, {@code method}, {@code action}, {@code resource}, {@code client},
 * {@code outcome}, {@code detail}), in the order they were appended.
 *
 * <p><b>Append protocol.</b> Under the lock of the directory (an in-process lock per directory, as a
 * JVM holds file locks for all its threads, and an exclusive {@link FileLock} on {@code audit/.lock},
 * which the operating system releases when a holder dies) the line is written at the end of the file
 * in one write and forced to disk before {@link #append} returns. A line torn by a crash has no line
 * end: the next append starts on a new line, and readers skip it (and any other line that does not
 * parse, with a warning). Nothing is ever rewritten. Readers never lock.
 *
 * <p>Thread-safe and safe from several processes.
 */
final class FileAuditLog implements AuditLog {
  private static final Logger LOG = Logger.getLogger(FileAuditLog.class.getName());
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final ConcurrentMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();
  static final String FILE = "events.jsonl";

  private final Path root;
  private final Path dir;

  FileAuditLog(Path root, Path dir) {
    this.root = root;
    this.dir = dir;
  }

  Path file() {
    return dir.resolve(FILE);
  }

  @Override
  public void append(AuditEvent event) {
    Objects.requireNonNull(event, "event");
    DurableFiles.createRegistryDirectory(root, dir);
    byte[] line = encode(event);
    ReentrantLock local = IN_PROCESS.computeIfAbsent(dir.toAbsolutePath().normalize(), d -> new ReentrantLock());
    local.lock();
    try (FileChannel lockChannel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
         FileLock ignored = lockChannel.lock();
         FileChannel out = FileChannel.open(file(), StandardOpenOption.CREATE, StandardOpenOption.READ,
             StandardOpenOption.WRITE)) {
      long size = out.size();
      ByteBuffer buffer;
      if (size > 0 && !endsWithNewline(out, size)) {
        buffer = ByteBuffer.allocate(line.length + 1).put((byte) '\n').put(line).flip(); // after a torn line
      } else {
        buffer = ByteBuffer.wrap(line);
      }
      long at = size;
      while (buffer.hasRemaining()) {
        at += out.write(buffer, at);
      }
      out.force(size == 0);
      if (size == 0) {
        DurableFiles.forceDirectory(dir);
      }
    } catch (IOException e) {
      throw new QuiverException("cannot append to the audit log " + file() + ": " + e.getMessage(), e);
    } finally {
      local.unlock();
    }
  }

  private static boolean endsWithNewline(FileChannel channel, long size) throws IOException {
    ByteBuffer last = ByteBuffer.allocate(1);
    channel.read(last, size - 1);
    return last.get(0) == '\n';
  }

  @Override
  public List<AuditEvent> read(Instant since, int limit) {
    Objects.requireNonNull(since, "since");
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative, not " + limit);
    }
    // streamed line by line: memory holds one line and the events kept, whatever the log's size
    List<AuditEvent> out = new ArrayList<>();
    try (java.io.InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file()), 1 << 16)) {
      java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(256);
      int lineNo = 0;
      int b;
      while (out.size() < limit && (b = in.read()) != -1) {
        if (b != '\n') {
          line.write(b);
          continue;
        }
        lineNo++;
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (text.isBlank()) {
          continue;
        }
        AuditEvent e = decode(text, lineNo);
        if (e != null && !e.time().isBefore(since)) {
          out.add(e);
        }
      }
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new QuiverException("cannot read the audit log " + file() + ": " + e.getMessage(), e);
    }
    return List.copyOf(out); // a last line without its end is an append in progress or a torn one
  }

  static byte[] encode(AuditEvent e) {
    ObjectNode n = JSON.createObjectNode();
    n.put("time", e.time().toString());
    n.put("principal", e.principal());
    n.put("method", e.method());
    n.put("action", e.action());
    n.put("resource", e.resource());
    n.put("client", e.client());
    n.put("outcome", e.outcome());
    n.put("detail", e.detail());
    try {
      byte[] json = JSON.writeValueAsBytes(n); // JSON escapes line ends inside values: one line
      byte[] line = new byte[json.length + 1];
      System.arraycopy(json, 0, line, 0, json.length);
      line[json.length] = '\n';
      return line;
    } catch (IOException ex) {
      throw new QuiverException("cannot encode an audit event: " + ex.getMessage(), ex);
    }
  }

  private AuditEvent decode(String line, int lineNo) {
    try {
      JsonNode n = JSON.readTree(line);
      return new AuditEvent(Instant.parse(n.get("time").asText()), n.get("principal").asText(),
          n.get("method").asText(), n.get("action").asText(), n.get("resource").asText(), n.get("client").asText(),
          n.get("outcome").asText(), n.path("detail").asText(""));
    } catch (IOException | RuntimeException e) {
      LOG.warning(() -> "skipping line " + lineNo + " of the audit log " + file() + ": it is not an audit event ("
          + e.getMessage() + ")");
      return null;
    }
  }
}
