package dev.quiver.cli.doctest;

import java.nio.file.Path;
import java.util.Locale;

/**
 * One fenced code block of a Markdown page.
 *
 * @param file the page
 * @param line the line of the opening fence (1-based)
 * @param language the fence's info string, lower case ({@code sh}, {@code yaml}, ...; empty when none)
 * @param text the block's lines, each ending with a newline
 * @param directives what the comments before it ask for
 */
record DocBlock(Path file, int line, String language, String text, Directives directives) {

  /** How a block is checked, from its language. */
  enum Kind {
    SHELL, YAML, JSON, JAVA, TEXT
  }

  Kind kind() {
    return switch (language.toLowerCase(Locale.ROOT)) {
      case "sh", "bash", "shell", "console" -> Kind.SHELL;
      case "yaml", "yml" -> Kind.YAML;
      case "json" -> Kind.JSON;
      case "java" -> Kind.JAVA;
      default -> Kind.TEXT;
    };
  }

  /** {@code docs/online.md:42}, as messages name a block. */
  String where() {
    Path name = file.getParent() != null && file.getParent().getFileName() != null
        && file.getParent().getFileName().toString().equals("docs") ? Path.of("docs").resolve(file.getFileName()) : file.getFileName();
    return name + ":" + line;
  }
}
