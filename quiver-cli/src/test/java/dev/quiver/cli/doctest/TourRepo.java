package dev.quiver.cli.doctest;

import dev.quiver.cli.QuiverCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * The repo the README's tour leaves behind, which the pages marked {@code repo=tour} start from:
 * {@code quiver init my-repo} (with fewer rows), {@code quiver apply}, {@code quiver materialize
 * 2000-01-01 now}. Made once, in-process, and copied into each page's scratch folder.
 */
final class TourRepo {
  /** Transactions generated: few, so that every command is quick. */
  static final String ROWS = "5000";

  private TourRepo() {}

  /** Creates {@code dir/my-repo}; returns it. */
  static Path create(Path dir) {
    Path repo = dir.resolve("my-repo");
    String r = repo.toString();
    quiver("init", r, "--rows", ROWS);
    quiver("apply", "--repo", r, "-m", "first version", "--author", "doc-test");
    quiver("materialize", "2000-01-01", "now", "--repo", r, "--author", "doc-test");
    return repo;
  }

  private static void quiver(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cli = QuiverCommand.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    int code = cli.execute(args);
    if (code != 0) {
      throw new IllegalStateException("tour repo: 'quiver " + String.join(" ", args) + "' exited " + code + "\n" + out);
    }
  }
}
