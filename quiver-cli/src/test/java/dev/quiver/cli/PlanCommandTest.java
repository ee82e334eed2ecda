package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quiver plan --exit-code}: the plan's outcome as the exit code, for CI. */
class PlanCommandTest {
  @TempDir Path tmp;

  @Test
  void exitCodeSaysWhetherAndHowTheDefinitionsChange() throws Exception {
    String r = tmp.resolve("repo").toString();
    assertThat(Cli.run("init", r, "--rows", "500", "--start", "2026-01-01").exitCode()).isZero();
    Path defs = tmp.resolve("repo/features/payments.yaml");
    String original = Files.readString(defs);

    assertPlan(r, 2, 0, "Plan: 11 to add"); // everything is new
    assertThat(Cli.run("apply", "--repo", r).exitCode()).isZero();
    assertPlan(r, 0, 0, "No changes");

    Files.writeString(defs, original.replace("description: A card holder.", "description: A card holder (renamed)."));
    assertPlan(r, 2, 0, "~ entity user");

    Files.writeString(defs, original.replace("{name: last_country, column: country}", "{name: last_country, column: currency}"));
    assertPlan(r, 3, 0, "BREAKING");

    // invalid definitions: an error (1), never mistaken for "changes" (2); without the flag still 2
    Files.writeString(defs, original.replace("{fn: avg, column: amount, window: 30d}", "{fn: avg, column: country, window: 30d}"));
    Cli invalid = Cli.run("plan", "--repo", r, "--exit-code");
    assertThat(invalid.exitCode()).as(invalid.toString()).isEqualTo(1);
    assertThat(invalid.err()).contains("needs a numeric column").doesNotContain("\tat ");
    assertThat(Cli.run("plan", "--repo", r).exitCode()).isEqualTo(2);

    Cli json = Cli.run("plan", "--repo", r, "--exit-code", "--output", "json");
    assertThat(json.exitCode()).isEqualTo(1);
    Files.writeString(defs, original.replace("{name: last_country, column: country}", "{name: last_country, column: currency}"));
    json = Cli.run("plan", "--repo", r, "--exit-code", "--output", "json");
    assertThat(json.exitCode()).as(json.toString()).isEqualTo(3);
    assertThat(json.out()).contains("\"breaking\"");
  }

  @Test
  void aUsageErrorWithExitCodeIsAnErrorNotChanges() {
    String r = tmp.resolve("repo").toString();
    Cli typo = Cli.run("plan", "--repo", r, "--exit-code", "--prun");
    assertThat(typo.exitCode()).as(typo.toString()).isEqualTo(1);
    assertThat(typo.err()).contains("Unknown option: '--prun'");
    assertThat(Cli.run("plan", "--prun", "--exit-code", "--repo", r).exitCode()).as("the flag after the mistake").isEqualTo(1);
    assertThat(Cli.run("plan", "--repo", r, "--prun").exitCode()).as("without the flag, a usage error as in every verb")
        .isEqualTo(2);
    assertThat(Cli.run("apply", "--repo", r, "--exit-code").exitCode()).as("other verbs keep 2").isEqualTo(2);
  }

  /** Plans with and without {@code --exit-code}: without it, today's codes (0 for any plan). */
  private static void assertPlan(String repo, int withFlag, int without, String shows) {
    Cli flagged = Cli.run("plan", "--repo", repo, "--exit-code");
    assertThat(flagged.exitCode()).as(flagged.toString()).isEqualTo(withFlag);
    assertThat(flagged.out()).contains(shows);
    Cli plain = Cli.run("plan", "--repo", repo);
    assertThat(plain.exitCode()).as(plain.toString()).isEqualTo(without);
    assertThat(plain.out()).isEqualTo(flagged.out());
  }
}
