package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.server.QuiverServer;
import dev.quiver.server.ServerFile;
import dev.quiver.server.ServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One owner of the embedded store: while a server runs on a RocksDB repo, the CLI's store commands
 * go through it ({@code .quiver/server.json}) and leave the same online state, with the same output,
 * as running them on a twin repo without a server; a server file left by a dead process is ignored.
 */
class ServerOwnedStoreTest {
  @TempDir Path tmp;

  /** The store commands, in order, each with the repo appended. */
  private static final String[][] STEPS = {
      {"materialize", "2026-01-01", "2026-02-01"},
      {"materialize-incremental", "2026-03-01", "--views", "user_txn,user_profile"},
      {"online", "delete", "--view", "user_profile", "--entity", "user_id=3,4,999999"},
      {"materialize", "--rebuild", "merchant_profile", "2026-03-10"},
      {"materialize", "2026-01-01", "2026-03-20", "--views", "merchant_txn"},
  };

  /** Reads covering column features, aggregates, an on-demand view and a service, as JSON and as a table. */
  private static final String[][] READS = {
      {"online", "--features", "user_txn:last_amount,user_txn:last_country,user_txn:amount_avg_30d,user_txn:last_5_amounts,"
          + "user_profile:risk_segment,user_profile:credit_limit", "--entity", "user_id=1,2,3,4,5,6,7,8,999999", "--output", "json"},
      {"online", "--features", "user_txn:last_amount,user_profile:risk_segment,user_profile:home_country",
          "--entity", "user_id=1,2,3,4,5,6,7,8,999999"},
      {"online", "--features", "merchant_profile:category,merchant_profile:risk_score", "--entity", "merchant_id=1,2,3,4,5",
          "--full-feature-names", "--output", "json"},
      {"online", "--features", "txn_risk:is_foreign,txn_risk:over_limit,user_profile:home_country", "--entity", "user_id=1,2,3",
          "--request", "amount=120.5,country=FR"},
  };

  @Test
  void storeCommandsGoThroughTheRunningServerAndLeaveTheSameState() throws Exception {
    Path alone = repo("alone");
    Path served = repo("served");
    List<String> expected = new ArrayList<>();
    for (String[] step : STEPS) {
      Cli c = run(step, alone);
      assertThat(c.exitCode()).as(c.toString()).isZero();
      assertThat(c.err()).doesNotContain("going through");
      expected.add(stable(c.out()));
    }
    List<String> expectedReads = reads(alone);

    try (FeatureRepo repo = FeatureRepo.open(served);
         QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1))) {
      ServerFile.Entry entry = ServerFile.find(served).orElseThrow();
      assertThat(entry.pid()).isEqualTo(ProcessHandle.current().pid());
      assertThat(entry.http().toString()).isEqualTo("http://127.0.0.1:" + server.httpPort());
      String going = "going through the server at http://127.0.0.1:" + server.httpPort() + " (pid " + entry.pid() + ")";
      for (int i = 0; i < STEPS.length; i++) {
        Cli c = run(STEPS[i], served);
        assertThat(c.exitCode()).as(c.toString()).isZero();
        assertThat(c.err()).as(c.toString()).contains(going).doesNotContain("in use");
        assertThat(stable(c.out())).as(String.join(" ", STEPS[i])).isEqualTo(expected.get(i));
      }
      List<String> throughServer = new ArrayList<>();
      for (String[] read : READS) {
        Cli c = run(read, served);
        assertThat(c.exitCode()).as(c.toString()).isZero();
        assertThat(c.err()).contains(going);
        throughServer.add(c.out());
      }
      assertThat(throughServer).isEqualTo(expectedReads);

      // a server refusing the work: its message, one line
      Cli bad = Cli.run("materialize", "2026-01-01", "2026-02-01", "--views", "no_such_view", "--repo", served.toString());
      assertThat(bad.exitCode()).isEqualTo(1);
      assertThat(bad.err()).contains("error: ").contains("no_such_view").doesNotContain("Exception");
      // ingest does not compete with the server for the store: it says where to consume instead
      Cli ingest = Cli.run("ingest", "--until-caught-up", "--repo", served.toString());
      assertThat(ingest.exitCode()).isEqualTo(1);
      assertThat(ingest.err()).contains("owns this repo's online store", "quiver serve --ingest");
    }
    assertThat(ServerFile.path(served)).as("removed when the server closes").doesNotExist();
    // with the server gone the CLI opens the store itself, and finds what the server wrote
    assertThat(reads(served)).isEqualTo(expectedReads);
  }

  @Test
  void aServerFileOfADeadProcessIsIgnored() throws Exception {
    Path r = repo("stale");
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Files.writeString(ServerFile.path(r), "{\"pid\": " + gone.pid() + ", \"http\": \"http://127.0.0.1:9\", \"started\": \""
        + java.time.Instant.now().minusSeconds(5) + "\"}");
    Cli c = Cli.run("materialize", "2026-01-01", "2026-02-01", "--repo", r.toString());
    assertThat(c.exitCode()).as(c.toString()).isZero();
    assertThat(c.err()).doesNotContain("going through");

    // a live pid that started after the file was written is another process that reused the pid
    Files.writeString(ServerFile.path(r), "{\"pid\": " + ProcessHandle.current().pid()
        + ", \"http\": \"http://127.0.0.1:9\", \"started\": \"2000-01-01T00:00:00Z\"}");
    assertThat(ServerFile.find(r)).isEmpty();
    Cli read = Cli.run("online", "--features", "user_profile:risk_segment", "--entity", "user_id=1", "--repo", r.toString());
    assertThat(read.exitCode()).as(read.toString()).isZero();
    assertThat(read.err()).doesNotContain("going through");

    // a live server file whose server does not answer: one line naming it and the way out
    Files.writeString(ServerFile.path(r), "{\"pid\": " + ProcessHandle.current().pid()
        + ", \"http\": \"http://127.0.0.1:9\", \"started\": \"" + java.time.Instant.now() + "\"}");
    Cli silent = Cli.run("online", "--features", "user_profile:risk_segment", "--entity", "user_id=1", "--repo", r.toString());
    assertThat(silent.exitCode()).isEqualTo(1);
    assertThat(silent.err()).contains("does not answer", "kill " + ProcessHandle.current().pid()).hasLineCount(2);
  }

  private Path repo(String name) {
    Path r = tmp.resolve(name);
    Cli init = Cli.run("init", r.toString(), "--rows", "3000", "--start", "2026-01-01");
    assertThat(init.exitCode()).as(init.toString()).isZero();
    Cli apply = Cli.run("apply", "--repo", r.toString());
    assertThat(apply.exitCode()).as(apply.toString()).isZero();
    return r;
  }

  private static Cli run(String[] args, Path repo) {
    String[] all = Arrays.copyOf(args, args.length + 2);
    all[args.length] = "--repo";
    all[args.length + 1] = repo.toString();
    return Cli.run(all);
  }

  private static List<String> reads(Path repo) {
    List<String> outs = new ArrayList<>();
    for (String[] read : READS) {
      Cli c = run(read, repo);
      assertThat(c.exitCode()).as(c.toString()).isZero();
      outs.add(c.out());
    }
    return outs;
  }

  /** A command's output without what differs between runs: a table's SECONDS and ROWS/S columns. */
  private static String stable(String out) {
    StringBuilder b = new StringBuilder();
    for (String line : out.split("\n")) {
      String[] cells = line.strip().split("\\s{2,}");
      b.append(String.join(" | ", cells.length == 7 ? Arrays.copyOf(cells, 5) : cells)).append('\n');
    }
    return b.toString();
  }
}
