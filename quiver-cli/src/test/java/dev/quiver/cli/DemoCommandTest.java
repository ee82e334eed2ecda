package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quiver demo} runs every step to the end, and can be run again in the same place. */
class DemoCommandTest {
  @TempDir Path tmp;

  @Test
  void runsEndToEndTwice() {
    String dir = tmp.resolve("demo").toString();
    for (int run = 0; run < 2; run++) {
      Cli demo = Cli.run("demo", "--dir", dir, "--rows", "2000");
      assertThat(demo.exitCode()).as(demo.toString()).isZero();
      assertThat(demo.out())
          .contains("Applied registry version 1", "BREAKING", "refusing to apply", "Applied registry version 2",
              "versions: user_txn@v1, user_txn@v2", "Done.",
              "\"feature_names\":[\"user_id\",\"last_amount\",\"risk_segment\"]", "\"watchlist\"", "\"written\":1",
              "risk_segment=watchlist (PRESENT)", "online and offline agree on 15 of 15 values");
    }
  }

  @Test
  void refusesToReplaceAFolderItDidNotCreate() {
    Cli demo = Cli.run("demo", "--dir", tmp.toString());
    assertThat(demo.exitCode()).isEqualTo(1);
    assertThat(demo.err()).contains("was not created by 'quiver demo'");
  }
}
