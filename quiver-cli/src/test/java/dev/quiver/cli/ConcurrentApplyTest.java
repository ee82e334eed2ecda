package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.RegistryConflictException;
import dev.quiver.core.diff.Plan;
import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two users plan on the same head and apply: one wins, the other is told to plan again. */
class ConcurrentApplyTest {
  @TempDir Path tmp;

  @Test
  void theSecondApplyOnAStaleHeadConflictsAndWritesNothing() throws Exception {
    Path repo = tmp.resolve("repo");
    assertThat(Cli.run("init", repo.toString(), "--rows", "1000", "--start", "2026-01-01").exitCode()).isZero();
    try (FeatureRepo alice = FeatureRepo.open(repo); FeatureRepo bob = FeatureRepo.open(repo)) {
      Plan alicePlan = alice.plan(false);
      Path defs = repo.resolve("features/payments.yaml");
      Files.writeString(defs, Files.readString(defs).replace("owner: risk-team\n    description: The card holder's profile",
          "owner: profile-team\n    description: The card holder's profile"));
      Plan bobPlan = bob.plan(false);
      assertThat(alicePlan.base()).isEqualTo(bobPlan.base()).isZero();

      assertThat(alice.apply(alicePlan, "alice", "a", false)).isPresent();
      assertThatThrownBy(() -> bob.apply(bobPlan, "bob", "b", false))
          .isInstanceOf(RegistryConflictException.class)
          .hasMessageContaining("run plan again");
      assertThat(bob.registry().log()).singleElement().satisfies(v -> assertThat(v.author()).isEqualTo("alice"));

      Plan retry = bob.plan(false);
      assertThat(retry.base()).isEqualTo(1);
      assertThat(retry.changes()).singleElement().satisfies(c -> assertThat(c.name()).isEqualTo("user_profile@v1"));
      assertThat(bob.apply(retry, "bob", "b", false).orElseThrow().version()).isEqualTo(2);
    }
  }
}
