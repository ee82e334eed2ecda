package dev.quiver.core.spi;

import dev.quiver.core.QuiverException;
import dev.quiver.core.SourceDataException;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The files a {@link FileSource}'s path (or the query rows' path) names: the one place globs are
 * expanded, for every engine and for the fingerprints of saved datasets, so they all see the same
 * sorted list of files.
 *
 * <p>A path is a file or a glob, relative to the feature repo unless absolute. Globs follow DuckDB's
 * rules: {@code *} and {@code ?} match within one directory level, {@code [abc]}, {@code [a-z]} and
 * {@code [!abc]} match one character, and a {@code **} segment matches any number of directory
 * levels, none included ({@code data/**}{@code /*.parquet} matches {@code data/a.parquet}). Globs
 * are expanded here rather than by an engine so that an empty match is reported with the directory
 * that was searched, and so every engine reads exactly the same, sorted list of files. Engines hand
 * the expanded files back to their own readers quoted so that glob characters in file names match
 * literally.
 *
 * <p>A source whose path is a directory is a dataset: every {@code .parquet} file below it, in
 * sorted path order (so the tie rule's file order is the files' sorted relative paths), hidden and
 * {@code _}-prefixed files and folders skipped. A source that is not local ({@link
 * FileSource#isLocal()}: an Iceberg table or a URI) has no files here and is refused.
 *
 * <p>Stateless and thread-safe; every method blocks on file-system calls.
 */
public final class SourceFiles {

  private SourceFiles() {}

  /**
   * The readable regular files the source's path names, sorted by absolute path.
   *
   * @throws SourceDataException naming the source and its path (or the file at fault) when the
   *     path is a URL or a directory, when nothing matches, or when a match is not a readable file
   */
  public static List<Path> resolve(FileSource source, Path repoRoot) {
    BiFunction<String, String, QuiverException> fail = (file, message) -> new SourceDataException(source.name(), file, message);
    String what = "source '" + source.name() + "'";
    if (!source.isLocal()) {
      throw fail.apply(source.path(), what + (source.isIceberg()
          ? " is an Iceberg table (" + source.path() + "), not files on this machine; the Spark engine reads Iceberg tables (offline: {engine: spark};"
              + " docs/spark.md, \"Table sources\")"
          : " is at " + source.path() + ", not files on this machine; an engine that reads it is needed (offline: {engine: spark})"));
    }
    Path root = repoRoot.toAbsolutePath().normalize();
    Path dir = root.resolve(source.path()).normalize();
    if (!isGlob(source.path()) && Files.isDirectory(dir)) {
      return dataset(what, source, dir, root, fail);
    }
    return resolve(what, source.path(), source.format(), repoRoot, fail);
  }

  /**
   * Whether the source's path names a dataset directory on this machine (read as every Parquet
   * file below it, {@link #resolve(FileSource, Path)}).
   */
  public static boolean isDataset(FileSource source, Path repoRoot) {
    return source.isLocal() && !isGlob(source.path())
        && Files.isDirectory(repoRoot.toAbsolutePath().normalize().resolve(source.path()).normalize());
  }

  /**
   * The files of a dataset directory: every {@code .parquet} file below it, in sorted path order,
   * skipping files and folders whose names start with {@code .} or {@code _} (the bookkeeping Spark
   * and Hive write there, such as {@code _SUCCESS} and {@code _temporary/}).
   */
  private static List<Path> dataset(String what, FileSource source, Path dir, Path root,
      BiFunction<String, String, QuiverException> fail) {
    if (source.format() != FileFormat.PARQUET) {
      throw fail.apply(source.path(), what + ": " + source.path() + " is a directory, read as a Parquet dataset; give"
          + " format: parquet, or a glob such as " + trimSlash(source.path()) + "/*." + source.format().spelling());
    }
    List<Path> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.filter(p -> !p.equals(dir))
          .filter(p -> {
            for (Path part : dir.relativize(p)) {
              if (part.toString().startsWith(".") || part.toString().startsWith("_")) {
                return false;
              }
            }
            return true;
          })
          .filter(p -> p.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".parquet"))
          .filter(p -> !Files.isDirectory(p))
          .forEach(files::add);
    } catch (IOException | UncheckedIOException e) {
      QuiverException failure = fail.apply(source.path(), what + ": cannot list " + dir + ": " + e.getMessage());
      failure.initCause(e);
      throw failure;
    }
    if (files.isEmpty()) {
      throw fail.apply(source.path(), what + ": no .parquet file under " + source.path() + " (looked in " + dir + ")");
    }
    files.sort(null);
    for (Path file : files) {
      checkReadable(what, file, root, fail);
    }
    return List.copyOf(files);
  }

  /**
   * The readable regular files a path or glob names, sorted by absolute path.
   *
   * @param what how messages name the files' owner, e.g. {@code query rows}
   * @param base relative paths resolve against it
   * @throws QuiverException naming the path when it is a URL or a directory, when nothing matches,
   *     or when a match is not a readable file
   */
  public static List<Path> resolve(String what, String written, FileFormat format, Path base) {
    return resolve(what, written, format, base, (file, message) -> new QuiverException(message));
  }

  /** {@code fail} makes the exception from the file at fault (as people read it) and the message. */
  private static List<Path> resolve(String what, String written, FileFormat format, Path base,
      BiFunction<String, String, QuiverException> fail) {
    if (written.isBlank()) {
      throw fail.apply(written, what + ": the path is empty");
    }
    if (written.matches("^[A-Za-z][A-Za-z0-9+.-]+://.*")) {
      throw fail.apply(written,
          what + ": " + written
              + " is a URL; only local files are supported, give a path relative to the feature repo");
    }
    Path root = base.toAbsolutePath().normalize();
    return isGlob(written) ? expand(what, format, root, written, fail) : single(what, format, root, written, fail);
  }

  /** True when the path contains a glob character ({@code *}, {@code ?} or {@code [}). */
  public static boolean isGlob(String path) {
    return path.indexOf('*') >= 0 || path.indexOf('?') >= 0 || path.indexOf('[') >= 0;
  }

  /**
   * The path as people read it and saved datasets record it: relative to the repo, with {@code /}
   * separators, when inside it; else absolute.
   */
  public static String display(Path file, Path repoRoot) {
    Path abs = file.toAbsolutePath().normalize();
    Path root = repoRoot.toAbsolutePath().normalize();
    return abs.startsWith(root) ? slashed(root.relativize(abs)) : abs.toString();
  }

  /** A regex equivalent to a glob over {@code /}-separated relative paths. Package-private for tests. */
  static Pattern globRegex(String glob) {
    StringBuilder re = new StringBuilder();
    int n = glob.length();
    int i = 0;
    while (i < n) {
      char c = glob.charAt(i);
      if (c == '*') {
        boolean doubleStar = i + 1 < n && glob.charAt(i + 1) == '*';
        boolean segmentStart = i == 0 || glob.charAt(i - 1) == '/';
        if (doubleStar && segmentStart && i + 2 < n && glob.charAt(i + 2) == '/') {
          re.append("(?:[^/]*/)*");
          i += 3;
        } else if (doubleStar && segmentStart && i + 2 == n) {
          re.append(".*");
          i += 2;
        } else {
          re.append("[^/]*");
          i += doubleStar ? 2 : 1;
        }
      } else if (c == '?') {
        re.append("[^/]");
        i++;
      } else if (c == '[' && classEnd(glob, i) > 0) {
        int end = classEnd(glob, i);
        int j = i + 1;
        re.append('[');
        if (glob.charAt(j) == '!' || glob.charAt(j) == '^') {
          re.append('^');
          j++;
        }
        for (; j < end; j++) {
          char k = glob.charAt(j);
          re.append(k == '-' ? "-" : escapeInClass(k));
        }
        re.append("&&[^/]]");
        i = end + 1;
      } else {
        re.append(escape(c));
        i++;
      }
    }
    return Pattern.compile(re.toString());
  }

  private static List<Path> single(String what, FileFormat format, Path root, String written,
      BiFunction<String, String, QuiverException> fail) {
    Path file = root.resolve(written).normalize();
    if (Files.isDirectory(file)) {
      throw fail.apply(written,
          what + ": " + written + " is a directory (" + file
              + "); give a file or a glob such as " + trimSlash(written) + "/*."
              + format.spelling());
    }
    if (!Files.exists(file)) {
      throw fail.apply(written,
          what + ": no file matches " + written + " (looked in "
              + file.getParent() + ")");
    }
    checkReadable(what, file, root, fail);
    return List.of(file);
  }

  private static List<Path> expand(String what, FileFormat format, Path root, String written,
      BiFunction<String, String, QuiverException> fail) {
    Path baseDir = globDirectory(written, root);
    String noMatch =
        what + ": no file matches " + written + " (looked in " + baseDir + ")";
    List<Path> files;
    try {
      files = glob(written, root);
    } catch (IOException | UncheckedIOException e) {
      QuiverException failure = fail.apply(written,
          what + ": cannot list " + baseDir + " to match " + written + ": "
              + e.getMessage());
      failure.initCause(e);
      throw failure;
    }
    if (files.isEmpty()) {
      throw fail.apply(written, noMatch);
    }
    for (Path file : files) {
      checkReadable(what, file, root, fail);
    }
    return files;
  }

  /**
   * Where a glob's search starts: its path segments before the first one with a glob character,
   * against {@code base} (absolute, normalized).
   */
  public static Path globDirectory(String glob, Path base) {
    String[] segments = glob.split("/", -1);
    int firstGlob = firstGlobSegment(segments);
    String dir = String.join("/", Arrays.copyOfRange(segments, 0, firstGlob));
    if (dir.isEmpty() && glob.startsWith("/")) {
      dir = "/";
    }
    return base.toAbsolutePath().normalize().resolve(dir).normalize();
  }

  /**
   * Everything but directories that a glob names under {@link #globDirectory}, by the rules above
   * (the class comment), sorted by absolute path; empty when nothing matches or the directory does
   * not exist. Unlike {@link #resolve}, it does not check that the matches are readable files.
   *
   * @param glob a path holding a glob character ({@link #isGlob}), relative to {@code base} unless absolute
   * @throws IOException when a directory cannot be listed
   */
  public static List<Path> glob(String glob, Path base) throws IOException {
    String[] segments = glob.split("/", -1);
    int firstGlob = firstGlobSegment(segments);
    String rest = String.join("/", Arrays.copyOfRange(segments, firstGlob, segments.length));
    Path baseDir = globDirectory(glob, base);
    if (!Files.isDirectory(baseDir)) {
      return List.of();
    }
    int depth = rest.contains("**") ? Integer.MAX_VALUE : segments.length - firstGlob;
    Pattern pattern = globRegex(rest);
    List<Path> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(baseDir, depth)) {
      walk.filter(p -> !p.equals(baseDir))
          .filter(p -> pattern.matcher(slashed(baseDir.relativize(p))).matches())
          .filter(p -> !Files.isDirectory(p))
          .forEach(files::add);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    files.sort(null);
    return List.copyOf(files);
  }

  /** The index of the first segment holding a glob character; the last one when none does. */
  private static int firstGlobSegment(String[] segments) {
    int first = 0;
    while (first < segments.length - 1 && !isGlob(segments[first])) {
      first++;
    }
    return first;
  }

  private static void checkReadable(String what, Path file, Path root,
      BiFunction<String, String, QuiverException> fail) {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw fail.apply(display(file, root),
          what + ": cannot read " + display(file, root) + " (" + file
              + "): not a readable file; check that it exists and its permissions");
    }
  }

  private static String slashed(Path relative) {
    StringBuilder s = new StringBuilder();
    for (Path part : relative) {
      s.append(s.isEmpty() ? "" : "/").append(part);
    }
    return s.toString();
  }

  private static String trimSlash(String path) {
    return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  /** The index of the {@code ]} closing the class opened at {@code open}, or -1 if unclosed. */
  private static int classEnd(String glob, int open) {
    int j = open + 1;
    if (j < glob.length() && (glob.charAt(j) == '!' || glob.charAt(j) == '^')) {
      j++;
    }
    if (j < glob.length() && glob.charAt(j) == ']') {
      j++; // a leading ] is a member, as in [!]]
    }
    for (; j < glob.length(); j++) {
      if (glob.charAt(j) == '/') {
        return -1;
      }
      if (glob.charAt(j) == ']') {
        return j;
      }
    }
    return -1;
  }

  private static String escape(char c) {
    return "\\.[]{}()<>*+-=!?^$|&".indexOf(c) >= 0 ? "\\" + c : String.valueOf(c);
  }

  private static String escapeInClass(char c) {
    return "\\[]&^".indexOf(c) >= 0 ? "\\" + c : String.valueOf(c);
  }
}
