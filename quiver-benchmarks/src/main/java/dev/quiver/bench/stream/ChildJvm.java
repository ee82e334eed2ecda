package dev.quiver.bench.stream;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A main of this module in a JVM of its own (same JDK and class path), as a broker and a server are
 * processes apart from their clients: it prints {@code name value} lines on standard output once
 * ready, logs to a file, and stops when its standard input closes ({@link #close}).
 */
final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final Map<String, String> fields;
  private final Path log;

  private ChildJvm(Process process, Map<String, String> fields, Path log) {
    this.process = process;
    this.fields = fields;
    this.log = log;
  }

  /**
   * Starts {@code main} with {@code args} and reads its first {@code ready.size()} lines, which must
   * be {@code name value} in that order.
   *
   * @throws IllegalStateException when the JVM ends or prints something else first (its log names why)
   */
  static ChildJvm start(Class<?> main, List<String> args, List<String> ready, Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(args);
    Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
    BufferedReader stdout = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    Map<String, String> fields = new LinkedHashMap<>();
    for (String name : ready) {
      String line = stdout.readLine();
      while (fields.isEmpty() && line != null && !line.startsWith(name + " ")) {
        line = stdout.readLine(); // what a library printed before the first ready line
      }
      if (line == null || !line.startsWith(name + " ")) {
        p.destroy();
        throw new IllegalStateException(main.getSimpleName() + " did not start (printed " + line + " where '" + name
            + " ...' was expected); see " + log);
      }
      fields.put(name, line.substring(name.length() + 1).trim());
    }
    return new ChildJvm(p, fields, log);
  }

  String field(String name) {
    return fields.get(name);
  }

  long pid() {
    return process.pid();
  }

  Path log() {
    return log;
  }

  /** Closes its standard input (it stops by itself) and waits; ends it forcibly after 30 s. */
  @Override
  public void close() throws IOException, InterruptedException {
    process.getOutputStream().close();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
