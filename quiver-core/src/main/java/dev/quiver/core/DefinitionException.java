package dev.quiver.core;

import java.util.List;

/**
 * Feature definitions that cannot be accepted. Carries every problem found, each with the file and
 * line it comes from, so a user fixes them all in one pass.
 */
public final class DefinitionException extends QuiverException {
  private final List<Problem> problems;

  public DefinitionException(List<Problem> problems) {
    super(render(problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a DefinitionException needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  public DefinitionException(Problem problem) {
    this(List.of(problem));
  }

  /** The problems, in file and line order. Never empty. */
  public List<Problem> problems() {
    return problems;
  }

  private static String render(List<Problem> problems) {
    StringBuilder out = new StringBuilder();
    out.append(problems.size() == 1 ? "1 problem in the feature definitions" : problems.size() + " problems in the feature definitions");
    out.append(':');
    for (Problem p : problems) {
      out.append("\n  ").append(p);
    }
    return out.toString();
  }
}
