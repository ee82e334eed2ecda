package dev.quiver.core.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.DefinitionException;
import dev.quiver.core.Problem;
import dev.quiver.core.TestRepos;
import dev.quiver.core.diff.Change;
import dev.quiver.core.diff.Plan;
import dev.quiver.core.diff.Planner;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.registry.RegistryCodec;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.VersionInfo;
import dev.quiver.core.security.Action;
import dev.quiver.core.security.Permission;
import dev.quiver.core.security.Resource;
import dev.quiver.core.validate.DefinitionValidator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Permissions as definitions: the YAML, its errors, validation, the registry format and plans. */
class PermissionDefinitionTest {
  @TempDir Path dir;

  private static final String BASE = """
      entities:
        - {name: user, join_keys: [user_id], type: int64}
      sources:
        - {name: txns, path: data/t.parquet, timestamp: event_ts}
      feature_views:
        - name: txn_stats
          entities: [user]
          source: txns
          tags: {pii: "true"}
          features: [{name: amount}]
      feature_services:
        - {name: txn_model, features: ["txn_stats:amount"]}
      """;

  private static final String PERMISSIONS = """
      permissions:
        - name: risk-reads-pii
          roles: [risk-team]
          actions: [read_online, read_offline, describe]
          resources: {kinds: [feature_view, feature_service], names: ["txn_*"], tags: {pii: "true"}}
        - name: ops
          roles: [ops, sre]
          actions: [materialize]
          description: the on-call team
      """;

  @Test
  void aPermissionLoadsWithRolesActionsAndResources() {
    Definitions d = load(BASE + PERMISSIONS);
    Permission p = d.permission("risk-reads-pii").orElseThrow();
    assertThat(p.roles()).containsExactly("risk-team");
    assertThat(p.actions()).containsExactlyInAnyOrder(Action.READ_ONLINE, Action.READ_OFFLINE, Action.DESCRIBE);
    assertThat(p.kinds()).containsExactlyInAnyOrder(Resource.Kind.FEATURE_VIEW, Resource.Kind.FEATURE_SERVICE);
    assertThat(p.names()).containsExactly("txn_*");
    assertThat(p.tags()).containsExactly(Map.entry("pii", "true"));
    Permission ops = d.permission("ops").orElseThrow();
    assertThat(ops.kinds()).isEmpty();
    assertThat(ops.names()).isEmpty();
    assertThat(ops.description()).isEqualTo("the on-call team");
    assertThat(d.permissions()).extracting(Permission::name).containsExactly("ops", "risk-reads-pii");
  }

  @Test
  void anUnknownActionNamesFileLineAndTheValidActions() {
    String yaml = BASE + PERMISSIONS.replace("read_offline, describe", "read_offlne, describe");
    assertThatThrownBy(() -> load(yaml)).isInstanceOfSatisfying(DefinitionException.class, e -> {
      Problem p = e.problems().getFirst();
      assertThat(p.origin().file()).endsWith("defs.yaml");
      assertThat(p.origin().line()).isEqualTo(16);
      assertThat(p.message()).contains("unknown action 'read_offlne'", "did you mean 'read_offline'",
          "describe, apply, read_online, read_offline, push, materialize, admin");
    });
  }

  @Test
  void shapeMistakesAreNamedWithTheirFix() {
    assertProblem(PERMISSIONS.replace("resources: {kinds: [feature_view, feature_service]", "resources: {kinds: [view, feature_service]"),
        17, "unknown resource kind 'view'", "feature_view, on_demand_view, feature_service");
    assertProblem(PERMISSIONS.replace("    roles: [ops, sre]\n", ""), 18, "permission 'ops' needs 'roles'");
    assertProblem(PERMISSIONS.replace("    actions: [materialize]\n", ""), 18, "permission 'ops' needs 'actions'");
    assertProblem(PERMISSIONS.replace("    description: the on-call team", "    rules: x"), 21,
        "unknown key 'rules' in permission", "allowed: name, roles, actions, resources, description");
    assertProblem(PERMISSIONS.replace("name: ops", "name: risk-reads-pii"), 18, "permission 'risk-reads-pii' is defined twice");
  }

