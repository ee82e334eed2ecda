package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.core.monitor.SkewResult;
import dev.quiver.core.quality.RuleResult;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.core.security.AuditEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quiver audit log}, {@code quiver validate results} and {@code quiver monitor skew results}
 * have one shape: the same options, time forms, limit, JSON array and messages. Each is checked
 * against the records it was given, filtered by a plain reference, on randomized times.
 */
class RecordListingTest {
  private static final Instant T = Instant.parse("2026-01-10T00:00:00Z");
  private static final List<List<String>> COMMANDS =
      List.of(List.of("audit", "log"), List.of("validate", "results"), List.of("monitor", "skew", "results"));

  @TempDir Path repo;
  private final List<Instant> times = new ArrayList<>();

  /** 40 records of each kind at the same random times (whole minutes over 10 days), appended in time order. */
  @BeforeEach
  void records() throws Exception {
    Files.writeString(repo.resolve("quiver.yaml"), "project: payments\n");
    Random random = new Random(11);
    for (int i = 0; i < 40; i++) {
      times.add(T.plusSeconds(60L * random.nextInt(14_400)));
    }
    times.sort(null);
    try (FeatureRepo r = FeatureRepo.open(repo)) {
      for (int i = 0; i < times.size(); i++) {
        Instant t = times.get(i);
        r.registry().audit().append(new AuditEvent(t, "p" + i, "local", "apply", "registry *", "cli", "ok", "n" + i));
        r.registry().validationLog().append(List.of(new RuleResult(t, "materialize", "user_txn@v1", "f", "min", "0",
            "warn", 10, i % 3, List.of(), RuleResult.Outcome.PASSED)));
        r.registry().skewLog().append(List.of(new SkewResult(t, "fraud", "user_txn__f", null, null, 10, i % 3, List.of())));
      }
    }
  }

  private Cli run(List<String> command, String... options) {
    return Cli.run(Stream.concat(Stream.concat(command.stream(), Stream.of("--repo", repo.toString())), Stream.of(options))
        .toArray(String[]::new));
  }

  @Test
  void sinceUntilAndLimitSelectTheSameRecordsInEveryCommand() throws Exception {
    Random random = new Random(5);
    for (int trial = 0; trial < 6; trial++) {
      Instant since = T.plusSeconds(60L * random.nextInt(7_200));
      Instant until = since.plusSeconds(60L * (1 + random.nextInt(7_200)));
      int limit = 1 + random.nextInt(30);
      List<String> expected = times.stream().filter(t -> !t.isBefore(since) && t.isBefore(until)).map(Instant::toString)
          .toList();
      expected = expected.subList(Math.max(0, expected.size() - limit), expected.size());
      for (List<String> command : COMMANDS) {
        Cli json = run(command, "--since", since.toString(), "--until", until.toString(), "--limit", "" + limit,
            "--output", "json");
        assertThat(json.exitCode()).as(json.toString()).isZero();
        List<String> got = new ArrayList<>();
        Json.MAPPER.readTree(json.out()).forEach(n -> got.add(n.get("time").asText()));
        assertThat(got).as("%s since %s until %s limit %d", command, since, until, limit).isEqualTo(expected);
      }
    }
  }

  @Test
  void theTableAndItsFootnoteAreAlikeAndJsonKeepsStdoutOneDocument() throws Exception {
    for (List<String> command : COMMANDS) {
      Cli table = run(command, "--since", "2026-01-01", "--limit", "5", "-o", "text");
      assertThat(table.exitCode()).as(table.toString()).isZero();
      assertThat(table.out().lines().toList()).hasSize(1 + 5 + 1);
      assertThat(table.out()).startsWith("TIME ").contains("(the newest 5 of 40 ")
          .contains(" since 2026-01-01T00:00:00Z; --limit N shows more)");

      Cli json = run(command, "--since", "2026-01-01", "--limit", "5", "--output", "json");
      JsonNode parsed = Json.MAPPER.readTree(json.out());
      assertThat(parsed.isArray()).isTrue();
      assertThat(parsed).hasSize(5);
      assertThat(json.err()).contains("(the newest 5 of 40 ");

      Cli none = run(command, "--since", "2999-01-01");
      assertThat(none.out()).startsWith("No ").contains(" since 2999-01-01T00:00:00Z.");
    }
  }

  @Test
  void theOtherListingsTakeTableAsText() {
    Cli table = Cli.run("registry", "log", "--repo", repo.toString(), "-o", "table");
    Cli text = Cli.run("registry", "log", "--repo", repo.toString(), "--output", "text");
    assertThat(table.exitCode()).as(table.toString()).isZero();
    assertThat(table.out()).isEqualTo(text.out()).contains("The registry is empty");
  }

  @Test
  void mistakesAreTheSameOneLineInEveryCommand() {
    for (List<String> command : COMMANDS) {
      Cli since = run(command, "--since", "yesterday");
      assertThat(since.exitCode()).isEqualTo(1);
      assertThat(since.err().strip()).isEqualTo("error: --since 'yesterday' is neither a duration (90s, 15m, 1h, 7d) nor a"
          + " time (2026-03-01, 2026-03-01T12:00:00Z)");

      Cli until = run(command, "--until", "soon");
      assertThat(until.err().strip()).isEqualTo("error: --until 'soon' is neither a duration (90s, 15m, 1h, 7d) nor a"
          + " time (2026-03-01, 2026-03-01T12:00:00Z)");

      Cli order = run(command, "--since", "2026-02-01", "--until", "2026-01-01");
      assertThat(order.exitCode()).isEqualTo(1);
      assertThat(order.err().strip()).isEqualTo("error: --since 2026-02-01T00:00:00Z is not before --until"
          + " 2026-01-01T00:00:00Z: no record can lie in between");

      Cli limit = run(command, "--limit", "0");
      assertThat(limit.err().strip()).isEqualTo("error: --limit must be at least 1, not 0");
    }
  }
}
