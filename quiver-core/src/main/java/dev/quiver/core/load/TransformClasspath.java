package dev.quiver.core.load;

import dev.quiver.core.QuiverException;
import dev.quiver.core.derived.Transforms;
import dev.quiver.core.spi.SourceFiles;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where custom transforms ({@link dev.quiver.core.spi.Transform}) are loaded from: Quiver's own
 * classpath, plus the jars and class folders that {@code quiver.yaml}'s {@code classpath:} list
 * (relative to the repo) and the {@value #ENVIRONMENT_VARIABLE} environment variable (entries
 * separated by {@code File.pathSeparator}, relative to the working directory) name. Entries are
 * paths or globs ({@code lib/*.jar}, {@code build/**}{@code /*.jar}; a glob matches {@code .jar}
 * files only, with the rules of source paths, {@link SourceFiles}); an entry that matches nothing is
 * an error, so a typo is reported, not ignored.
 *
 * <p>The class loader delegates to Quiver's first, so a jar that bundles its own copy of {@code
 * quiver-core} still implements the one {@code Transform} interface. Thread-safe; close it to
 * release the jars (classes already loaded keep working).
 */
public final class TransformClasspath implements AutoCloseable {
  /** The environment variable that adds entries to every repo's transform classpath. */
  public static final String ENVIRONMENT_VARIABLE = "QUIVER_CLASSPATH";

  private final List<Path> entries;
  private final ClassLoader loader;

  private TransformClasspath(List<Path> entries, ClassLoader loader) {
    this.entries = List.copyOf(entries);
    this.loader = loader;
  }

  /**
   * The transform classpath of a repo.
   *
   * @param environment the value of {@value #ENVIRONMENT_VARIABLE}, or null when it is not set
   * @param workingDirectory what relative entries of {@code environment} resolve against
   * @throws QuiverException naming an entry that matches no file, or a file that cannot be read
   */
  public static TransformClasspath of(RepoConfig config, String environment, Path workingDirectory) {
    List<Path> entries = new ArrayList<>();
    for (String entry : config.classpath()) {
      entries.addAll(expand(entry, config.root(), "quiver.yaml: classpath entry '" + entry + "'"));
    }
    if (environment != null) {
      for (String entry : environment.split(Pattern.quote(File.pathSeparator))) {
        if (!entry.isBlank()) {
          entries.addAll(expand(entry, workingDirectory.toAbsolutePath(),
              ENVIRONMENT_VARIABLE + " entry '" + entry + "'"));
        }
      }
    }
    List<Path> distinct = entries.stream().distinct().toList();
    ClassLoader parent = Transforms.defaultLoader();
    if (distinct.isEmpty()) {
      return new TransformClasspath(distinct, parent);
    }
    URL[] urls = new URL[distinct.size()];
    for (int i = 0; i < urls.length; i++) {
      try {
        urls[i] = distinct.get(i).toUri().toURL();
      } catch (MalformedURLException e) {
        throw new QuiverException("transform classpath entry " + distinct.get(i) + " is not a valid location: " + e.getMessage());
      }
    }
    return new TransformClasspath(distinct, new URLClassLoader("quiver-transforms", urls, parent));
  }

  /** The transform classpath of a repo, with {@value #ENVIRONMENT_VARIABLE} from this process's environment. */
  public static TransformClasspath of(RepoConfig config) {
    return of(config, System.getenv(ENVIRONMENT_VARIABLE), Path.of(""));
  }

  /** The jars and class folders added, absolute, in order; empty when only Quiver's classpath is used. */
  public List<Path> entries() {
    return entries;
  }

  /** The class loader transforms are loaded with. */
  public ClassLoader loader() {
    return loader;
  }

  @Override
  public void close() {
    if (loader instanceof URLClassLoader u) {
      try {
        u.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The existing jars or folders one entry names, sorted. */
  private static List<Path> expand(String entry, Path base, String what) {
    String text = entry.strip();
    if (!SourceFiles.isGlob(text)) {
      Path p = base.resolve(text).normalize();
      if (!Files.isRegularFile(p) && !Files.isDirectory(p)) {
        throw new QuiverException(what + " names " + p + ", which does not exist; build the jar or fix the path");
      }
      if (!Files.isReadable(p)) {
        throw new QuiverException(what + " names " + p + ", which this process cannot read; fix its permissions");
      }
      return List.of(p);
    }
    // globs follow the rules of source paths (SourceFiles), so one glob means the same everywhere
    Path dir = SourceFiles.globDirectory(text, base);
    List<Path> out;
    try {
      out = SourceFiles.glob(text, base).stream().filter(Files::isRegularFile)
          .filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jar")).toList();
    } catch (IOException e) {
      throw new QuiverException(what + ": cannot list " + dir + ": " + e.getMessage());
    }
    if (out.isEmpty()) {
      throw new QuiverException(what + " matches no .jar file under " + dir + "; build the jar or fix the pattern");
    }
    return out;
  }
}
