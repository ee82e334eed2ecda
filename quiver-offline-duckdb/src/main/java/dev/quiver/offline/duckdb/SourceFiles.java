package dev.quiver.offline.duckdb;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The files a {@link FileSource}'s path names, and how to hand them to DuckDB.
 *
 * <p>A path is a file or a glob, relative to the feature repo unless absolute. Globs follow DuckDB's
 * rules: {@code *} and {@code ?} match within one directory level, {@code [abc]}, {@code [a-z]} and
 * {@code [!abc]} match one character, and a {@code **} segment matches any number of directory
 * levels, none included ({@code data/**}{@code /*.parquet} matches {@code data/a.parquet}). Globs
 * are expanded here rather than by DuckDB so that an empty match is reported with the directory
 * that was searched, and so every engine reads exactly the same, sorted list of files.
 *
 * <p>Expanded paths go back to DuckDB as a list of string literals. DuckDB would expand glob
 * characters in those literals again, so {@link #sqlList} escapes them ({@code [} becomes {@code
 * [[]}) as well as single quotes: a file literally named {@code it's [a]*.parquet} is read as that
 * file and nothing else.
 */
final class SourceFiles {

  private SourceFiles() {}

  /**
   * The readable regular files the source's path names, sorted by absolute path.
   *
   * @throws QuiverException naming the source and its path when the path is a URL or a directory,
   *     when nothing matches, or when a match is not a readable file
   */
  static List<Path> resolve(FileSource source, Path repoRoot) {
    return resolve("source '" + source.name() + "'", source.path(), source.format(), repoRoot);
  }

  /**
   * The readable regular files a path or glob names, sorted by absolute path.
   *
   * @param what how messages name the files' owner, e.g. {@code source 'transactions'}
   * @param base relative paths resolve against it
   */
  static List<Path> resolve(String what, String written, FileFormat format, Path base) {
    if (written.isBlank()) {
      throw new QuiverException(what + ": the path is empty");
    }
    if (written.matches("^[A-Za-z][A-Za-z0-9+.-]+://.*")) {
      throw new QuiverException(
          what + ": " + written
              + " is a URL; only local files are supported, give a path relative to the feature repo");
    }
    Path root = base.toAbsolutePath().normalize();
    return isGlob(written) ? expand(what, format, root, written) : single(what, format, root, written);
  }

  /** True when the path contains a glob character ({@code *}, {@code ?} or {@code [}). */
  static boolean isGlob(String path) {
    return path.indexOf('*') >= 0 || path.indexOf('?') >= 0 || path.indexOf('[') >= 0;
  }

  /** A DuckDB list literal of the files, e.g. {@code ['/a/x.parquet', '/a/it''s.parquet']}. */
  static String sqlList(List<Path> files) {
    StringBuilder sql = new StringBuilder("[");
    for (int i = 0; i < files.size(); i++) {
      sql.append(i == 0 ? "" : ", ").append(sqlPath(files.get(i)));
    }
    return sql.append(']').toString();
  }

  /**
   * A DuckDB string literal naming exactly this file: single quotes doubled, and glob characters
   * bracketed so that DuckDB matches them literally.
   */
  static String sqlPath(Path file) {
    String path = file.toAbsolutePath().toString();
    StringBuilder literal = new StringBuilder(path.length() + 2).append('\'');
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      switch (c) {
        case '\'' -> literal.append("''");
        case '[' -> literal.append("[[]");
        case '*' -> literal.append("[*]");
        case '?' -> literal.append("[?]");
        default -> literal.append(c);
      }
    }
    return literal.append('\'').toString();
  }

  /** The path as people should read it: relative to the repo when inside it, else absolute. */
  static String display(Path file, Path repoRoot) {
    Path abs = file.toAbsolutePath().normalize();
    Path root = repoRoot.toAbsolutePath().normalize();
    return abs.startsWith(root) ? root.relativize(abs).toString() : abs.toString();
  }

  /**
   * A regex equivalent to a glob over {@code /}-separated relative paths. Package-private for
   * tests.
   */
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

  private static List<Path> single(String what, FileFormat format, Path root, String written) {
    Path file = root.resolve(written).normalize();
    if (Files.isDirectory(file)) {
      throw new QuiverException(
          what + ": " + written + " is a directory (" + file
              + "); give a file or a glob such as " + trimSlash(written) + "/*."
              + format.spelling());
    }
    if (!Files.exists(file)) {
      throw new QuiverException(
          what + ": no file matches " + written + " (looked in "
              + file.getParent() + ")");
    }
    checkReadable(what, file, root);
    return List.of(file);
  }

  private static List<Path> expand(String what, FileFormat format, Path root, String written) {
    String[] segments = written.split("/", -1);
    int firstGlob = 0;
    while (!isGlob(segments[firstGlob])) {
      firstGlob++;
    }
    String base = String.join("/", Arrays.copyOfRange(segments, 0, firstGlob));
    if (base.isEmpty() && written.startsWith("/")) {
      base = "/";
    }
    String rest = String.join("/", Arrays.copyOfRange(segments, firstGlob, segments.length));
    Path baseDir = root.resolve(base).normalize();
    String noMatch =
        what + ": no file matches " + written + " (looked in " + baseDir + ")";
    if (!Files.isDirectory(baseDir)) {
      throw new QuiverException(noMatch);
    }
    int depth = rest.contains("**") ? Integer.MAX_VALUE : segments.length - firstGlob;
    Pattern pattern = globRegex(rest);
    List<Path> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(baseDir, depth)) {
      walk.filter(p -> !p.equals(baseDir))
          .filter(p -> pattern.matcher(slashed(baseDir.relativize(p))).matches())
          .filter(p -> !Files.isDirectory(p))
          .forEach(files::add);
    } catch (IOException | UncheckedIOException e) {
      throw new QuiverException(
          what + ": cannot list " + baseDir + " to match " + written + ": "
              + e.getMessage(),
          e);
    }
    if (files.isEmpty()) {
      throw new QuiverException(noMatch);
    }
    files.sort(null);
    for (Path file : files) {
      checkReadable(what, file, root);
    }
    return List.copyOf(files);
  }

  private static void checkReadable(String what, Path file, Path root) {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new QuiverException(
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
