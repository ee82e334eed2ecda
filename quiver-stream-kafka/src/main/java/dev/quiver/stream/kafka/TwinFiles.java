package dev.quiver.stream.kafka;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.online.TwinFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files a stream consumer adds to a batch twin, named as {@link TwinFile} says. The {@code
 * stream-} prefix makes them sort after the twin's history files ({@code part-…}, {@code history-…})
 * and after files pushed offline ({@code push-…}), as DESIGN §3 "Ties" asks: rows streamed in land
 * after the rows already there. The names are the record of what the twin holds: an offset inside
 * any file's range is never written again, so a batch replayed after a crash (file written, offsets
 * not committed) adds nothing twice. Stateless.
 */
final class TwinFiles {
  private TwinFiles() {}

  /** The directory the twin's glob names, resolved against the repo. */
  static Path directory(FileSource twin, Path repoRoot) {
    Path pattern = Path.of(twin.path());
    return (pattern.isAbsolute() ? pattern : repoRoot.resolve(pattern)).getParent();
  }

  /** The files of {@code partition} already in the twin's directory. */
  static List<TwinFile> ranges(FileSource twin, Path repoRoot, int partition) {
    Path dir = directory(twin, repoRoot);
    List<TwinFile> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (var files = Files.list(dir)) {
      files.forEach(f -> TwinFile.of(f.getFileName().toString()).filter(t -> t.partition() == partition).ifPresent(out::add));
    } catch (IOException e) {
      throw new QuiverException("cannot list the batch files of source '" + twin.name() + "' in " + dir + ": " + e.getMessage(), e);
    }
    return out;
  }

  static boolean covered(List<TwinFile> ranges, long offset) {
    for (TwinFile r : ranges) {
      if (r.covers(offset)) {
        return true;
      }
    }
    return false;
  }
}
