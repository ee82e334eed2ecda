package dev.quiver.offline.spark;

import dev.quiver.core.SourceDataException;
import dev.quiver.core.load.Secrets;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.offline.PointInTimePlan;
import java.io.FileNotFoundException;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.SparkThrowable;

/**
 * A Spark job that failed because its executors could not read a source file (gone since the driver
 * listed it, not on an executor's disk, not readable by the executors' user) named as such: the
 * source, the file and what to do, instead of Spark's stack of task failures.
 */
final class SourceReadFailure {
  private SourceReadFailure() {}

  /** The error naming the source and file, when {@code e} is such a read failure. */
  static Optional<SourceDataException> of(Throwable e, PointInTimePlan plan, Path repoRoot) {
    String file = null;
    String why = null;
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof SparkThrowable s && s.getCondition() != null && s.getCondition().startsWith("FAILED_READ_FILE")) {
        file = s.getMessageParameters().getOrDefault("path", file);
        why = s.getCondition().endsWith("FILE_NOT_EXIST") ? "the file does not exist" : why;
      } else if (t instanceof FileNotFoundException || t instanceof java.nio.file.NoSuchFileException) {
        why = why != null ? why : t.getMessage() != null && t.getMessage().toLowerCase(Locale.ROOT).contains("permission denied")
            ? "permission denied" : "the file does not exist";
      } else if (t instanceof AccessDeniedException || t.getClass().getSimpleName().equals("AccessControlException")) {
        why = "permission denied";
      }
    }
    if (file == null || why == null) {
      return Optional.empty();
    }
    String shown = file.startsWith("file:") ? Path.of(URI.create(file.replace(" ", "%20"))).toString() : file;
    FileSource source = sourceOf(shown, plan, repoRoot);
    if (source == null) {
      return Optional.empty();
    }
    return Optional.of(new SourceDataException(source.name(), source.path(), "source '" + source.name() + "' (" + source.path()
        + "): the Spark executors cannot read " + Secrets.redact(shown) + " (" + why + "): every executor must see the"
        + " source's files at the same path (a shared file system, or a URI such as s3a:// or hdfs://), readable by the user"
        + " the executors run as; if the files were replaced while the job ran, run it again", e));
  }

  /** The plan's source whose location holds {@code file}: the longest location that is a prefix. */
  private static FileSource sourceOf(String file, PointInTimePlan plan, Path repoRoot) {
    Set<FileSource> sources = new LinkedHashSet<>(plan.tables());
    plan.joins().forEach(j -> sources.add(j.source()));
    FileSource best = null;
    int bestLength = -1;
    for (FileSource s : sources) {
      String base = base(s, repoRoot);
      if (file.startsWith(base) && base.length() > bestLength) {
        best = s;
        bestLength = base.length();
      }
    }
    return best;
  }

  /** The part of a source's location before its first glob character, absolute for local paths. */
  private static String base(FileSource s, Path repoRoot) {
    String path = s.path();
    int glob = path.length();
    for (char c : new char[] {'*', '?', '[', '{'}) {
      int i = path.indexOf(c);
      glob = i >= 0 ? Math.min(glob, i) : glob;
    }
    String fixed = path.substring(0, glob);
    if (!s.isLocal()) {
      return fixed;
    }
    Path abs = repoRoot.toAbsolutePath().resolve(fixed.isEmpty() ? "." : fixed).normalize();
    return fixed.endsWith("/") || fixed.isEmpty() ? abs + "/" : abs.toString();
  }
}
