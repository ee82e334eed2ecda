package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.DefinitionException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.diff.Plan;
import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ViewBuilder;
import dev.quiver.core.registry.VersionInfo;
import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Definitions built in Java are planned against the repo's data and applied like the YAML files. */
class JavaDefinitionsTest {
  @TempDir Path tmp;
  Path repo;

  @BeforeEach
  void init() {
    repo = tmp.resolve("repo");
    assertThat(Cli.run("init", repo.toString(), "--rows", "2000", "--start", "2026-01-01").exitCode()).isZero();
  }

  private static Definitions.Builder payments(String project) {
    return Definitions.builder(project)
        .entity("user", "user_id", ScalarType.INT64)
        .source(new FileSource("transactions", "data/transactions.parquet", FileFormat.PARQUET,
            "event_ts", "created_ts", Map.of(), Metadata.EMPTY));
  }

  @Test
  void builderDefinitionsAreValidatedAgainstTheDataAndApplied() {
    Definitions defs = payments("payments")
        .view(ViewBuilder.named("user_txn").entities("user").source("transactions").ttl("90d")
            .column("last_country", "country")
            .aggregate("amount_avg_30d", AggregateFunction.AVG, "amount", "30d")
            .derived("amount_x2", "amount_avg_30d * 2"))
        .service("fraud_model", 1, "user_txn:amount_avg_30d")
        .build();
    try (FeatureRepo r = FeatureRepo.open(repo)) {
      Plan plan = r.plan(defs, false);
      assertThat(plan.isEmpty()).isFalse();
      Optional<VersionInfo> applied = r.apply(plan, "ada", "from Java", false);
      assertThat(applied).map(VersionInfo::version).contains(1L);
      assertThat(r.plan(defs, false).isEmpty()).as("applied: nothing left to change").isTrue();
    }
    Cli describe = Cli.run("describe", "user_txn:amount_x2", "--repo", repo.toString());
    assertThat(describe.exitCode()).as(describe.toString()).isZero();
    assertThat(describe.out()).contains("amount_avg_30d * 2");
  }

  @Test
  void problemsAreDefinitionErrorsAndAnotherProjectIsRefused() {
    Definitions averagesAString = payments("payments")
        .view(ViewBuilder.named("user_txn").entities("user").source("transactions")
            .aggregate("country_avg", AggregateFunction.AVG, "country", "30d"))
        .build();
    try (FeatureRepo r = FeatureRepo.open(repo)) {
      assertThatThrownBy(() -> r.plan(averagesAString, false)).isInstanceOf(DefinitionException.class)
          .hasMessageContaining("'country_avg' (avg) needs a numeric column");
      assertThatThrownBy(() -> r.plan(payments("shop").build(), false)).isInstanceOf(QuiverException.class)
          .hasMessageContaining("project 'shop', but the repo at").hasMessageContaining("Definitions.builder(\"payments\")");
    }
  }
}
