package dev.quiver.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * The entry point of the CLI jar ({@code java -jar quiver-cli.jar}): checks that the JVM is Java
 * 21 or newer before loading anything compiled for it, so an older {@code java} prints one line
 * naming the Java needed instead of an {@code UnsupportedClassVersionError} stack. Compiled for
 * Java 8 (its own source folder, {@code src/main/launcher}), so every JVM since 8 can run it; then
 * hands over to {@link Main}.
 */
public final class Launch {
  /** The oldest Java the CLI runs on. */
  static final int REQUIRED = 21;

  private Launch() {}

  public static void main(String[] args) throws Throwable {
    String problem = problem(System.getProperty("java.specification.version"), System.getProperty("java.home"));
    if (problem != null) {
      System.err.println(problem);
      System.exit(1);
      return;
    }
    Method main = Class.forName("dev.quiver.cli.Main").getMethod("main", String[].class);
    try {
      main.invoke(null, (Object) args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /**
   * The one-line error for a JVM of this specification version ({@code 1.8}, {@code 17}, {@code
   * 25}), or null when it is new enough.
   */
  static String problem(String specificationVersion, String javaHome) {
    int major = major(specificationVersion);
    if (major >= REQUIRED) {
      return null;
    }
    return "quiver: needs Java " + REQUIRED + " or newer, but this is Java "
        + (major > 0 ? String.valueOf(major) : String.valueOf(specificationVersion)) + " (" + javaHome + ");"
        + " run it with the java of a JDK " + REQUIRED + "+ (e.g. Temurin 21 or 25)";
  }

  /** 8 for {@code 1.8}, 17 for {@code 17}; 0 when unreadable. */
  static int major(String specificationVersion) {
    if (specificationVersion == null) {
      return 0;
    }
    String v = specificationVersion.startsWith("1.") ? specificationVersion.substring(2) : specificationVersion;
    int end = 0;
    while (end < v.length() && Character.isDigit(v.charAt(end))) {
      end++;
    }
    return end == 0 ? 0 : Integer.parseInt(v.substring(0, end));
  }
}
