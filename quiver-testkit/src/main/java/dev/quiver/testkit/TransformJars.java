package dev.quiver.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles a custom transform from source into a jar, at test time, so tests can load a class that
 * is not on the test classpath (as a user's own jar is not on Quiver's). Stateless.
 */
public final class TransformJars {
  /** The class {@link #doubler} compiles. */
  public static final String DOUBLER = "com.example.transforms.Doubler";

  private TransformJars() {}

  /**
   * A jar holding {@value #DOUBLER}: one float64 argument, twice its value (null for null).
   *
   * @param jar where to write the jar; its folder is created
   */
  public static Path doubler(Path jar) {
    return compile(jar, DOUBLER, """
        package com.example.transforms;

        import dev.quiver.core.model.ScalarType;
        import dev.quiver.core.model.ValueType;
        import java.util.List;

        public final class Doubler implements dev.quiver.core.spi.Transform {
          @Override
          public ValueType resultType(List<ValueType> types) {
            if (types.size() != 1 || !types.get(0).isNumeric()) {
              throw new IllegalArgumentException("it takes one number");
            }
            return ScalarType.FLOAT64;
          }

          @Override
          public Object apply(Object[] args) {
            return args[0] == null ? null : ((Number) args[0]).doubleValue() * 2;
          }
        }
        """);
  }

  /**
   * Compiles one class against the test classpath and writes it, alone, into {@code jar}.
   *
   * @param className the fully qualified name the source declares
   * @throws IllegalStateException with the compiler's messages when the source does not compile
   */
  public static Path compile(Path jar, String className, String source) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new IllegalStateException("no Java compiler in this runtime (a JRE, not a JDK)");
    }
    Path work = null;
    try {
      work = Files.createTempDirectory("quiver-transform-");
      Path src = work.resolve("src").resolve(className.replace('.', '/') + ".java");
      Path classes = Files.createDirectories(work.resolve("classes"));
      Files.createDirectories(src.getParent());
      Files.writeString(src, source);
      StringWriter messages = new StringWriter();
      boolean ok;
      try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, null)) {
        ok = javac.getTask(messages, files, null,
            List.of("-classpath", System.getProperty("java.class.path"), "-d", classes.toString(), "--release", "21"),
            null, files.getJavaFileObjects(src.toFile())).call();
      }
      if (!ok) {
        throw new IllegalStateException("the transform source does not compile:\n" + messages);
      }
      Files.createDirectories(jar.toAbsolutePath().getParent());
      try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file);
           Stream<Path> files = Files.walk(classes)) {
        for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
          out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
          out.write(Files.readAllBytes(f));
          out.closeEntry();
        }
      }
      return jar;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      deleteTree(work);
    }
  }

  private static void deleteTree(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
