package dev.quiver.core.online;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A row's place in the tie order (DESIGN §3, "Ties"): of two rows of a key with the same {@code
 * (event_ts, created_ts)}, the one with the greater position was ingested later and wins. It is the
 * last part of the online order key ({@link RowEncoding#orderKey}), so it travels with the row and
 * every store decides ties by the same unsigned byte comparison.
 *
 * <pre>
 * position = (empty)                                      ; {@link #NONE}: format 1 rows, markers
 *          | 0x01 escaped(path) be64(row)                 ; {@link InFile}: a row of a source file
 *          | 0x02 be64(sequence)                          ; {@link Pushed}: pushed online only
 *          | 0x03 escaped(stream) be32(partition) be64(offset)   ; {@link Streamed}: consumed online only
 * escaped  = (each byte, 0x00 as 0x00 0xFF) 0x00 0x01    ; UTF-8; sorts as the text, prefix first
 * </pre>
 *
 * So file rows are ordered by path (relative to the feature repo, {@code /}-separated, byte order:
 * the sorted path order engines read files in), then row number in the file; every row written
 * online and not (yet) in a file comes after every file row; pushes by their sequence (arrival
 * order within a process, roughly across processes), then stream events by stream, partition and
 * offset (a replayed event gets the same position). A pushed row that is also written offline takes
 * the position of the file it was appended to ({@link InFile}), so online answers equal offline ones.
 * Immutable and thread-safe.
 */
public sealed interface RowPosition {

  /** No position: orders before every other. Rows of format 1 read as this. */
  RowPosition NONE = new None();

  /** The position's bytes, as the order key carries them. */
  byte[] bytes();

  /** No position (format 1 rows; rows that are never compared with source rows, such as markers). */
  record None() implements RowPosition {
    @Override public byte[] bytes() {
      return new byte[0];
    }
  }

  /**
   * Row {@code row} (from 0, in file order) of the source file {@code path}.
   *
   * @param path relative to the feature repo with {@code /} separators when inside it, else absolute
   *     ({@link dev.quiver.core.spi.SourceFiles#display})
   */
  record InFile(String path, long row) implements RowPosition {
    public InFile {
      Objects.requireNonNull(path, "path");
      if (row < 0) {
        throw new IllegalArgumentException("row must be >= 0, got " + row);
      }
    }

    @Override public byte[] bytes() {
      ByteSink out = new ByteSink(path.length() + 11);
      out.write(1);
      escaped(out, path);
      out.writeLong(row);
      return out.toByteArray();
    }
  }

  /** A row pushed online only, {@code sequence} from {@link #nextPushes}. */
  record Pushed(long sequence) implements RowPosition {
    @Override public byte[] bytes() {
      ByteSink out = new ByteSink(9);
      out.write(2);
      out.writeLong(sequence ^ Long.MIN_VALUE);
      return out.toByteArray();
    }
  }

  /** An event consumed from a stream partition and written online only. */
  record Streamed(String stream, int partition, long offset) implements RowPosition {
    public Streamed {
      Objects.requireNonNull(stream, "stream");
      if (partition < 0 || offset < 0) {
        throw new IllegalArgumentException("partition and offset must be >= 0, got " + partition + " and " + offset);
      }
    }

    @Override public byte[] bytes() {
      byte[] name = EscapedText.ofStream(stream);
      ByteSink out = new ByteSink(name.length + 13);
      out.write(3);
      out.writeBytes(name);
      out.writeInt(partition);
      out.writeLong(offset);
      return out.toByteArray();
    }
  }

  /**
   * Reserves {@code n} consecutive push sequence numbers and returns the first: greater than every
   * number reserved before in this JVM and not less than the current time in microseconds, so pushes
   * order by arrival within a process and, as far as clocks agree, across processes and restarts.
   */
  static long nextPushes(int n) {
    return PushSequence.next(n);
  }

  /** Decodes position bytes (the order key after its 16 time bytes). */
  static RowPosition decode(byte[] bytes) {
    if (bytes.length == 0) {
      return NONE;
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    return switch (in.get()) {
      case 1 -> new InFile(unescaped(in), in.getLong());
      case 2 -> new Pushed(in.getLong() ^ Long.MIN_VALUE);
      case 3 -> new Streamed(unescaped(in), in.getInt(), in.getLong());
      default -> throw new IllegalArgumentException("unknown row position kind " + bytes[0]);
    };
  }

  private static void escaped(ByteSink out, String text) {
    EscapedText.write(out, text);
  }

  private static String unescaped(ByteBuffer in) {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    while (true) {
      byte b = in.get();
      if (b != 0) {
        text.write(b);
      } else if (in.get() == 1) {
        return text.toString(StandardCharsets.UTF_8);
      } else {
        text.write(0);
      }
    }
  }
}
