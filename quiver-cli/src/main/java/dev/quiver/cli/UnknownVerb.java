package dev.quiver.cli;

import dev.quiver.core.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;

/**
 * An unknown verb ({@code quiver nosuch}, {@code quiver datasets lst}) is a one-line error with a
 * did-you-mean and exit 2, whether or not {@code --help} follows it: picocli would print the whole
 * usage instead, and with {@code --help} exit 0 as if the verb existed.
 */
final class UnknownVerb {
  /** The exit code of an unknown verb, as of every usage error. */
  static final int EXIT = 2;

  private UnknownVerb() {}

  /**
   * The error for a command line whose first argument left over after {@code command} is not one of
   * its verbs; empty when {@code command} has no verbs or nothing was left over, or when what was
   * left is an option (picocli's own message names it).
   */
  static Optional<String> message(CommandLine command, List<String> unmatched) {
    if (unmatched.isEmpty() || command.getSubcommands().isEmpty()) {
      return Optional.empty();
    }
    String verb = unmatched.getFirst();
    if (verb.startsWith("-")) {
      return Optional.empty();
    }
    String name = command.getCommandSpec().qualifiedName();
    List<String> verbs = new ArrayList<>(command.getSubcommands().keySet());
    String hint = Names.closest(verb, verbs).map(v -> "did you mean '" + v + "'?")
        .orElse("run '" + name + " --help' for the list");
    return Optional.of("error: '" + verb + "' is not a verb of '" + name + "'; " + hint);
  }

  /** Parses as picocli does, refusing an unknown verb before any help is printed. */
  static CommandLine.IExecutionStrategy strategy(CommandLine.IExecutionStrategy next) {
    return parseResult -> {
      CommandLine.ParseResult last = parseResult;
      while (last.hasSubcommand()) {
        last = last.subcommand();
      }
      Optional<String> error = message(last.commandSpec().commandLine(), last.unmatched());
      if (error.isPresent()) {
        last.commandSpec().commandLine().getErr().println(error.get());
        last.commandSpec().commandLine().getErr().flush();
        return EXIT;
      }
      return next.execute(parseResult);
    };
  }

  /** Reports an unknown verb in one line; every other usage error as {@code next} does. */
  static CommandLine.IParameterExceptionHandler handler(CommandLine.IParameterExceptionHandler next) {
    return (ex, args) -> {
      if (ex instanceof CommandLine.UnmatchedArgumentException u) {
        Optional<String> error = message(u.getCommandLine(), u.getUnmatched());
        if (error.isPresent()) {
          u.getCommandLine().getErr().println(error.get());
          u.getCommandLine().getErr().flush();
          return EXIT;
        }
      }
      return next.handleParseException(ex, args);
    };
  }
}
