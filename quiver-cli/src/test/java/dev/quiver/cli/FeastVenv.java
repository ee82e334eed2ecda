package dev.quiver.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The Python virtual environment holding Feast's SDK and pytest, for {@link FeastSdkTest}.
 *
 * <p>Where: {@code $QUIVER_FEAST_VENV}, else the system property {@code quiver.feast.venv}, else
 * {@code .ci/feast-venv} in the checkout (git-ignored). {@code .ci/run} creates it before the build;
 * when it is absent (or lacks Feast 0.67 or pytest), {@link #python} creates it from PyPI ({@code
 * python3 -m venv}, {@code pip install 'feast[grpcio]==0.67.*' pytest}: a minute or two, once), so the suite
 * never skips.
 */
final class FeastVenv {
  static final String FEAST = "feast[grpcio]==0.67.*";
  private static final String CHECK =
      "import feast, grpc, pytest, sys; sys.exit(0 if feast.__version__.startswith('0.67.') else 3)";

  private FeastVenv() {}

  static Path location(Path checkout) {
    String env = System.getenv("QUIVER_FEAST_VENV");
    String prop = System.getProperty("quiver.feast.venv");
    String dir = env != null && !env.isBlank() ? env : prop != null && !prop.isBlank() ? prop : null;
    return dir != null ? Path.of(dir).toAbsolutePath() : checkout.resolve(".ci/feast-venv");
  }

  /** The venv's Python, after creating the venv when it is absent or incomplete. */
  static synchronized Path python(Path checkout) throws IOException, InterruptedException {
    Path venv = location(checkout);
    Path python = venv.resolve("bin/python");
    if (Files.isExecutable(python) && run(List.of(python.toString(), "-c", CHECK), 120).exit() == 0) {
      return python;
    }
    System.out.println("FeastSdkTest: creating " + venv + " with " + FEAST + " and pytest from PyPI (once; .ci/run does it"
        + " before the build)");
    Path fresh = venv.resolveSibling(venv.getFileName() + ".creating-" + ProcessHandle.current().pid());
    delete(fresh);
    Files.createDirectories(fresh.getParent());
    expect(run(List.of("python3", "-m", "venv", fresh.toString()), 300), "python3 -m venv " + fresh);
    expect(run(List.of(fresh.resolve("bin/python").toString(), "-m", "pip", "install", "--disable-pip-version-check",
        "--quiet", FEAST, "pytest"), 1800), "pip install '" + FEAST + "' pytest");
    delete(venv);
    Files.move(fresh, venv); // python -m finds its venv next to the executable: a moved venv works
    expect(run(List.of(python.toString(), "-c", CHECK), 120), "the new venv's Feast");
    return python;
  }

  record Run(int exit, String output) {}

  static Run run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
    return run(new ProcessBuilder(command), timeoutSeconds);
  }

  /** Runs a command, its output (stderr included) echoed to this process's stdout and kept. */
  static Run run(ProcessBuilder command, long timeoutSeconds) throws IOException, InterruptedException {
    Process p = command.redirectErrorStream(true).start();
    StringBuilder out = new StringBuilder();
    Thread reader = Thread.ofPlatform().daemon().start(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          System.out.println(line);
          synchronized (out) {
            out.append(line).append('\n');
          }
        }
      } catch (IOException e) {
        // the process is gone
      }
    });
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
      reader.join(5_000);
      return new Run(-1, out + "\n(timed out after " + timeoutSeconds + " s: " + String.join(" ", command.command()) + ")");
    }
    reader.join(10_000);
    synchronized (out) {
      return new Run(p.exitValue(), out.toString());
    }
  }

  private static void expect(Run r, String what) {
    if (r.exit() != 0) {
      throw new IllegalStateException(what + " failed (exit " + r.exit() + "):\n" + r.output());
    }
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
