package dev.quiver.registry.file;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.quiver.core.QuiverException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An append-only file of JSON lines in a registry directory, the protocol the audit log, the
 * validation results and the skew results share. <b>Append:</b> under the lock of the directory (an in-process lock per
 * directory, as a JVM holds file locks for all its threads, and an exclusive {@link FileLock} on
 * {@code .lock}, which the operating system releases when a holder dies) the lines are written at
 * the end of the file in one write and forced to disk before {@link #append} returns. A line torn by
 * a crash has no line end: the next append starts on a new line, and readers skip it (the decoder
 * answers null for a line that does not parse). Nothing is ever rewritten; readers never lock.
 */
final class JsonLines {
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final ConcurrentMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

  private final Path root;
  private final Path dir;
  private final Path file;
  private final String what;

  /**
   * @param what the log's name in messages ({@code the audit log})
   */
  JsonLines(Path root, Path dir, String fileName, String what) {
    this.root = root;
    this.dir = dir;
    this.file = dir.resolve(fileName);
    this.what = what;
  }

  Path file() {
    return file;
  }

  /** Appends one line per JSON value (JSON escapes line ends inside values), all in one write; none: nothing. */
  void append(List<? extends JsonNode> values) {
    if (values.isEmpty()) {
      return;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      for (JsonNode v : values) {
        out.write(JSON.writeValueAsBytes(v));
        out.write('\n');
      }
    } catch (IOException e) {
      throw new QuiverException("cannot encode " + what + ": " + e.getMessage(), e);
    }
    append(out.toByteArray());
  }

  /** Appends {@code lines}, each ending with {@code \n}, in one write. */
  void append(byte[] lines) {
    DurableFiles.createRegistryDirectory(root, dir);
    ReentrantLock local = IN_PROCESS.computeIfAbsent(dir.toAbsolutePath().normalize(), d -> new ReentrantLock());
    local.lock();
    try (FileChannel lockChannel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
         FileLock ignored = lockChannel.lock();
         FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
             StandardOpenOption.WRITE)) {
      long size = out.size();
      ByteBuffer buffer;
      if (size > 0 && !endsWithNewline(out, size)) {
        buffer = ByteBuffer.allocate(lines.length + 1).put((byte) '\n').put(lines).flip(); // after a torn line
      } else {
        buffer = ByteBuffer.wrap(lines);
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
      throw new QuiverException("cannot append to " + what + " " + file + ": " + e.getMessage(), e);
    } finally {
      local.unlock();
    }
  }

  private static boolean endsWithNewline(FileChannel channel, long size) throws IOException {
    ByteBuffer last = ByteBuffer.allocate(1);
    channel.read(last, size - 1);
    return last.get(0) == '\n';
  }

  /**
   * The decoded lines, in file order, streamed line by line (memory holds one line and what is
   * kept), at most {@code limit} of them; {@code decode} answers null for a line to leave out.
   * A last line without its end is an append in progress or a torn one, and is left out.
   */
  <T> List<T> read(int limit, LineDecoder<T> decode) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative, not " + limit);
    }
    List<T> out = new ArrayList<>();
    try (java.io.InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
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
        T e = decode.decode(text, lineNo);
        if (e != null) {
          out.add(e);
        }
      }
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new QuiverException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
    }
    return List.copyOf(out);
  }

  /** Decodes one line; null to leave it out. */
  @FunctionalInterface
  interface LineDecoder<T> {
    T decode(String line, int lineNo);
  }
}
