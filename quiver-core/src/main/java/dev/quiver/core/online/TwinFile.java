package dev.quiver.core.online;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name of a file a stream consumer adds to a stream source's batch twin: one per applied batch
 * of one partition, {@code stream-p00003-o00000000000000001200-00000000000000001299.parquet}
 * (partition, first and last offset, zero-padded so sorted path order is (partition, offset) order).
 * The name is the record of which offsets the file holds: the consumer never appends an offset inside
 * a file's range again, and a tile rebuild that reads a file's rows records their offsets as applied
 * ({@code TileRebuild}), so a consumer that writes the same offsets online afterwards skips them.
 * Immutable.
 *
 * @param partition {@code >= 0}
 * @param first the first offset the file may hold, {@code >= 0}
 * @param last the last one, {@code >= first}
 */
public record TwinFile(int partition, long first, long last) {
  private static final Pattern NAME = Pattern.compile("stream-p(\\d{5})-o(\\d{20})-(\\d{20})\\.parquet");

  public TwinFile {
    if (partition < 0 || first < 0 || last < first) {
      throw new IllegalArgumentException("a twin file needs partition >= 0 and 0 <= first <= last, got " + partition + ", "
          + first + ", " + last);
    }
  }

  /** The file's name (no directory). */
  public String fileName() {
    return String.format(Locale.ROOT, "stream-p%05d-o%020d-%020d.parquet", partition, first, last);
  }

  /** True when the file's range holds {@code offset}. */
  public boolean covers(long offset) {
    return offset >= first && offset <= last;
  }

  /**
   * The twin file a path names (its last {@code /}- or {@code \}-separated part), or empty when the name
   * is not a stream consumer's.
   */
  public static Optional<TwinFile> of(String path) {
    int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
    Matcher m = NAME.matcher(path.substring(slash + 1));
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new TwinFile(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))));
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // past Long.MAX_VALUE, or last < first: not a name a consumer writes
    }
  }
}
