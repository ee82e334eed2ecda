package dev.quiver.testkit;

import static dev.quiver.testkit.RegistryFixtures.THREADS;
import static dev.quiver.testkit.RegistryFixtures.runAll;
import static dev.quiver.testkit.RegistryFixtures.time;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.RegistryConflictException;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.registry.VersionInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Racing commits ({@link RegistryFixtures#THREADS} threads): of commits on the same head exactly one
 * wins and the others get a {@link RegistryConflictException}; repeated races never lose or
 * duplicate a version; writers that retry on conflict all land, without gaps, whether they share an
 * instance or each open their own.
 *
 * <p>An implementation provides {@link RegistryStoreContract#newStore()} and a {@link
 * RegistryStoreContract#reopen()} that may run while other instances are open and committing.
 */
public interface RegistryCommitRaceContract extends RegistryContractPart {
  @Test
  @Timeout(60)
  default void concurrentCommitsOnTheSameHeadHaveExactlyOneWinner() throws Exception {
    store().commit(0, SampleDefinitions.sample(), "setup", "", time(0));

    List<Outcome> outcomes = race(1, 1, 0);

    List<Outcome> winners = outcomes.stream().filter(o -> o.won != null).toList();
    assertThat(winners).hasSize(1);
    assertThat(outcomes).filteredOn(o -> o.won == null).hasSize(THREADS - 1);
    assertThat(store().head().orElseThrow().version()).isEqualTo(2);
    assertThat(store().read(2).definitions()).isEqualTo(winners.getFirst().definitions);
    assertThat(store().read(2).info()).isEqualTo(winners.getFirst().won);
  }

  @Test
  @Timeout(120)
  default void repeatedRacesNeverLoseOrDuplicateAVersion() throws Exception {
    int rounds = 20;
    Map<Long, Outcome> winnerOf = new HashMap<>();
    for (int round = 1; round <= rounds; round++) {
      List<Outcome> outcomes = race(round, round - 1, round * 1000);
      List<Outcome> winners = outcomes.stream().filter(o -> o.won != null).toList();
      assertThat(winners).as("winners of round %d", round).hasSize(1);
      winnerOf.put(winners.getFirst().won.version(), winners.getFirst());
    }

    assertThat(store().log())
        .extracting(VersionInfo::version)
        .containsExactlyElementsOf(LongStream.iterate(rounds, v -> v >= 1, v -> v - 1).boxed().toList());
    for (long v = 1; v <= rounds; v++) {
      RegistrySnapshot snapshot = store().read(v);
      assertThat(snapshot.info()).isEqualTo(winnerOf.get(v).won);
      assertThat(snapshot.definitions()).isEqualTo(winnerOf.get(v).definitions);
    }
  }

  @Test
  @Timeout(120)
  default void writersThatRetryOnConflictAllLandWithoutGaps() throws Exception {
    int perWriter = 6;
    List<RegistryStore> stores = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      stores.add(t % 2 == 0 ? store() : reopened()); // some writers share an instance, some do not
    }
    List<Callable<List<VersionInfo>>> writers = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      RegistryStore mine = stores.get(t);
      String author = "writer-" + t;
      int writer = t;
      writers.add(
          () -> {
            List<VersionInfo> won = new ArrayList<>();
            while (won.size() < perWriter) {
              long head = mine.head().map(VersionInfo::version).orElse(0L);
              try {
                won.add(
                    mine.commit(
                        head, SampleDefinitions.sample(writer * 100 + won.size()), author, "", time(won.size())));
              } catch (RegistryConflictException lost) {
                // plan again
              }
            }
            return won;
          });
    }

    List<VersionInfo> all = new ArrayList<>();
    for (List<VersionInfo> won : runAll(writers)) {
      all.addAll(won);
    }

    long total = (long) THREADS * perWriter;
    assertThat(all).extracting(VersionInfo::version).doesNotHaveDuplicates().hasSize((int) total);
    assertThat(store().head().orElseThrow().version()).isEqualTo(total);
    assertThat(store().log()).hasSize((int) total);
    for (VersionInfo won : all) {
      assertThat(store().read(won.version()).info()).isEqualTo(won);
    }
  }

  /** One racer of {@link #race}: what it committed and, if it won, the record it got. */
  record Outcome(Definitions definitions, VersionInfo won) {}

  /**
   * {@link RegistryFixtures#THREADS} threads commit different definitions on {@code expectedHead} at once; each
   * either wins or gets a {@link RegistryConflictException}, anything else fails the test.
   */
  private List<Outcome> race(int round, long expectedHead, int seedBase) throws Exception {
    CyclicBarrier start = new CyclicBarrier(THREADS);
    List<Callable<Outcome>> racers = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      Definitions mine = SampleDefinitions.sample(seedBase + t);
      String author = "racer-" + t;
      racers.add(
          () -> {
            start.await(30, TimeUnit.SECONDS);
            try {
              return new Outcome(mine, store().commit(expectedHead, mine, author, "round " + round, time(round)));
            } catch (RegistryConflictException lost) {
              return new Outcome(mine, null);
            }
          });
    }
    return runAll(racers);
  }
}
