package dev.quiver.core.spi;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.TimestampFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * Where an offline push's new file goes, the engine-neutral part of {@link
 * dev.quiver.core.offline.OfflineEngine#appendToSource}: every engine that appends plans with {@link
 * #plan}, writes the rows shaped like {@link #template()} to {@link #temporary}, and {@link #publish
 * publishes} it atomically into the source's directory, so readers see the whole file or nothing.
 *
 * <p>The name sorts after every file of the source (DESIGN §3, "Ties": rows written later land in
 * files after those already there): {@code push-<time>-<id>}, or, when an existing file's name sorts
 * after that, the last one's name with {@code ~push-<time>-<id>} in place of its extension. With a
 * tag, the id is the tag and the file is written once: when the directory holds a file with that tag
 * already, {@link #already()} is that file and nothing is to be written.
 *
 * @param source the source appended to
 * @param repoRoot the repo the source's relative path is under
 * @param file the new file (in the source's directory), or the file already written under the tag
 * @param template the source's first file, whose columns and types the new file takes
 * @param already whether {@code file} exists already under the tag (then write nothing)
 */
public record SourceAppend(FileSource source, Path repoRoot, Path file, Path template, boolean already) {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS").withZone(ZoneOffset.UTC);

  /**
   * Checks the source takes appended files and names the new one: {@code fileName} when given (a plain
   * name the glob matches, not yet there), else a generated {@code push-...} name carrying {@code tag}
   * when given. The caller has checked the source is one its writer reaches.
   *
   * @throws InvalidRequestException when the source's times are not timestamps, its path is not a
   *     file-name glob, it has no file yet, or the name is not one it can take
   */
  public static SourceAppend plan(FileSource source, Path repoRoot, String fileName, String tag) {
    if (source.timestampFormat().kind() != TimestampFormat.Kind.TIMESTAMP) {
      throw new InvalidRequestException("source '" + source.name() + "' writes its times as timestamp_format "
          + source.timestampFormat().spelling() + ", and an offline push writes timestamps; push to a source whose time"
          + " columns are timestamps");
    }
    Path pattern = Path.of(source.path());
    Path absolute = pattern.isAbsolute() ? pattern : repoRoot.resolve(pattern);
    Path dir = absolute.getParent();
    String glob = absolute.getFileName().toString();
    if (!SourceFiles.isGlob(glob) || SourceFiles.isGlob(dir.toString())) {
      throw new InvalidRequestException("source '" + source.name() + "' reads " + source.path()
          + "; an offline push adds a file beside the source's others, so its path must end in a file-name glob"
          + " such as data/" + source.name() + "/*." + extension(source));
    }
    List<Path> existing = hasFile(dir, glob) ? SourceFiles.resolve(source, repoRoot) : List.of();
    if (existing.isEmpty()) {
      throw new InvalidRequestException("source '" + source.name() + "' has no files yet to take its columns from ("
          + source.path() + "); write a first file, then push");
    }
    if (tag != null && fileName == null) {
      String suffix = "-" + tag + "." + extension(source);
      for (Path p : existing) {
        if (p.getFileName().toString().endsWith(suffix)) {
          return new SourceAppend(source, repoRoot, p, existing.get(0), true); // appended once already under this tag
        }
      }
    }
    String name = fileName != null ? fileName
        : pushedName(existing, Instant.now(), tag == null ? UUID.randomUUID().toString().substring(0, 8) : tag, extension(source));
    if (fileName != null && (!Path.of(fileName).getFileName().toString().equals(fileName) || Files.exists(dir.resolve(fileName)))) {
      throw new InvalidRequestException("source '" + source.name() + "' cannot take a new file named '" + fileName
          + "': it must be a plain file name not already in " + dir);
    }
    if (!FileSystems.getDefault().getPathMatcher("glob:" + glob).matches(Path.of(name))) {
      throw new InvalidRequestException("source '" + source.name() + "' reads " + source.path()
          + ", which would not match a pushed file named like " + name + "; use a glob such as *." + extension(source));
    }
    return new SourceAppend(source, repoRoot, dir.resolve(name), existing.get(0), false);
  }

  /**
   * Refuses a pushed column the source's files do not have.
   *
   * @param known the columns of {@link #template()}, in file order
   * @throws InvalidRequestException naming the column and the source's columns
   */
  public void requireColumns(Collection<String> known, List<String> columns) {
    for (String col : columns) {
      if (!known.contains(col)) {
        throw new InvalidRequestException("source '" + source.name() + "' has no column '" + col + "'; its columns: "
            + String.join(", ", known));
      }
    }
  }

  /** The refusal for pushed row {@code row} that does not fit the source's columns, with the writer's reason. */
  public InvalidRequestException misfit(int row, String reason) {
    return new InvalidRequestException("pushed row " + row + " does not fit source '" + source.name() + "': " + reason);
  }

  /** A private path under {@code .quiver/tmp} to write the new file to before {@link #publish}. */
  public Path temporary() {
    Path tmpDir = repoRoot.resolve(".quiver").resolve("tmp");
    try {
      Files.createDirectories(tmpDir);
    } catch (IOException e) {
      throw failure(e);
    }
    return tmpDir.resolve(file.getFileName().toString());
  }

  /** Moves the written {@code tmp} atomically onto {@link #file()}; returns it. */
  public Path publish(Path tmp) {
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw failure(e);
    }
    return file;
  }

  /** The error for an I/O failure while adding the file. */
  public QuiverException failure(IOException e) {
    return new QuiverException("could not add " + file + " to source '" + source.name() + "': " + e.getMessage(), e);
  }

  /**
   * A pushed file's name that sorts (by UTF-8 bytes, as {@link SourceFiles} sorts paths) after the
   * names of {@code existing}, the source's files in path order.
   */
  public static String pushedName(List<Path> existing, Instant now, String id, String extension) {
    String last = existing.isEmpty() ? "" : existing.getLast().getFileName().toString();
    String stem = "";
    if (compare("push-" + STAMP.format(now) + "-" + id + "." + extension, last) <= 0) {
      int mark = last.indexOf("~push-");
      int dot = last.lastIndexOf('.');
      stem = (mark >= 0 ? last.substring(0, mark) : dot > 0 ? last.substring(0, dot) : last) + "~";
    }
    for (int ms = 0; ms < 1000; ms++) { // a push of the same millisecond, or a clock a little behind
      String name = stem + "push-" + STAMP.format(now.plusMillis(ms)) + "-" + id + "." + extension;
      if (compare(name, last) > 0) {
        return name;
      }
    }
    // the last file is named for a time later than now: follow its whole name
    int dot = last.lastIndexOf('.');
    return (dot > 0 ? last.substring(0, dot) : last) + "~push-" + STAMP.format(now) + "-" + id + "." + extension;
  }

  private static int compare(String a, String b) {
    return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  private static boolean hasFile(Path dir, String glob) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    var matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
    try (var files = Files.list(dir)) {
      return files.anyMatch(f -> Files.isRegularFile(f) && matcher.matches(f.getFileName()));
    } catch (IOException e) {
      throw new QuiverException("source files: cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  private static String extension(FileSource source) {
    return switch (source.format()) {
      case PARQUET -> "parquet";
      case CSV -> "csv";
    };
  }
}
