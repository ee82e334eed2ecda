package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Handler;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A value read from a secret never reaches the CLI's output, even when a store's error message
 * echoes the value it was given, nor a log line.
 */
class SecretsRedactionTest {
  @TempDir Path repo;

  @Test
  void anErrorEchoingASecretValueShowsItMasked() throws Exception {
    // a path no file system accepts (it holds NUL): the file registry's error quotes what it found
    Files.writeString(repo.resolve("registry-path.txt"), "vault-\u0000-secret-path-3141\n");
    Files.writeString(repo.resolve("quiver.yaml"),
        "project: p\nregistry: {type: file, path: '${file:registry-path.txt}'}\n");

    Cli c = Cli.run("registry", "log", "--repo", repo.toString());

    assertThat(c.exitCode()).as(c.toString()).isEqualTo(1);
    assertThat(c.err()).startsWith("error: registry.path must be a directory path")
        .contains("found '***'").doesNotContain("secret-path-3141");
  }

  @Test
  void logLinesAreRedactedOnceTheCliRuns() throws Exception {
    Files.writeString(repo.resolve("token.txt"), "log-secret-token-2718");
    Files.writeString(repo.resolve("quiver.yaml"), "project: p\nserver: {note: '${file:token.txt}'}\n");
    Logger root = Logger.getLogger("");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Handler handler = new StreamHandler(new PrintStream(bytes, true, StandardCharsets.UTF_8), new SimpleFormatter());
    root.addHandler(handler);
    try {
      Main.run("registry", "log", "--repo", repo.toString());
      Logger.getLogger("dev.quiver.test").warning("calling out with log-secret-token-2718");
      handler.flush();
    } finally {
      root.removeHandler(handler);
    }
    assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("calling out with ***").doesNotContain("2718");
  }
}
