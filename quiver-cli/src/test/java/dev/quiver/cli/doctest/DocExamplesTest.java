package dev.quiver.cli.doctest;

import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every code block of README.md and docs/*.md runs as written and shows what the text says. See
 * {@link dev.quiver.cli.doctest} for the convention that says what a block needs.
 */
class DocExamplesTest {
  /** The checkout: the module's parent folder. */
  static final Path CHECKOUT = Path.of("..").toAbsolutePath().normalize();

  @TempDir static Path scratch;
  static DocTools tools;
  static Path tourRepo;
  /** Every session opened, so that their servers stop even when a page's last test did not run. */
  static final List<DocSession> SESSIONS = new ArrayList<>();

  @BeforeAll
  static void setUp() {
    tools = DocTools.create(scratch.resolve("tools"));
    tourRepo = TourRepo.create(scratch.resolve("tour"));
  }

  @AfterAll
  static void stopServers() throws IOException {
    for (DocSession s : SESSIONS) {
      s.close();
    }
  }

  /** README.md, then docs/*.md by name. */
  static List<Path> pages() throws IOException {
    List<Path> pages = new ArrayList<>(List.of(CHECKOUT.resolve("README.md")));
    try (Stream<Path> docs = Files.list(CHECKOUT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    return pages;
  }

  @TestFactory
  Stream<DynamicNode> everyExampleRunsAsWritten() throws IOException {
    List<DocPage> pages = pages().stream().map(MarkdownExamples::read).toList();
    report(pages);
    List<DynamicNode> nodes = new ArrayList<>();
    for (DocPage page : pages) {
      List<DocBlock> runnable = page.blocks().stream()
          .filter(b -> b.kind() != DocBlock.Kind.TEXT && skipReason(b).isEmpty()).toList();
      if (runnable.isEmpty()) {
        continue;
      }
      DocSession[] session = new DocSession[1];
      List<DynamicNode> tests = new ArrayList<>();
      for (DocBlock block : runnable) {
        tests.add(dynamicTest(block.where() + " (" + block.language() + ")", () -> {
          if (session[0] == null) {
            session[0] = DocSession.open(page, tools, scratch.resolve(page.file().getFileName().toString()), tourRepo);
            SESSIONS.add(session[0]);
          }
          session[0].run(block);
        }));
      }
      tests.add(dynamicTest(page.file().getFileName() + ": the servers it started stop on SIGTERM", () -> {
        if (session[0] != null) {
          session[0].close();
        }
      }));
      nodes.add(dynamicContainer(page.file().getFileName().toString(), tests));
    }
    return nodes.stream();
  }

  /** Why a block does not run: its skip reason, or a program it requires that is not installed. */
  static Optional<String> skipReason(DocBlock block) {
    Directives d = block.directives();
    if (d.skip().isPresent()) {
      return d.skip();
    }
    return d.requires().filter(program -> !onPath(program)).map(program -> "needs " + program + ", which is not on the PATH");
  }

  private static boolean onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }

  /** Prints, and writes to target/doc-examples.txt, what runs and every skipped block with its reason. */
  private static void report(List<DocPage> pages) throws IOException {
    StringBuilder skipped = new StringBuilder();
    int run = 0;
    int skips = 0;
    int text = 0;
    Map<String, Integer> notRun = new TreeMap<>();
    for (DocPage page : pages) {
      for (DocBlock b : page.blocks()) {
        if (b.kind() == DocBlock.Kind.TEXT) {
          text++;
          notRun.merge(b.language().isEmpty() ? "no language" : b.language(), 1, Integer::sum);
        } else if (skipReason(b).isPresent()) {
          skips++;
          skipped.append("  ").append(b.where()).append(" (").append(b.language()).append("): ")
              .append(skipReason(b).get()).append('\n');
        } else {
          run++;
        }
      }
    }
    String summary = "Doc examples: " + run + " blocks run, " + skips + " skipped, " + text
        + " not run by their language " + notRun + "\nSkipped:\n" + skipped;
    System.out.print(summary);
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target/doc-examples.txt"), summary);
  }
}
