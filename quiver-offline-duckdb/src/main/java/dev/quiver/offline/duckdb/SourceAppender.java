package dev.quiver.offline.duckdb;

import dev.quiver.core.spi.SourceFiles;
import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.FileSource;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Appends pushed rows to a file source: a temporary table shaped like the source's existing files
 * (same columns, same types), the rows inserted into it, written to a file under {@code .quiver/tmp}
 * and moved atomically into the source's directory under a name its glob matches. Readers see the
 * whole file or nothing. The name sorts after every file of the source (DESIGN §3, "Ties": rows
 * written later land in files after those already there): {@code push-<time>-<id>}, or, when an
 * existing file's name sorts after that, the last one's name with {@code ~push-<time>-<id>} in place
 * of its extension. With a tag, the id is the tag and the file is written once: when the directory
 * holds a file with that tag already, it is returned and nothing is written.
 */
final class SourceAppender {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS").withZone(ZoneOffset.UTC);

  private SourceAppender() {}

  /**
   * Appends {@code rows} as a new file named {@code fileName}, or, when null, a generated {@code push-...} name that
   * carries {@code tag} when given (then once per tag: a file with that tag already there is returned instead).
   */
  static Path append(Connection c, FileSource source, Path repoRoot, String fileName, List<String> columns,
      List<Object[]> rows, String tag) throws SQLException {
    Scans.requireLocal(source);
    if (source.timestampFormat().kind() != dev.quiver.core.model.TimestampFormat.Kind.TIMESTAMP) {
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
          return p; // appended once already under this tag
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
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TEMP TABLE quiver_push AS SELECT * FROM "
          + Scans.scan(List.of(existing.get(0)), source.format(), "") + " LIMIT 0");
    }
    Map<String, String> types = new LinkedHashMap<>();
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("DESCRIBE quiver_push")) {
      while (r.next()) {
        types.put(r.getString(1), r.getString(2));
      }
    }
    for (String col : columns) {
      if (!types.containsKey(col)) {
        throw new InvalidRequestException("source '" + source.name() + "' has no column '" + col + "'; its columns: "
            + String.join(", ", types.keySet()));
      }
    }
    StringBuilder insert = new StringBuilder("INSERT INTO quiver_push (");
    StringBuilder marks = new StringBuilder();
    for (int i = 0; i < columns.size(); i++) {
      insert.append(i == 0 ? "" : ", ").append(Scans.id(columns.get(i)));
      marks.append(i == 0 ? "?" : ", ?");
    }
    insert.append(") VALUES (").append(marks).append(')');
    try (PreparedStatement p = c.prepareStatement(insert.toString())) {
      for (int r = 0; r < rows.size(); r++) {
        Object[] row = rows.get(r);
        for (int i = 0; i < columns.size(); i++) {
          p.setObject(i + 1, jdbc(c, row[i], types.get(columns.get(i))));
        }
        try {
          p.execute();
        } catch (SQLException e) {
          throw new InvalidRequestException("pushed row " + r + " does not fit source '" + source.name() + "': "
              + DuckDbSchemaReader.reason(e.getMessage()));
        }
      }
    }
    Path tmpDir = repoRoot.resolve(".quiver").resolve("tmp");
    Path target = dir.resolve(name);
    try {
      Files.createDirectories(tmpDir);
      Path tmp = tmpDir.resolve(name);
      try (Statement s = c.createStatement()) {
        s.execute("COPY quiver_push TO " + Scans.literal(tmp.toString()) + switch (source.format()) {
          case PARQUET -> " (FORMAT parquet, COMPRESSION zstd)";
          case CSV -> " (FORMAT csv, HEADER true)";
        });
        s.execute("DROP TABLE quiver_push");
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new QuiverException("could not add " + target + " to source '" + source.name() + "': " + e.getMessage(), e);
    }
    return target;
  }

  /**
   * A pushed file's name that sorts (by UTF-8 bytes, as {@link SourceFiles} sorts paths) after the
   * names of {@code existing}, the source's files in path order.
   */
  static String pushedName(List<Path> existing, Instant now, String id, String extension) {
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
    return java.util.Arrays.compareUnsigned(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
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

  private static Object jdbc(Connection c, Object v, String type) throws SQLException {
    return switch (v) {
      case Instant t -> LocalDateTime.ofInstant(t, ZoneOffset.UTC);
      case List<?> list -> c.createArrayOf(type.toUpperCase(Locale.ROOT).replace("[]", ""), list.stream()
          .map(e -> e instanceof Instant t ? LocalDateTime.ofInstant(t, ZoneOffset.UTC) : e).toArray());
      case null, default -> v;
    };
  }

  private static String extension(FileSource source) {
    return switch (source.format()) {
      case PARQUET -> "parquet";
      case CSV -> "csv";
    };
  }

}
