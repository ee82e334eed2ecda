package dev.quiver.testkit;

import static dev.quiver.testkit.RegistryFixtures.time;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.NotFoundException;
import dev.quiver.core.RegistryConflictException;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.registry.RegistryCodec;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.VersionInfo;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Registry versions: an empty store has no head, log or versions; commits are read back equal
 * (definitions, audit record, content hash), including definitions not yet validated and identical
 * definitions committed again; the log is newest first; a missing version is not found; and a
 * commit on a stale or future expected head conflicts with a message naming who won and what to do,
 * writes nothing and leaves no gap, while a retry on the new head succeeds.
 *
 * <p>An implementation provides nothing beyond {@link RegistryStoreContract#newStore()}.
 */
public interface RegistryVersionContract extends RegistryContractPart {
  // ---- the empty store --------------------------------------------------------------------------

  @Test
  default void emptyStoreHasNoHeadAndNoLog() {
    assertThat(store().head()).isEmpty();
    assertThat(store().latest()).isEmpty();
    assertThat(store().log()).isEmpty();
  }

  @Test
  default void readingFromAnEmptyStoreIsNotFound() {
    assertThatThrownBy(() -> store().read(1)).isInstanceOf(NotFoundException.class);
  }

  // ---- commit and read --------------------------------------------------------------------------

  @Test
  default void commitsAreReadBackEqual() {
    List<Definitions> committed = new ArrayList<>();
    for (int v = 1; v <= 3; v++) {
      Definitions d = SampleDefinitions.sample(v);
      VersionInfo info = store().commit(v - 1, d, "ana", "change " + v, time(v));
      committed.add(d);

      assertThat(info.version()).isEqualTo(v);
      assertThat(info.parent()).isEqualTo(v - 1);
      assertThat(store().head()).contains(info);
    }

    for (int v = 1; v <= 3; v++) {
      RegistrySnapshot snapshot = store().read(v);
      assertThat(snapshot.definitions()).isEqualTo(committed.get(v - 1));
      assertThat(snapshot.info().version()).isEqualTo(v);
      assertThat(snapshot.info().contentHash())
          .isEqualTo(RegistryCodec.contentHash(committed.get(v - 1)));
    }
    assertThat(store().latest().map(RegistrySnapshot::definitions)).contains(committed.get(2));
  }

  @Test
  default void commitReturnsTheRecordItStored() {
    VersionInfo info = store().commit(0, SampleDefinitions.sample(), "ana", "first", time(1));

    assertThat(info)
        .isEqualTo(
            new VersionInfo(
                1, 0, "ana", time(1), "first", RegistryCodec.contentHash(SampleDefinitions.sample())));
    assertThat(store().read(1).info()).isEqualTo(info);
  }

  @Test
  default void keepsDefinitionsNotYetValidated() {
    Definitions asWritten = SampleDefinitions.asWritten(3);

    store().commit(0, asWritten, "ana", "", time(1));
    store().commit(1, Definitions.empty(SampleDefinitions.PROJECT), "ana", "", time(2));

    assertThat(store().read(1).definitions()).isEqualTo(asWritten);
    assertThat(store().read(2).definitions()).isEqualTo(Definitions.empty(SampleDefinitions.PROJECT));
  }

  @Test
  default void identicalDefinitionsStillMakeANewVersion() {
    store().commit(0, SampleDefinitions.sample(), "ana", "", time(1));
    VersionInfo again = store().commit(1, SampleDefinitions.sample(), "bo", "re-apply", time(2));

    assertThat(again.version()).isEqualTo(2);
    assertThat(again.contentHash()).isEqualTo(store().read(1).info().contentHash());
  }

  @Test
  default void logIsNewestFirstWithTheAuditRecord() {
    store().commit(0, SampleDefinitions.sample(1), "ana", "first", time(1));
    store().commit(1, SampleDefinitions.sample(2), "bo", "", time(2));
    store().commit(2, SampleDefinitions.sample(3), "ana", "third\nwith a second line ✓", time(3));

    List<VersionInfo> log = store().log();

    assertThat(log)
        .containsExactly(
            new VersionInfo(
                3, 2, "ana", time(3), "third\nwith a second line ✓",
                RegistryCodec.contentHash(SampleDefinitions.sample(3))),
            new VersionInfo(2, 1, "bo", time(2), "", RegistryCodec.contentHash(SampleDefinitions.sample(2))),
            new VersionInfo(1, 0, "ana", time(1), "first", RegistryCodec.contentHash(SampleDefinitions.sample(1))));
  }

  @Test
  default void readOfAMissingVersionIsNotFound() {
    store().commit(0, SampleDefinitions.sample(), "ana", "", time(1));

    assertThatThrownBy(() -> store().read(2)).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> store().read(0)).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> store().read(-1)).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> store().read(Long.MAX_VALUE)).isInstanceOf(NotFoundException.class);
  }

  // ---- conflicts --------------------------------------------------------------------------------

  @Test
  default void staleExpectedHeadConflictsAndWritesNothing() {
    store().commit(0, SampleDefinitions.sample(1), "ana", "", time(1));
    VersionInfo second = store().commit(1, SampleDefinitions.sample(2), "bo", "", time(2));

    assertThatThrownBy(() -> store().commit(1, SampleDefinitions.sample(3), "cy", "", time(3)))
        .isInstanceOf(RegistryConflictException.class)
        .hasMessageContaining("2");
    assertThatThrownBy(() -> store().commit(0, SampleDefinitions.sample(4), "cy", "", time(3)))
        .isInstanceOf(RegistryConflictException.class);

    assertThat(store().head()).contains(second);
    assertThat(store().log()).hasSize(2);
    assertThat(store().read(2).definitions()).isEqualTo(SampleDefinitions.sample(2));
  }

  @Test
  default void conflictMessageNamesWhoWonAndWhatToDo() {
    store().commit(0, SampleDefinitions.sample(1), "ana", "", time(1));

    assertThatThrownBy(() -> store().commit(0, SampleDefinitions.sample(2), "bo", "", time(2)))
        .isInstanceOf(RegistryConflictException.class)
        .hasMessage("registry version 1 was applied by ana at " + time(1) + " while you planned against 0; run plan"
            + " again");
  }

  @Test
  default void expectedHeadBeyondTheHeadConflictsAndLeavesNoGap() {
    store().commit(0, SampleDefinitions.sample(1), "ana", "", time(1));

    assertThatThrownBy(() -> store().commit(5, SampleDefinitions.sample(2), "bo", "", time(2)))
        .isInstanceOf(RegistryConflictException.class)
        .hasMessageStartingWith("you planned against registry version 5 but the registry at ")
        .hasMessageEndingWith(" is at version 1; run plan again");
    store().commit(1, SampleDefinitions.sample(2), "bo", "", time(2));

    assertThat(store().log()).extracting(VersionInfo::version).containsExactly(2L, 1L);
    assertThatThrownBy(() -> store().read(6)).isInstanceOf(NotFoundException.class);
  }

  @Test
  default void aRetryOnTheNewHeadSucceeds() {
    store().commit(0, SampleDefinitions.sample(1), "ana", "", time(1));
    assertThatThrownBy(() -> store().commit(0, SampleDefinitions.sample(2), "bo", "", time(2)))
        .isInstanceOf(RegistryConflictException.class);

    long head = store().head().orElseThrow().version();
    VersionInfo retried = store().commit(head, SampleDefinitions.sample(2), "bo", "", time(2));

    assertThat(retried.version()).isEqualTo(2);
    assertThat(retried.parent()).isEqualTo(1);
  }
}
