package dev.quiver.testkit;

import static dev.quiver.testkit.RegistryFixtures.THREADS;
import static dev.quiver.testkit.RegistryFixtures.runAll;
import static dev.quiver.testkit.RegistryFixtures.time;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.Names;
import dev.quiver.core.QuiverException;
import dev.quiver.core.registry.DatasetRecord;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.registry.VersionInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Saved datasets: read back equal, listed oldest first then by name; a duplicate name is refused with
 * a message naming who saved it and nothing changes; invalid names are refused with the naming rule;
 * names are case-sensitive or refused, never mixed up; datasets and versions are independent;
 * racing saves of one name have exactly one winner and of different names all land; datasets
 * survive a reopen and instances see each other's.
 *
 * <p>An implementation provides {@link RegistryStoreContract#newStore()} and {@link
 * RegistryStoreContract#reopen()} over the same storage.
 */
public interface RegistryDatasetContract extends RegistryContractPart {
  @Test
  default void emptyStoreHasNoDatasets() {
    assertThat(store().datasets()).isEmpty();
    assertThat(store().dataset("fraud_train")).isEmpty();
  }

  @Test
  default void savedDatasetsAreReadBackEqual() {
    DatasetRecord files = SampleDatasets.sample("fraud_train", 0, "ana", time(1));
    DatasetRecord sql = SampleDatasets.sample("fraud_eval", 1, "bo", time(2));

    store().saveDataset(files);
    store().saveDataset(sql);

    assertThat(store().dataset("fraud_train")).contains(files);
    assertThat(store().dataset("fraud_eval")).contains(sql);
    assertThat(store().dataset("fraud_test")).isEmpty();
    assertThat(store().datasets()).containsExactly(files, sql);
  }

  @Test
  default void datasetsAreListedOldestFirstThenByName() {
    DatasetRecord newest = SampleDatasets.sample("a_newest", 1, "ana", time(3));
    DatasetRecord oldest = SampleDatasets.sample("z_oldest", 2, "ana", time(1));
    DatasetRecord tieB = SampleDatasets.sample("b_tie", 3, "bo", time(2));
    DatasetRecord tieA = SampleDatasets.sample("a_tie", 4, "cy", time(2));
    for (DatasetRecord d : List.of(newest, tieB, oldest, tieA)) {
      store().saveDataset(d);
    }

    assertThat(store().datasets()).containsExactly(oldest, tieA, tieB, newest);
  }

  @Test
  default void aDuplicateDatasetNameIsRefusedAndNothingChanges() {
    DatasetRecord first = SampleDatasets.sample("fraud_train", 0, "ana", time(1));
    store().saveDataset(first);
    DatasetRecord second = SampleDatasets.sample("fraud_train", 1, "bo", time(2));

    assertThatThrownBy(() -> store().saveDataset(second))
        .isInstanceOf(QuiverException.class)
        .hasMessage(
            "dataset 'fraud_train' already exists (saved by ana at "
                + time(1)
                + "); choose another name");
    assertThatThrownBy(() -> store().saveDataset(first)).isInstanceOf(QuiverException.class);

    assertThat(store().dataset("fraud_train")).contains(first);
    assertThat(store().datasets()).containsExactly(first);
    assertThat(reopened().dataset("fraud_train")).contains(first);
  }

  @Test
  default void invalidDatasetNamesAreRefusedWithTheRule() {
    List<String> invalid =
        List.of("", "1st", "fraud-train", "fraud train", "../versions/x", "a/b", "a.json", "naïve",
            "x".repeat(129));
    for (String name : invalid) {
      assertThatThrownBy(() -> store().saveDataset(SampleDatasets.sample(name)))
          .as("name '%s'", name)
          .isInstanceOf(QuiverException.class)
          .hasMessageContaining(Names.rule());
      assertThat(store().dataset(name)).as("name '%s'", name).isEmpty();
    }

    assertThat(store().datasets()).isEmpty();
    DatasetRecord longest = SampleDatasets.sample("_" + "x".repeat(127));
    store().saveDataset(longest);
    assertThat(store().datasets()).containsExactly(longest);
  }

  @Test
  default void datasetNamesAreCaseSensitiveOrRefusedNeverMixedUp() {
    DatasetRecord lower = SampleDatasets.sample("train", 0, "ana", time(1));
    DatasetRecord upper = SampleDatasets.sample("Train", 1, "bo", time(2));
    store().saveDataset(lower);

    try {
      store().saveDataset(upper);
      assertThat(store().dataset("Train")).contains(upper);
      assertThat(store().datasets()).containsExactly(lower, upper);
    } catch (QuiverException caseInsensitive) {
      assertThat(caseInsensitive).hasMessageContaining("choose another name");
      assertThat(store().dataset("Train")).isEmpty();
      assertThat(store().datasets()).containsExactly(lower);
    }
    assertThat(store().dataset("train")).contains(lower);
  }

  @Test
  default void datasetsAndVersionsAreIndependent() {
    store().commit(0, SampleDefinitions.sample(1), "ana", "", time(1));
    DatasetRecord d = SampleDatasets.sample("fraud_model", 0, "ana", time(2));

    store().saveDataset(d);
    VersionInfo second = store().commit(1, SampleDefinitions.sample(2), "ana", "", time(3));

    assertThat(store().head()).contains(second);
    assertThat(store().log()).hasSize(2);
    assertThat(store().datasets()).containsExactly(d);
  }

  @Test
  @Timeout(60)
  default void concurrentSavesOfOneNameHaveExactlyOneWinner() throws Exception {
    for (int round = 0; round < 5; round++) {
      String name = "race_" + round;
      List<RegistryStore> stores = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        stores.add(t % 2 == 0 ? store() : reopened());
      }
      CyclicBarrier start = new CyclicBarrier(THREADS);
      List<Callable<DatasetRecord>> racers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        DatasetRecord mine = SampleDatasets.sample(name, t, "racer-" + t, time(round));
        RegistryStore via = stores.get(t);
        racers.add(
            () -> {
              start.await(30, TimeUnit.SECONDS);
              try {
                via.saveDataset(mine);
                return mine;
              } catch (QuiverException lost) {
                assertThat(lost).hasMessageContaining("'" + name + "' already exists");
                return null;
              }
            });
      }

      List<DatasetRecord> winners =
          runAll(racers).stream().filter(java.util.Objects::nonNull).toList();

      assertThat(winners).as("winners of round %d", round).hasSize(1);
      for (RegistryStore s : stores) {
        assertThat(s.dataset(name)).contains(winners.getFirst());
      }
    }
    assertThat(store().datasets()).hasSize(5);
  }

  @Test
  @Timeout(60)
  default void concurrentSavesOfDifferentNamesAllLand() throws Exception {
    List<Callable<DatasetRecord>> savers = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      RegistryStore via = t % 2 == 0 ? store() : reopened();
      DatasetRecord mine = SampleDatasets.sample("set_" + t, t, "writer-" + t, time(t));
      savers.add(
          () -> {
            via.saveDataset(mine);
            return mine;
          });
    }

    List<DatasetRecord> saved = runAll(savers);

    assertThat(store().datasets()).containsExactlyElementsOf(saved);
  }

  @Test
  default void datasetsSurviveReopen() {
    DatasetRecord a = SampleDatasets.sample("fraud_train", 0, "ana", time(1));
    DatasetRecord b = SampleDatasets.sample("fraud_eval", 1, "bo", time(2));
    store().saveDataset(a);
    store().saveDataset(b);
    store().close();

    RegistryStore again = reopened();

    assertThat(again.datasets()).containsExactly(a, b);
    assertThat(again.dataset("fraud_eval")).contains(b);
    assertThatThrownBy(() -> again.saveDataset(SampleDatasets.sample("fraud_train", 2, "cy", time(3))))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("already exists");
    DatasetRecord c = SampleDatasets.sample("fraud_test", 3, "cy", time(3));
    again.saveDataset(c);
    assertThat(again.datasets()).containsExactly(a, b, c);
  }

  @Test
  default void instancesOverTheSameStorageSeeEachOthersDatasets() {
    RegistryStore other = reopened();
    assertThat(other.datasets()).isEmpty();

    DatasetRecord d = SampleDatasets.sample("fraud_train");
    store().saveDataset(d);

    assertThat(other.dataset("fraud_train")).contains(d);
    assertThat(other.datasets()).containsExactly(d);
    assertThatThrownBy(() -> other.saveDataset(SampleDatasets.sample("fraud_train", 1, "bo", time(1))))
        .isInstanceOf(QuiverException.class);
  }
}