  @Test
  void aLiteralNameThatNamesNothingIsATypo() {
    String yaml = BASE + PERMISSIONS.replace("names: [\"txn_*\"]", "names: [txn_stat]");
    assertThatThrownBy(() -> load(yaml)).isInstanceOfSatisfying(DefinitionException.class, e ->
        assertThat(e.problems().getFirst().message()).contains("names 'txn_stat'", "no feature_view or feature_service",
            "'txn_stat*'"));
    assertThat(load(BASE + PERMISSIONS.replace("names: [\"txn_*\"]", "names: [txn_stats, txn_model]"))
        .permission("risk-reads-pii").orElseThrow().names()).containsExactly("txn_model", "txn_stats");
  }

  @Test
  void permissionsSurviveTheRegistryFormatAndOlderVersionsStillRead() {
    Definitions d = load(BASE + PERMISSIONS);
    RegistrySnapshot s = new RegistrySnapshot(
        new VersionInfo(2, 1, "ana", Instant.parse("2026-01-01T00:00:00Z"), "perms", RegistryCodec.contentHash(d)), d);
    byte[] bytes = RegistryCodec.encode(s);
    assertThat(RegistryCodec.decode(bytes)).isEqualTo(s);
    assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("\"permissions\"", "\"read_online\"", "\"txn_*\"");

    Definitions without = d.withPermissions(List.of());
    byte[] old = RegistryCodec.encode(new RegistrySnapshot(s.info(), without));
    assertThat(new String(old, StandardCharsets.UTF_8)).doesNotContain("permissions");
    assertThat(RegistryCodec.decode(old).definitions().permissions()).isEmpty();
    assertThat(RegistryCodec.contentHash(without)).isNotEqualTo(RegistryCodec.contentHash(d));
  }

  @Test
  void aDamagedPermissionInTheRegistryIsNamed() {
    Definitions d = load(BASE + PERMISSIONS);
    RegistrySnapshot s = new RegistrySnapshot(
        new VersionInfo(1, 0, "ana", Instant.parse("2026-01-01T00:00:00Z"), "", RegistryCodec.contentHash(d)), d);
    String text = new String(RegistryCodec.encode(s), StandardCharsets.UTF_8).replace("\"materialize\"", "\"materialise\"");
    assertThatThrownBy(() -> RegistryCodec.decode(text.getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("definitions.permissions[0].actions[0]").hasMessageContaining("'materialise' is not an action");
  }

  @Test
  void plansShowPermissionsAddedChangedAndRemovedAndNoneIsBreaking() {
    Definitions before = load(BASE + PERMISSIONS);
    Definitions after = load(BASE + """
        permissions:
          - {name: auditors, roles: [audit], actions: [admin], resources: {kinds: [registry]}}
          - {name: ops, roles: [ops], actions: [materialize], description: the on-call team}
        """);
    Plan plan = Planner.plan(1, before, after, List.of());
    assertThat(plan.changes()).extracting(c -> c.action() + " " + c.kind() + " " + c.name())
        .containsExactlyInAnyOrder("ADDED permission auditors", "CHANGED permission ops", "REMOVED permission risk-reads-pii");
    Change ops = plan.changes().stream().filter(c -> c.name().equals("ops")).findFirst().orElseThrow();
    assertThat(ops.fields()).containsExactly(new Change.FieldChange("roles", "ops, sre", "ops"));
    assertThat(plan.breaking()).isEmpty();
    assertThat(Planner.retain(after, before, false).definitions().permissions()).isEqualTo(after.permissions());
  }

  private void assertProblem(String permissions, int line, String... fragments) {
    assertThatThrownBy(() -> load(BASE + permissions)).isInstanceOfSatisfying(DefinitionException.class, e -> {
      assertThat(e.problems()).anySatisfy(p -> {
        assertThat(p.origin().line()).isEqualTo(line);
        assertThat(p.message()).contains(fragments);
      });
    });
  }

  private Definitions load(String yaml) {
    TestRepos.write(dir, Map.of("features/defs.yaml", yaml));
    LoadedRepo repo = new DefinitionLoader().load(dir);
    return new DefinitionValidator(TestRepos.schemas(Map.of("data/t.parquet", Map.of(
        "user_id", ScalarType.INT64, "event_ts", ScalarType.TIMESTAMP, "amount", ScalarType.FLOAT64))), dir)
        .validate(repo.definitions(), repo.origins(), Set.of());
  }
}
