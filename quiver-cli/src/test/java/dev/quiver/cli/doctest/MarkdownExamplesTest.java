package dev.quiver.cli.doctest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The doc-test convention: blocks, their directives, and what is refused so that no broken example hides. */
class MarkdownExamplesTest {
  private static final Path PAGE = Path.of("docs/page.md");

  @Test
  void readsBlocksWithTheirDirectivesAndThePagesRepo() {
    DocPage page = MarkdownExamples.parse(PAGE, """
        # Title
        <!-- doc-test: repo=tour -->

        Text.

        ```sh
        quiver plan
        ```

        <!-- doc-test: expect-exit 2 output-contains "needs a \\"numeric\\" column" -->
        <!-- doc-test: output-contains "plan" output-lacks "Exception" -->

        ```bash
        quiver apply
        ```
        <!-- doc-test: skip (a benchmark:
           it takes an hour) -->
        ```yaml
        a: 1
        ```
        <!-- doc-test: run requires=grpcurl -->
        ```java
        System.out.println(1);
        ```
        ```
        my-repo/
        ```
        """);
    assertThat(page.repo()).isEqualTo("tour");
    List<DocBlock> b = page.blocks();
    assertThat(b).extracting(DocBlock::line).containsExactly(6, 13, 18, 22, 25);
    assertThat(b).extracting(DocBlock::kind).containsExactly(DocBlock.Kind.SHELL, DocBlock.Kind.SHELL, DocBlock.Kind.YAML,
        DocBlock.Kind.JAVA, DocBlock.Kind.TEXT);
    assertThat(b.get(0).directives()).isEqualTo(Directives.NONE);
    assertThat(b.get(0).text()).isEqualTo("quiver plan\n");
    assertThat(b.get(1).directives().expectExit()).isEqualTo(2);
    assertThat(b.get(1).directives().outputContains()).containsExactly("needs a \"numeric\" column", "plan");
    assertThat(b.get(1).directives().outputLacks()).containsExactly("Exception");
    assertThat(b.get(2).directives().skip()).contains("a benchmark: it takes an hour");
    assertThat(b.get(3).directives().run()).isTrue();
    assertThat(b.get(3).directives().requires()).isEqualTo(Optional.of("grpcurl"));
    assertThat(b.get(1).where()).isEqualTo("docs/page.md:13");
  }

  @Test
  void aSkipNeedsAReason() {
    assertThatThrownBy(() -> MarkdownExamples.parse(PAGE, "<!-- doc-test: skip -->\n```sh\nquiver plan\n```\n"))
        .hasMessageContaining("page.md:1: 'skip' needs a reason");
    assertThatThrownBy(() -> MarkdownExamples.parse(PAGE, "<!-- doc-test: skip ( ) -->\n```sh\nquiver plan\n```\n"))
        .hasMessageContaining("needs a reason");
  }

  @Test
  void aDirectiveMustBeRightBeforeABlockThatRuns() {
    assertThatThrownBy(() -> MarkdownExamples.parse(PAGE, "<!-- doc-test: run -->\nSome text.\n```java\nint x;\n```\n"))
        .hasMessageContaining("page.md:1: doc-test directives must come right before a code block");
    assertThatThrownBy(() -> MarkdownExamples.parse(PAGE, "```sh\nquiver plan\n```\n<!-- doc-test: run -->\n"))
        .hasMessageContaining("after the last code block");
    assertThatThrownBy(() -> MarkdownExamples.parse(PAGE, "<!-- doc-test: skip (old) -->\n```\nlayout\n```\n"))
        .hasMessageContaining("before a block that is not run (no language)");
  }

  @Test
  void unknownDirectivesAndMisplacedReposAreRefused() {
    assertThatThrownBy(() -> MarkdownExamples.parse(PAGE, "<!-- doc-test: skipp (x) -->\n```sh\nquiver plan\n```\n"))
        .hasMessageContaining("unknown doc-test directive 'skipp'");
    assertThatThrownBy(() -> MarkdownExamples.parse(PAGE, "```sh\nquiver plan\n```\n<!-- doc-test: repo=tour -->\n"))
        .hasMessageContaining("before the page's first code block");
    assertThatThrownBy(() -> MarkdownExamples.parse(PAGE, "<!-- doc-test: expect-exit two -->\n```sh\nx\n```\n"))
        .hasMessageContaining("'expect-exit' needs an exit code");
  }

  @Test
  void anUnlabelledBlockOfCommandsMustBeLabelled() {
    assertThatThrownBy(() -> MarkdownExamples.parse(PAGE, "Run:\n\n```\nquiver plan\n```\n"))
        .hasMessageContaining("page.md:3: this block holds commands but has no language");
    assertThat(MarkdownExamples.parse(PAGE, "```\n2 problems in the feature definitions:\n```\n").blocks())
        .extracting(DocBlock::kind).containsExactly(DocBlock.Kind.TEXT);
  }
}
