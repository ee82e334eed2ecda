package dev.quiver.core.online;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A file an offline push added to a source ({@link dev.quiver.core.spi.SourceAppend}: {@code
 * push-<yyyyMMdd'T'HHmmssSSS>-<id>.<ext>}, possibly after another file's stem and a {@code ~}), known
 * by its name, which is unique in the source's directory. A tile rebuild that reads a pushed file's
 * rows records {@link #key()} in the rebuilt row as a push it took, and the push, when it writes
 * online after that rebuild swapped the row, finds the key and skips the rows: a push whose file a
 * materialization read before the push's own online write counts once (DESIGN §3, many writers).
 * Immutable.
 *
 * @param name the file's name (no directory)
 * @param stampMicros when it was pushed (UTC micros, the pushing process's clock, to the millisecond)
 */
public record PushedFile(String name, long stampMicros) {
  private static final Pattern NAME = Pattern.compile("(?:^|.*~)push-(\\d{8}T\\d{9})-[^/\\\\]+");
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS");

  /** What every {@link #key()} starts with; push idempotency keys may not. */
  public static final String KEY_PREFIX = "file:";

  /** The key a tile row records for this file among its pushes ({@link dev.quiver.core.aggregate.EntityTiles#recordPush}). */
  public String key() {
    return KEY_PREFIX + name;
  }

  /**
   * The pushed file a path names (its last {@code /}- or {@code \}-separated part), or empty when the
   * name is not one a push generates.
   */
  public static Optional<PushedFile> of(String path) {
    int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
    String name = path.substring(slash + 1);
    Matcher m = NAME.matcher(name);
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      long micros = LocalDateTime.parse(m.group(1), STAMP).toInstant(ZoneOffset.UTC).toEpochMilli() * 1000;
      return Optional.of(new PushedFile(name, micros));
    } catch (DateTimeParseException e) {
      return Optional.empty(); // digits that are no time: not a name a push generates
    }
  }
}
