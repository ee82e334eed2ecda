package dev.quiver.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.Names;
import dev.quiver.core.QuiverException;
import dev.quiver.core.RegistryConflictException;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** What every registry store records for a commit and how it refuses, and the dataset-name rule. */
class CommitAttemptTest {
  private static final Instant T = Instant.parse("2026-01-01T10:00:00Z");

  @Test
  void theAttemptRecordsTheNextVersionAndTheCanonicalBytesOfItsDefinitions() {
    for (long seed = 0; seed < 50; seed++) {
      RegistrySnapshot planned = CodecFixtures.random(seed);
      long head = seed * 7;
      CommitAttempt attempt = CommitAttempt.of(head, planned.definitions(), "ana", "seed " + seed, T);

      assertThat(attempt.version()).isEqualTo(head + 1);
      assertThat(attempt.expectedHead()).isEqualTo(head);
      assertThat(attempt.info()).isEqualTo(new VersionInfo(head + 1, head, "ana", T, "seed " + seed,
          RegistryCodec.contentHash(planned.definitions())));
      RegistrySnapshot decoded = RegistryCodec.decode(attempt.bytes());
      assertThat(decoded.info()).isEqualTo(attempt.info());
      assertThat(decoded.definitions()).isEqualTo(planned.definitions());
    }
  }

  @Test
  void aNegativeHeadIsRefused() {
    assertThatThrownBy(() -> CommitAttempt.of(-1, CodecFixtures.random(1).definitions(), "ana", "", T))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expectedHead must be 0 or more: -1");
  }

  @Test
  void aLostAttemptNamesTheWinnerOrSomeoneElseWhenItCannotBeRead() {
    CommitAttempt attempt = CommitAttempt.of(3, CodecFixtures.random(2).definitions(), "bo", "", T);
    VersionInfo winner = new VersionInfo(4, 3, "ana", T.minusSeconds(5), "", "sha256:00");

    assertThat(attempt.lost(v -> v == 4 ? winner : null))
        .isInstanceOf(RegistryConflictException.class)
        .hasMessage("registry version 4 was applied by ana at 2026-01-01T09:59:55Z while you planned against 3;"
            + " run plan again");
    assertThat(attempt.lost(v -> {
      throw new QuiverException("damaged");
    })).hasMessage("registry version 4 was applied by someone else while you planned against 3; run plan again");
  }

  @Test
  void anAttemptAheadOfTheRegistrySaysWhereTheRegistryIs() {
    CommitAttempt attempt = CommitAttempt.of(5, CodecFixtures.random(3).definitions(), "bo", "", T);

    assertThat(attempt.behind("/r", OptionalLong.of(2)))
        .hasMessage("you planned against registry version 5 but the registry at /r is at version 2; run plan again");
    assertThat(attempt.behind("/r", OptionalLong.empty()))
        .hasMessage("you planned against registry version 5 but the registry at /r is empty; run plan again");
  }

  @Test
  void aDatasetNameFollowsTheDefinitionNameRule() {
    for (String bad : new String[] {"", "1st", "fraud-train", "a/b", "../x", "na\u00efve", "x".repeat(129)}) {
      assertThatThrownBy(() -> DatasetRecord.checkName(bad))
          .as(bad)
          .isInstanceOf(InvalidRequestException.class)
          .hasMessage("'" + bad + "' is not a valid dataset name: " + Names.rule());
    }
    assertThat(DatasetRecord.checkName("_" + "x".repeat(127))).isEqualTo("_" + "x".repeat(127));
    assertThat(DatasetRecord.checkName("Train_2")).isEqualTo("Train_2");
  }
}
