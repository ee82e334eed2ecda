package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Permissions through plan, apply and describe; the CLI's audit events and {@code quiver audit log}. */
class PermissionsCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  Path repo;
  String r;

  @BeforeEach
  void init() {
    repo = tmp.resolve("repo");
    r = repo.toString();
    Cli init = Cli.run("init", r, "--rows", "500", "--start", "2026-01-01");
    assertThat(init.exitCode()).as(init.toString()).isZero();
  }

  @Test
  void permissionsArePlannedAppliedDescribedAndChangesAreShown() throws Exception {
    assertThat(Cli.run("apply", "--repo", r).exitCode()).isZero();
    Files.writeString(repo.resolve("features/permissions.yaml"), """
        permissions:
          - name: risk-reads
            roles: [risk-team]
            actions: [read_online, describe]
            resources: {kinds: [feature_view], names: ["user_*"]}
        """);
    Cli plan = Cli.run("plan", "--repo", r);
    assertThat(plan.exitCode()).as(plan.toString()).isZero();
    assertThat(plan.out()).contains("permission", "risk-reads");
    Cli apply = Cli.run("apply", "--repo", r, "-m", "who reads what");
    assertThat(apply.exitCode()).as(apply.toString()).isZero();
    assertThat(apply.out()).contains("Applied registry version 2");

    Cli describe = Cli.run("describe", "risk-reads", "--repo", r);
    assertThat(describe.out()).contains("permission risk-reads", "roles: risk-team", "actions: describe, read_online",
        "kinds: feature_view", "names: user_*");
    JsonNode json = JSON.readTree(Cli.run("describe", "risk-reads", "--repo", r, "--output", "json").out());
    assertThat(json.path("actions").toString()).isEqualTo("[\"describe\",\"read_online\"]");

    Files.writeString(repo.resolve("features/permissions.yaml"), """
        permissions:
          - name: risk-reads
            roles: [risk-team, fraud-team]
            actions: [read_online, describe]
            resources: {kinds: [feature_view], names: ["user_*"]}
        """);
    Cli changed = Cli.run("plan", "--repo", r);
    assertThat(changed.out()).contains("risk-reads", "roles", "fraud-team").doesNotContain("BREAKING");

    Files.writeString(repo.resolve("features/permissions.yaml"), """
        permissions:
          - {name: risk-reads, roles: [risk-team], actions: [read_onlin]}
        """);
    Cli bad = Cli.run("plan", "--repo", r);
    assertThat(bad.exitCode()).as("definition problems exit 2").isEqualTo(2);
    assertThat(bad.err()).contains("permissions.yaml:2", "unknown action 'read_onlin'", "read_online",
        "describe, apply, read_online, read_offline, push, materialize, admin");
  }

  @Test
  void appliesMaterializationsDeletionsAndDatasetsAreAuditedAndListed() throws Exception {
    assertThat(Cli.run("apply", "--repo", r, "-m", "first").exitCode()).isZero();
    Cli mat = Cli.run("materialize", "--repo", r, "2026-01-01", "2026-02-01");
    assertThat(mat.exitCode()).as(mat.toString()).isZero();
    Cli del = Cli.run("online", "delete", "--repo", r, "--view", "user_txn", "--entity", "user_id=1");
    assertThat(del.exitCode()).as(del.toString()).isZero();
    Cli failed = Cli.run("materialize", "--repo", r, "--views", "nope", "2026-01-01", "2026-02-01");
    assertThat(failed.exitCode()).isNotZero();

    Cli table = Cli.run("audit", "log", "--repo", r, "--since", "1h");
    assertThat(table.exitCode()).as(table.toString()).isZero();
    assertThat(table.out()).contains("PRINCIPAL", "apply", "materialize", "cli", System.getProperty("user.name"));

    JsonNode events = JSON.readTree(Cli.run("audit", "log", "--repo", r, "--since", "1h", "--output", "json").out());
    List<String> lines = new ArrayList<>();
    events.forEach(e -> lines.add(e.path("action").asText() + " " + e.path("outcome").asText()));
    assertThat(lines).containsExactly("apply ok", "materialize ok", "online_delete ok", "materialize failed");
    JsonNode apply = events.get(0);
    assertThat(apply.path("method").asText()).isEqualTo("local");
    assertThat(apply.path("client").asText()).isEqualTo("cli");
    assertThat(apply.path("resource").asText()).isEqualTo("registry *");
    assertThat(apply.path("detail").asText()).contains("version 1", "first");
    assertThat(events.get(1).path("detail").asText()).contains("from 2026-01-01T00:00:00Z to 2026-02-01T00:00:00Z", "rows written");

    JsonNode last = JSON.readTree(Cli.run("audit", "log", "--repo", r, "--limit", "1", "--output", "json").out());
    assertThat(last).hasSize(1);
    assertThat(last.get(0).path("action").asText() + " " + last.get(0).path("outcome").asText()).isEqualTo("materialize failed");
    assertThat(JSON.readTree(Cli.run("audit", "log", "--repo", r, "--since", "2999-01-01", "--output", "json").out())).isEmpty();

    Cli wrong = Cli.run("audit", "log", "--repo", r, "--since", "yesterday");
    assertThat(wrong.exitCode()).isEqualTo(1);
    assertThat(wrong.err().strip()).contains("--since 'yesterday' is neither a duration").doesNotContain("Exception");
  }
}
