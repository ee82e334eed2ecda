package dev.quiver.cli.doctest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One page's examples, run in order like a terminal session: a scratch folder that is {@code $HOME}
 * (and holds {@code my-repo} when the page starts from the tour's repo), the folder shell blocks
 * left off in, the servers they started, and the classes Java blocks compiled. Not thread-safe.
 */
final class DocSession implements AutoCloseable {
  /** Longest a block may run. */
  static final Duration BLOCK_TIMEOUT = Duration.ofMinutes(3);

  final DocTools tools;
  final Path home;
  final Path state;
  final Path classes;
  final Path tourRepo;
  private Path cwd;

  private DocSession(DocTools tools, Path home, Path state, Path classes, Path tourRepo, Path cwd) {
    this.tools = tools;
    this.home = home;
    this.state = state;
    this.classes = classes;
    this.tourRepo = tourRepo;
    this.cwd = cwd;
  }

  /**
   * A fresh scratch folder for {@code page} under {@code scratch}.
   *
   * @param tourRepo the pristine tour repo: copied into the session for {@code repo=tour}, and the
   *     context YAML blocks are checked in
   */
  static DocSession open(DocPage page, DocTools tools, Path scratch, Path tourRepo) {
    try {
      Path home = Files.createDirectories(scratch.resolve("home"));
      Path state = Files.createDirectories(scratch.resolve("state"));
      Path classes = Files.createDirectories(scratch.resolve("classes"));
      Files.createDirectories(home.resolve("tmp"));
      // the README's "export PATH=$PWD:$PATH" runs in the checkout, which holds ./quiver
      Files.createSymbolicLink(home.resolve("quiver"), tools.bin().resolve("quiver"));
      Path cwd = home;
      if (page.repo().equals("tour")) {
        cwd = copy(tourRepo, home.resolve("my-repo"));
      }
      return new DocSession(tools, home, state, classes, tourRepo, cwd);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Checks one block as its kind and directives say; throws {@link AssertionError} naming the block. */
  void run(DocBlock block) throws Exception {
    switch (block.kind()) {
      case SHELL -> runShell(block);
      case YAML -> YamlBlocks.check(this, block);
      case JSON -> JsonBlocks.check(block);
      case JAVA -> JavaBlocks.check(this, block);
      case TEXT -> { }
    }
  }

  private void runShell(DocBlock block) throws Exception {
    Path script = state.resolve("block-" + block.line() + ".sh");
    Path cwdFile = state.resolve("cwd");
    Files.deleteIfExists(cwdFile);
    String prefix = "set -e\ntrap 'pwd > " + DocTools.shellQuote(cwdFile.toString()) + "' EXIT\n";
    Files.writeString(script, prefix + block.text());
    Result r = exec(List.of("bash", script.toString()), cwd, "block-" + block.line());
    if (Files.exists(cwdFile)) {
      cwd = Path.of(Files.readString(cwdFile).strip());
    }
    r.check(block, "the shell block (bash -e, in " + cwd + ")");
  }

  /** Runs a process with the session's environment, output to a file (a server it leaves running keeps no pipe open). */
  Result exec(List<String> command, Path dir, String name) throws IOException, InterruptedException {
    Path out = state.resolve(name + ".out");
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    Map<String, String> env = pb.environment();
    env.put("PATH", tools.bin() + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("HOME", home.toString());
    env.put("TMPDIR", home.resolve("tmp").toString());
    env.put("DOCTEST_STATE", state.toString());
    env.put("QUIVER_AUTHOR", "doc-test");
    Process p = pb.start();
    boolean done = p.waitFor(BLOCK_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (!done) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly().waitFor();
    }
    String text = Files.readString(out, StandardCharsets.UTF_8);
    return new Result(done ? p.exitValue() : -1, text, done);
  }

  /** Stops the servers the page started and checks that each stops on SIGTERM. */
  @Override
  public void close() throws IOException {
    List<String> stuck = new ArrayList<>();
    Path servers = state.resolve("servers");
    if (Files.exists(servers)) {
      for (String line : Files.readAllLines(servers)) {
        if (line.isBlank()) {
          continue;
        }
        ProcessHandle.of(Long.parseLong(line.strip())).ifPresent(h -> {
          h.destroy();
          try {
            h.onExit().get(30, TimeUnit.SECONDS);
          } catch (Exception e) {
            h.destroyForcibly();
            stuck.add(line.strip());
          }
        });
      }
      Files.delete(servers);
    }
    if (!stuck.isEmpty()) {
      throw new AssertionError("quiver serve (process " + String.join(", ", stuck) + ") did not stop within 30 s of SIGTERM");
    }
  }

  private static Path copy(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.sorted(Comparator.naturalOrder()).toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    return to;
  }

  /** A finished (or timed-out) process. */
  record Result(int exitCode, String output, boolean finished) {
    /** A frame of a printed Java stack trace: no example may end in one. */
    private static final java.util.regex.Pattern STACK_TRACE =
        java.util.regex.Pattern.compile("(?m)^\\s+at [\\w$.]+\\([\\w$]+\\.java:\\d+\\)|^Exception in thread ");

    void check(DocBlock block, String what) {
      if (!finished) {
        throw new AssertionError(block.where() + ": " + what + " did not finish within " + BLOCK_TIMEOUT.toMinutes()
            + " min\n" + tail(output));
      }
      if (exitCode != block.directives().expectExit()) {
        throw new AssertionError(block.where() + ": " + what + " exited " + exitCode + ", expected "
            + block.directives().expectExit() + "\n" + tail(output));
      }
      for (String wanted : block.directives().outputContains()) {
        if (!output.contains(wanted)) {
          throw new AssertionError(block.where() + ": the output lacks \"" + wanted + "\"\n" + tail(output));
        }
      }
      for (String unwanted : block.directives().outputLacks()) {
        if (output.contains(unwanted)) {
          throw new AssertionError(block.where() + ": the output contains \"" + unwanted + "\"\n" + tail(output));
        }
      }
      if (STACK_TRACE.matcher(output).find()) {
        throw new AssertionError(block.where() + ": the output holds a Java stack trace\n" + tail(output));
      }
    }

    private static String tail(String s) {
      return s.length() <= 6000 ? s : "...\n" + s.substring(s.length() - 6000);
    }
  }
}
