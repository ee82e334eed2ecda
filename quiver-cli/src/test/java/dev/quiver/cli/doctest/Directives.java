package dev.quiver.cli.doctest;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one code block needs, from the {@code <!-- doc-test: ... -->} comments right before it (see
 * {@link DocExamplesTest} for the convention).
 *
 * @param skip why the block is not run, or empty when it runs
 * @param run run a Java block that has no {@code main} (statements are wrapped in one)
 * @param expectExit the exit code the block must end with (shell blocks, Java runs)
 * @param outputContains texts the block's output (stdout and stderr) must contain
 * @param outputLacks texts the block's output must not contain
 * @param requires a program the block needs on the PATH (e.g. {@code grpcurl}); without it the block
 *     is skipped and listed as such
 */
record Directives(Optional<String> skip, boolean run, int expectExit, List<String> outputContains,
    List<String> outputLacks, Optional<String> requires) {

  static final Directives NONE = new Directives(Optional.empty(), false, 0, List.of(), List.of(), Optional.empty());

  Directives {
    outputContains = List.copyOf(outputContains);
    outputLacks = List.copyOf(outputLacks);
  }

  /**
   * Adds the directives of one comment's text (what follows {@code doc-test:}).
   *
   * @param where file and line, for messages
   * @throws IllegalArgumentException naming the directive that is unknown or malformed
   */
  Directives plus(String text, String where) {
    Optional<String> skip = this.skip;
    boolean run = this.run;
    int expectExit = this.expectExit;
    List<String> contains = new ArrayList<>(outputContains);
    List<String> lacks = new ArrayList<>(outputLacks);
    Optional<String> requires = this.requires;
    List<String> tokens = tokens(text, where);
    for (int i = 0; i < tokens.size(); i++) {
      String t = tokens.get(i);
      switch (t) {
        case "skip" -> {
          String reason = i + 1 < tokens.size() ? tokens.get(i + 1) : "";
          if (!reason.startsWith("(") || reason.length() <= 2 || reason.substring(1, reason.length() - 1).isBlank()) {
            throw new IllegalArgumentException(where + ": 'skip' needs a reason: <!-- doc-test: skip (why) -->");
          }
          skip = Optional.of(reason.substring(1, reason.length() - 1).strip());
          i++;
        }
        case "run" -> run = true;
        case "expect-exit" -> {
          String n = i + 1 < tokens.size() ? tokens.get(i + 1) : "";
          if (!n.matches("\\d{1,3}")) {
            throw new IllegalArgumentException(where + ": 'expect-exit' needs an exit code: expect-exit 2");
          }
          expectExit = Integer.parseInt(n);
          i++;
        }
        case "output-contains", "output-lacks" -> {
          String q = i + 1 < tokens.size() ? tokens.get(i + 1) : "";
          if (!q.startsWith("\"") || q.length() < 3) {
            throw new IllegalArgumentException(where + ": '" + t + "' needs a quoted text: " + t + " \"PRESENT\"");
          }
          (t.equals("output-contains") ? contains : lacks).add(q.substring(1, q.length() - 1));
          i++;
        }
        default -> {
          if (t.startsWith("requires=") && t.length() > "requires=".length()) {
            requires = Optional.of(t.substring("requires=".length()));
          } else {
            throw new IllegalArgumentException(where + ": unknown doc-test directive '" + t
                + "'; known: skip (reason), run, expect-exit N, output-contains \"text\", output-lacks \"text\","
                + " requires=PROGRAM"
                + " (and repo=tour before the first block)");
          }
        }
      }
    }
    return new Directives(skip, run, expectExit, contains, lacks, requires);
  }

  /** Words, {@code (parenthesised text)} and {@code "quoted text"} ({@code \"} for a quote inside). */
  static List<String> tokens(String text, String where) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '(') {
        int depth = 0;
        int j = i;
        for (; j < text.length(); j++) {
          depth += text.charAt(j) == '(' ? 1 : text.charAt(j) == ')' ? -1 : 0;
          if (depth == 0) {
            break;
          }
        }
        if (j == text.length()) {
          throw new IllegalArgumentException(where + ": unclosed '(' in doc-test directive");
        }
        out.add(text.substring(i, j + 1));
        i = j + 1;
      } else if (c == '"') {
        StringBuilder s = new StringBuilder("\"");
        int j = i + 1;
        for (; j < text.length() && text.charAt(j) != '"'; j++) {
          if (text.charAt(j) == '\\' && j + 1 < text.length()) {
            j++;
          }
          s.append(text.charAt(j));
        }
        if (j == text.length()) {
          throw new IllegalArgumentException(where + ": unclosed '\"' in doc-test directive");
        }
        out.add(s.append('"').toString());
        i = j + 1;
      } else {
        int j = i;
        while (j < text.length() && !Character.isWhitespace(text.charAt(j))) {
          j++;
        }
        out.add(text.substring(i, j));
        i = j;
      }
    }
    return out;
  }
}
