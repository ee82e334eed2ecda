package dev.quiver.core.offline;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.FileFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A training set written as a Parquet dataset directory ({@link OfflineEngine#writeDataset}): part
 * files named {@code part-00000.parquet}, {@code part-00001.parquet}, … and nothing else. Row order
 * is the query's: the rows of part {@code i} come before those of part {@code i + 1}, in order within
 * each, so a reader that takes the files in name order (DuckDB's {@code read_parquet('dir/*.parquet')},
 * pandas and pyarrow) reads the rows in query order.
 *
 * <p>Engines write into a hidden directory beside the target ({@link #temp}) and {@link #commit} it
 * only once every part is complete: a crash leaves no target, or the previous one, never a partial
 * set. A target is a directory when it already is one, or when its name has no training-set file
 * extension ({@code .parquet}, {@code .pq}, {@code .csv}, {@code .csv.gz}): {@code --out training/}.
 */
public final class DatasetDirectory {
  private static final Pattern PART = Pattern.compile("part-\\d{5,}\\.parquet");

  private DatasetDirectory() {}

  /** True when {@code out} names a dataset directory rather than one file (see the class comment). */
  public static boolean isTarget(Path out) {
    return Files.isDirectory(out) || FileFormat.fromPath(out.toString()).isEmpty();
  }

  /** The name of part {@code index}. */
  public static String partName(int index) {
    return String.format(Locale.ROOT, "part-%05d.parquet", index);
  }

  /** The part files of a dataset directory, in name (= row) order. */
  public static List<Path> parts(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> PART.matcher(p.getFileName().toString()).matches())
          .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
    } catch (IOException e) {
      throw new QuiverException("cannot list the training set directory " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The hidden directory beside {@code target} that an engine writes into before {@link #commit}. */
  public static Path temp(Path target) {
    Path t = target.toAbsolutePath();
    return t.resolveSibling("." + t.getFileName() + ".quiver-tmp");
  }

  /**
   * Checks, before any work, that {@code target} may be replaced: it does not exist, or it is a
   * directory holding only part files (a training set written before).
   *
   * @throws QuiverException naming the target and the fix otherwise
   */
  public static void checkTarget(Path target) {
    if (!Files.exists(target)) {
      return;
    }
    if (!Files.isDirectory(target)) {
      throw new QuiverException(target + " is a file; a training set directory needs a path without a .parquet or .csv"
          + " extension that is a directory or does not exist yet; remove the file or choose another --out");
    }
    try (Stream<Path> files = Files.list(target)) {
      List<Path> other = files.filter(p -> !PART.matcher(p.getFileName().toString()).matches()).limit(3).toList();
      if (!other.isEmpty()) {
        throw new QuiverException(target + " holds files that are not training set parts (" + other.stream()
            .map(p -> p.getFileName().toString()).toList() + "); Quiver replaces only a directory of part-NNNNN.parquet"
            + " files it wrote: choose another --out or empty the directory");
      }
    } catch (IOException e) {
      throw new QuiverException("cannot list " + target + ": " + e.getMessage(), e);
    }
  }

  /**
   * Makes the complete directory {@code temp} the training set at {@code target}: the previous one
   * (if any) is moved aside, {@code temp} renamed onto {@code target}, the previous one deleted.
   */
  public static void commit(Path temp, Path target) {
    Path old = target.toAbsolutePath().resolveSibling("." + target.getFileName() + ".quiver-old");
    try {
      deleteTree(old);
      if (Files.exists(target)) {
        checkTarget(target);
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      deleteTree(old);
    } catch (IOException e) {
      throw new QuiverException("cannot move the training set from " + temp + " to " + target + ": " + e.getMessage(), e);
    }
  }

  /**
   * Deletes a directory and everything in it, if it exists. Entries that vanish meanwhile are fine, and
   * a directory that gained entries meanwhile (a writer still finishing, e.g. a Spark task of a failed
   * job) is walked again, up to three times, before the {@link DirectoryNotEmptyException} is thrown.
   */
  public static void deleteTree(Path dir) throws IOException {
    for (int attempt = 1; ; attempt++) {
      if (!Files.exists(dir)) {
        return;
      }
      try (Stream<Path> all = Files.walk(dir)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
        return;
      } catch (DirectoryNotEmptyException | NoSuchFileException e) { // gained an entry, or lost one mid-walk
        if (attempt == 3) {
          throw e;
        }
      } catch (UncheckedIOException e) { // the walk itself met a vanished entry
        if (attempt == 3 || !(e.getCause() instanceof NoSuchFileException)) {
          throw e;
        }
      }
    }
  }
}
