package dev.quiver.stream.kafka;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.FileSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files a stream consumer adds to a batch twin: one per applied batch of one partition, named
 * {@code stream-p00003-o00000000000000001200-00000000000000001299.parquet} (partition, first and last
 * offset, zero-padded so sorted path order is (partition, offset) order). The {@code stream-} prefix
 * makes them sort after the twin's history files ({@code part-…}, {@code history-…}) and after files
 * pushed offline ({@code push-…}), as DESIGN §3 "Ties" asks: rows streamed in land after the rows
 * already there. The names are the record of what the twin holds: an offset inside any file's range is
 * never written again, so a batch replayed after a crash (file written, offsets not committed) adds
 * nothing twice. Stateless.
 */
final class TwinFiles {
  private static final Pattern NAME = Pattern.compile("stream-p(\\d{5})-o(\\d{20})-(\\d{20})\\.parquet");

  /** Offsets {@code first..last} of one partition held by one file. */
  record Range(int partition, long first, long last) {
    boolean covers(long offset) {
      return offset >= first && offset <= last;
    }

    String fileName() {
      return String.format(Locale.ROOT, "stream-p%05d-o%020d-%020d.parquet", partition, first, last);
    }
  }

  private TwinFiles() {}

  /** The directory the twin's glob names, resolved against the repo. */
  static Path directory(FileSource twin, Path repoRoot) {
    Path pattern = Path.of(twin.path());
    return (pattern.isAbsolute() ? pattern : repoRoot.resolve(pattern)).getParent();
  }

  /** The ranges of {@code partition} already in the twin's directory. */
  static List<Range> ranges(FileSource twin, Path repoRoot, int partition) {
    Path dir = directory(twin, repoRoot);
    List<Range> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (var files = Files.list(dir)) {
      files.forEach(f -> {
        Matcher m = NAME.matcher(f.getFileName().toString());
        if (m.matches() && Integer.parseInt(m.group(1)) == partition) {
          out.add(new Range(partition, Long.parseLong(m.group(2)), Long.parseLong(m.group(3))));
        }
      });
    } catch (IOException e) {
      throw new QuiverException("cannot list the batch files of source '" + twin.name() + "' in " + dir + ": " + e.getMessage(), e);
    }
    return out;
  }

  static boolean covered(List<Range> ranges, long offset) {
    for (Range r : ranges) {
      if (r.covers(offset)) {
        return true;
      }
    }
    return false;
  }
}
