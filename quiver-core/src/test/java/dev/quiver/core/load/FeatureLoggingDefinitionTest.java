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
import dev.quiver.core.model.FeatureLogging;
import dev.quiver.core.model.FeatureService;
import dev.quiver.core.registry.RegistryCodec;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.VersionInfo;
import dev.quiver.core.validate.DefinitionValidator;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A feature service's {@code logging:} in YAML, in the registry's JSON, in a plan; mistakes with file and line. */
class FeatureLoggingDefinitionTest {
  @TempDir Path dir;

  private static final String HEAD = """
      entities:
        - {name: user, join_keys: [user_id], type: int64}
      sources:
        - {name: transactions, path: data/transactions.parquet, timestamp: event_ts, created: created_ts}
      feature_views:
        - name: v
          entities: [user]
          source: transactions
          features: [{name: amount}]
      feature_services:
        - name: scoring
          features: [v:amount]
      """;

  @Test
  void loggingReadsAsWrittenAndIsOffWhenAbsent() {
    TestRepos.write(dir, Map.of("features/defs.yaml", HEAD + "    logging: {sample_rate: 0.25}\n"));
    assertThat(load().service("scoring", 1).orElseThrow().logging()).isEqualTo(new FeatureLogging(0.25));
    TestRepos.write(dir, Map.of("features/defs.yaml", HEAD));
    assertThat(load().service("scoring", 1).orElseThrow().logging()).isNull();
  }

  @Test
  void theRegistrySnapshotKeepsLogging() {
    TestRepos.write(dir, Map.of("features/defs.yaml", HEAD + "    logging: {sample_rate: 1}\n"));
    Definitions defs = load();
    RegistrySnapshot snapshot = new RegistrySnapshot(new VersionInfo(1, 0, "me", Instant.parse("2026-01-01T00:00:00Z"),
        "m", RegistryCodec.contentHash(defs)), defs);
    RegistrySnapshot back = RegistryCodec.decode(RegistryCodec.encode(snapshot));
    assertThat(back).isEqualTo(snapshot);
    assertThat(back.definitions().service("scoring", 1).orElseThrow().logging().sampleRate()).isEqualTo(1.0);
    assertThat(RegistryCodec.toJson(defs).toString()).contains("\"logging\":{\"sample_rate\":1.0}");
    TestRepos.write(dir, Map.of("features/defs.yaml", HEAD));
    assertThat(RegistryCodec.toJson(load()).toString()).doesNotContain("logging");
  }

  @Test
  void aPlanShowsTurningLoggingOnAndChangingTheRate() {
    TestRepos.write(dir, Map.of("features/defs.yaml", HEAD));
    Definitions head = plan(null).target();
    TestRepos.write(dir, Map.of("features/defs.yaml", HEAD + "    logging: {sample_rate: 0.1}\n"));
    Plan on = plan(head);
    assertThat(on.changes()).singleElement().satisfies(c -> {
      assertThat(c.action()).isEqualTo(Change.Action.CHANGED);
      assertThat(c.name()).isEqualTo("scoring@v1");
      assertThat(c.fields()).containsExactly(new Change.FieldChange("logging.sample_rate", null, "0.1"));
    });
    assertThat(on.breaking()).as("logging does not change what is served").isEmpty();
    TestRepos.write(dir, Map.of("features/defs.yaml", HEAD + "    logging: {sample_rate: 0.5}\n"));
    assertThat(plan(on.target()).changes()).singleElement().satisfies(c -> assertThat(c.fields())
        .containsExactly(new Change.FieldChange("logging.sample_rate", "0.1", "0.5")));
  }

  static Stream<Arguments> mistakes() {
    return Stream.of(
        Arguments.of("rate above one", "    logging: {sample_rate: 1.5}\n",
            new String[] {"sample_rate must be more than 0 and at most 1", "not 1.5"}),
        Arguments.of("rate zero", "    logging: {sample_rate: 0}\n",
            new String[] {"sample_rate must be more than 0", "remove 'logging' to log nothing"}),
        Arguments.of("rate not a number", "    logging: {sample_rate: often}\n",
            new String[] {"'sample_rate' must be a number", "'often'"}),
        Arguments.of("no rate", "    logging: {path: logs}\n",
            new String[] {"logging needs 'sample_rate'", "1 logs every request"}),
        Arguments.of("empty", "    logging:\n",
            new String[] {"has an empty 'logging'", "logging: {sample_rate: 0.1}"}),
        Arguments.of("not a mapping", "    logging: yes\n",
            new String[] {"'logging' must be a mapping"}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mistakes")
  void mistakesAreReportedWithFileLineAndFix(String name, String body, String[] fragments) {
    TestRepos.write(dir, Map.of("features/defs.yaml", HEAD + body));
    assertThatThrownBy(this::load)
        .isInstanceOfSatisfying(DefinitionException.class, e -> {
          Problem p = e.problems().getFirst();
          assertThat(p.origin().file()).isEqualTo("features/defs.yaml");
          assertThat(p.origin().line()).as(e.getMessage()).isEqualTo(13);
          for (String f : fragments) {
            assertThat(p.message()).as(e.getMessage()).contains(f);
          }
        });
  }

  @Test
  void aRateIsCheckedInJavaToo() {
    assertThatThrownBy(() -> new FeatureLogging(0)).hasMessageContaining("(0, 1]");
    FeatureService s = new FeatureService("s", 1, java.util.List.of(), null, new FeatureLogging(0.5));
    assertThat(s.withFeatures(java.util.List.of()).logging()).isEqualTo(new FeatureLogging(0.5));
  }

  private Plan plan(Definitions head) {
    LoadedRepo loaded = new DefinitionLoader().load(dir);
    Planner.Retained r = Planner.retain(loaded.definitions(), head, false);
    Definitions typed = new DefinitionValidator(TestRepos.schemas(), dir)
        .validate(r.definitions(), loaded.origins(), r.frozen());
    return Planner.plan(head == null ? 0 : 1, head, typed, r.kept());
  }

  private Definitions load() {
    LoadedRepo repo = new DefinitionLoader().load(dir);
    return new DefinitionValidator(TestRepos.schemas(), dir).validate(repo.definitions(), repo.origins(), Set.of());
  }
}
