package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quiver online delete} and {@code quiver materialize --rebuild}, and the END bound of {@code
 * materialize}, from the command line.
 */
class OnlineStateCommandTest {
  @TempDir Path tmp;
  String r;

  @BeforeEach
  void init() {
    r = tmp.resolve("repo").toString();
    assertThat(Cli.run("init", r, "--rows", "2000", "--start", "2026-01-01").exitCode()).isZero();
    assertThat(Cli.run("apply", "--repo", r).exitCode()).isZero();
    Cli m = Cli.run("materialize", "--repo", r, "2000-01-01", "2026-04-01");
    assertThat(m.exitCode()).as(m.toString()).isZero();
  }

  private Cli lastAmount(String users) {
    Cli c = Cli.run("online", "--repo", r, "--features", "user_txn:last_amount", "--entity", "user_id=" + users);
    assertThat(c.exitCode()).as(c.toString()).isZero();
    return c;
  }

  @Test
  void deleteLeavesTheEntitiesNotFoundAndRebuildBringsThemBack() {
    assertThat(lastAmount("1,2,3").out()).doesNotContain("(not found)");

    Cli delete = Cli.run("online", "delete", "--repo", r, "--view", "user_txn", "--entity", "user_id=1,2");
    assertThat(delete.exitCode()).as(delete.toString()).isZero();
    assertThat(delete.out()).startsWith("deleted 2 entities from user_txn@v1: 2 latest rows and 2 tile rows were there");
    String after = lastAmount("1,2,3").out();
    assertThat(after.lines().filter(l -> l.contains("(not found)")).count()).as(after).isEqualTo(2);
    assertThat(after.lines().filter(l -> l.startsWith("3 ")).findFirst().orElseThrow()).doesNotContain("(not found)");

    Cli again = Cli.run("online", "delete", "--repo", r, "--view", "user_txn@v1", "--entity", "user_id=1");
    assertThat(again.out()).as("nothing left to delete").contains("0 latest rows and 0 tile rows were there");

    Cli rebuild = Cli.run("materialize", "--repo", r, "--rebuild", "user_txn", "2026-04-01");
    assertThat(rebuild.exitCode()).as(rebuild.toString()).isZero();
    assertThat(rebuild.out()).contains("user_txn@v1", "0001-01-01T00:00:00Z", "2026-04-01T00:00:00Z");
    assertThat(lastAmount("1,2,3").out()).doesNotContain("(not found)");
  }

  @Test
  void mistakesAreOneLineErrorsAndChangeNothing() {
    Cli unknown = Cli.run("online", "delete", "--repo", r, "--view", "user_tx", "--entity", "user_id=1");
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.err()).isEqualTo("error: no feature view 'user_tx' in the registry; did you mean 'user_txn'?\n");
    Cli malformed = Cli.run("online", "delete", "--repo", r, "--view", "user_txn", "--entity", "user_id=1,01");
    assertThat(malformed.exitCode()).isEqualTo(1);
    assertThat(malformed.err()).startsWith("error: entity column 'user_id' holds int64 keys, but got '01' (a string) in row 1");
    Cli future = Cli.run("materialize", "--repo", r, "2000-01-01", "9999-12-31");
    assertThat(future.exitCode()).isEqualTo(1);
    assertThat(future.err()).startsWith("error: END 9999-12-31T00:00:00Z is after now + max_future_skew");
    Cli futureRebuild = Cli.run("materialize", "--repo", r, "--rebuild", "user_txn", "9999-12-31");
    assertThat(futureRebuild.exitCode()).isEqualTo(1);
    assertThat(lastAmount("1").out()).as("nothing was deleted or dropped").doesNotContain("(not found)");
  }
}
