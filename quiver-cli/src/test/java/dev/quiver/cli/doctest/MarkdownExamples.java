package dev.quiver.cli.doctest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads a Markdown page's fenced code blocks and the {@code <!-- doc-test: ... -->} comments that
 * say what each needs. Refuses, naming file and line, what would let a broken example hide: a
 * directive that is not directly before a block, a skip without a reason, an unknown directive, and
 * an unlabelled block that looks like a command.
 */
final class MarkdownExamples {
  private static final String OPEN = "<!-- doc-test:";
  private static final Pattern FENCE = Pattern.compile("^(```+)\\s*([\\w+-]*)\\s*$");
  private static final Pattern COMMAND = Pattern.compile("^\\s*(\\$ |quiver |\\./quiver|curl |java |\\./mvnw)");

  private MarkdownExamples() {}

  static DocPage read(Path file) {
    try {
      return parse(file, Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Parses a page's text.
   *
   * @throws IllegalArgumentException naming the file and line of a malformed directive or block
   */
  static DocPage parse(Path file, String markdown) {
    String[] lines = markdown.split("\n", -1);
    String name = file.getFileName().toString();
    List<DocBlock> blocks = new ArrayList<>();
    String repo = "none";
    Directives pending = null;
    int pendingLine = 0;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.strip().startsWith(OPEN)) {
        int start = i;
        StringBuilder text = new StringBuilder(line.strip().substring(OPEN.length()));
        while (!text.toString().contains("-->")) {
          if (++i == lines.length) {
            throw new IllegalArgumentException(name + ":" + (start + 1) + ": doc-test comment is not closed with -->");
          }
          text.append(' ').append(lines[i].strip());
        }
        String body = text.substring(0, text.indexOf("-->")).strip();
        String where = name + ":" + (start + 1);
        if (body.startsWith("repo=")) {
          if (!blocks.isEmpty() || pending != null || !body.matches("repo=(none|tour)")) {
            throw new IllegalArgumentException(where + ": 'repo=none' or 'repo=tour' goes alone in a comment before the page's first code block");
          }
          repo = body.substring("repo=".length());
          continue;
        }
        pending = (pending == null ? Directives.NONE : pending).plus(body, where);
        pendingLine = pendingLine == 0 ? start + 1 : pendingLine;
        continue;
      }
      var fence = FENCE.matcher(line);
      if (fence.matches()) {
        int open = i;
        StringBuilder text = new StringBuilder();
        while (++i < lines.length && !lines[i].startsWith(fence.group(1))) {
          text.append(lines[i]).append('\n');
        }
        if (i == lines.length) {
          throw new IllegalArgumentException(name + ":" + (open + 1) + ": code block is not closed");
        }
        DocBlock block = new DocBlock(file, open + 1, fence.group(2).toLowerCase(java.util.Locale.ROOT), text.toString(),
            pending == null ? Directives.NONE : pending);
        if (block.kind() == DocBlock.Kind.TEXT && !text.isEmpty() && COMMAND.matcher(text.toString().lines().findFirst().orElse("")).find()) {
          throw new IllegalArgumentException(block.where() + ": this block holds commands but has no language;"
              + " label it ```sh (and add <!-- doc-test: skip (why) --> if it cannot run)");
        }
        if (block.kind() == DocBlock.Kind.TEXT && pending != null) {
          throw new IllegalArgumentException(name + ":" + pendingLine + ": doc-test directives before a block that is not run ("
              + (block.language().isEmpty() ? "no language" : block.language()) + ")");
        }
        blocks.add(block);
        pending = null;
        pendingLine = 0;
        continue;
      }
      if (pending != null && !line.isBlank()) {
        throw new IllegalArgumentException(name + ":" + pendingLine + ": doc-test directives must come right before a code block"
            + " (only blank lines between), but line " + (i + 1) + " is text");
      }
    }
    if (pending != null) {
      throw new IllegalArgumentException(name + ":" + pendingLine + ": doc-test directives after the last code block");
    }
    return new DocPage(file, repo, blocks);
  }
}
