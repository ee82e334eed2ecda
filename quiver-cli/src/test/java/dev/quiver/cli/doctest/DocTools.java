package dev.quiver.cli.doctest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * What every page's examples share: the test's classpath, the JDK running the test, and a folder
 * with a {@code quiver} command that runs the CLI built by this module ({@code java -cp <test
 * classpath> dev.quiver.cli.Main}). That {@code quiver} starts {@code quiver serve} in the
 * background and returns once the server listens (a user runs it in another terminal); the server's
 * process id goes to {@code $DOCTEST_STATE/servers}, and the page's session stops it.
 *
 * @param bin the folder holding the {@code quiver} command
 * @param java the {@code java} launcher of the JDK running the test
 * @param classpath the test classpath
 */
record DocTools(Path bin, Path java, String classpath) {

  /** JVM options of every process the examples start: quick start-up for short commands. */
  static final List<String> JVM_OPTIONS = List.of("--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1",
      "-XX:+UseSerialGC");

  /** Writes the {@code quiver} command into {@code dir/bin}. */
  static DocTools create(Path dir) {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    String classpath = System.getProperty("java.class.path");
    try {
      Path bin = Files.createDirectories(dir.resolve("bin"));
      Path args = dir.resolve("java-args");
      StringBuilder a = new StringBuilder();
      JVM_OPTIONS.forEach(o -> a.append(o).append('\n'));
      a.append("-cp\n").append(quoteArg(classpath)).append('\n');
      Files.writeString(args, a);
      Path quiver = bin.resolve("quiver");
      Files.writeString(quiver, SCRIPT.replace("@JAVA@", shellQuote(java.toString())).replace("@ARGS@", shellQuote(args.toString())));
      Files.setPosixFilePermissions(quiver, PosixFilePermissions.fromString("rwxr-xr-x"));
      return new DocTools(bin, java, classpath);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String shellQuote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  private static String quoteArg(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static final String SCRIPT = """
      #!/usr/bin/env bash
      # quiver for the doc examples: the CLI of quiver-cli's test classpath (see DocTools)
      set -e
      java=@JAVA@
      args=@ARGS@
      help=0
      for a in "$@"; do [ "$a" = "-h" ] || [ "$a" = "--help" ] && help=1; done
      if [ "${1:-}" != serve ] || [ "$help" = 1 ] || [ -z "${DOCTEST_STATE:-}" ]; then
        exec "$java" @"$args" dev.quiver.cli.Main "$@"
      fi
      # one server per page: stop the one started before
      if [ -f "$DOCTEST_STATE/servers" ]; then
        while read -r old; do
          kill "$old" 2>/dev/null || true
          for _ in $(seq 1 200); do kill -0 "$old" 2>/dev/null || break; sleep 0.1; done
        done < "$DOCTEST_STATE/servers"
        : > "$DOCTEST_STATE/servers"
      fi
      log="$DOCTEST_STATE/serve-$(date +%s%N).log"
      "$java" @"$args" dev.quiver.cli.Main "$@" > "$log" 2>&1 < /dev/null &
      pid=$!
      echo "$pid" >> "$DOCTEST_STATE/servers"
      for _ in $(seq 1 900); do
        if grep -Eq 'HTTP +https?://' "$log"; then
          cat "$log"
          echo "(doc test: quiver serve runs in the background as process $pid; the page's session stops it)"
          exit 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
          cat "$log"
          wait "$pid" && exit 1 || exit $?
        fi
        sleep 0.1
      done
      cat "$log"
      echo "quiver serve did not start within 90 s"
      exit 1
      """;
}
