package dev.quiver.testkit;

import static dev.quiver.testkit.RegistryFixtures.THREADS;
import static dev.quiver.testkit.RegistryFixtures.runAll;
import static dev.quiver.testkit.RegistryFixtures.time;
import static dev.quiver.testkit.RegistryFixtures.watermark;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.registry.Watermark;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Materialization watermarks per view version ({@code name@vN}): the first advance sets one; an
 * earlier or equal end is ignored (unless under a later registry version) and the stored watermark
 * returned; a later end moves it; a reset removes one so an earlier end can be recorded; they are
 * listed by view name then version, independent of each other, of versions and of datasets; they
 * survive a reopen; racing advances never move one back and end at the latest; invalid view names
 * are refused.
 *
 * <p>An implementation provides {@link RegistryStoreContract#newStore()} and {@link
 * RegistryStoreContract#reopen()} over the same storage.
 */
public interface RegistryWatermarkContract extends RegistryContractPart {
  @Test
  default void emptyStoreHasNoWatermarks() {
    assertThat(store().watermark("user_txn@v1")).isEmpty();
    assertThat(store().watermarks()).isEmpty();
  }

  @Test
  default void theFirstAdvanceSetsTheWatermark() {
    Watermark first = watermark("user_txn@v2", 5, "ana");

    assertThat(store().advanceWatermark(first)).isEqualTo(first);

    assertThat(store().watermark("user_txn@v2")).contains(first);
    assertThat(store().watermark("user_txn@v1")).isEmpty();
    assertThat(store().watermarks()).containsExactly(first);
  }

  @Test
  default void aResetRemovesOneWatermarkSoAnEarlierEndCanBeRecorded() {
    Watermark future = watermark("user_txn@v2", 9000, "ana");
    Watermark other = watermark("user_txn@v1", 5, "ana");
    store().advanceWatermark(future);
    store().advanceWatermark(other);

    assertThat(store().resetWatermark("user_txn@v2")).contains(future);

    assertThat(store().watermark("user_txn@v2")).isEmpty();
    assertThat(reopened().watermark("user_txn@v2")).isEmpty();
    assertThat(store().watermarks()).containsExactly(other);
    assertThat(store().resetWatermark("user_txn@v2")).as("a second reset finds nothing").isEmpty();
    Watermark earlier = watermark("user_txn@v2", 3, "bo");
    assertThat(store().advanceWatermark(earlier)).isEqualTo(earlier);
    assertThat(store().watermark("user_txn@v2")).contains(earlier);
    assertThatThrownBy(() -> store().resetWatermark("user_txn")).isInstanceOf(QuiverException.class);
  }

  @Test
  default void anEarlierOrEqualEndIsIgnoredAndTheStoredWatermarkReturned() {
    Watermark stored = watermark("user_txn@v2", 5, "ana");
    store().advanceWatermark(stored);

    Watermark earlier = new Watermark("user_txn@v2", time(4), 9, "bo", time(9));
    Watermark sameEnd = new Watermark("user_txn@v2", stored.end(), 7, "cy", time(9));
    Watermark sameEndOlderDefinitions = new Watermark("user_txn@v2", stored.end(), 6, "dee", time(9));

    assertThat(store().advanceWatermark(earlier)).as("an earlier end, even under later definitions").isEqualTo(stored);
    assertThat(store().advanceWatermark(sameEnd)).isEqualTo(stored);
    assertThat(store().advanceWatermark(sameEndOlderDefinitions)).isEqualTo(stored);
    assertThat(store().watermark("user_txn@v2")).contains(stored);
    assertThat(reopened().watermark("user_txn@v2")).contains(stored);
  }

  @Test
  default void theSameEndUnderALaterRegistryVersionMovesTheWatermark() {
    Watermark stored = watermark("user_txn@v2", 5, "ana");
    store().advanceWatermark(stored);
    Watermark rerun = new Watermark("user_txn@v2", stored.end(), stored.registryVersion() + 1, "bo", time(6));

    assertThat(store().advanceWatermark(rerun)).isEqualTo(rerun);
    assertThat(store().watermark("user_txn@v2")).contains(rerun);
    assertThat(reopened().watermark("user_txn@v2")).contains(rerun);
  }

  @Test
  default void aLaterEndMovesTheWatermark() {
    store().advanceWatermark(watermark("user_txn@v2", 5, "ana"));
    Watermark later = new Watermark("user_txn@v2", time(5).plusNanos(1000), 8, "bo", time(6));

    assertThat(store().advanceWatermark(later)).isEqualTo(later);

    assertThat(store().watermark("user_txn@v2")).contains(later);
    assertThat(store().watermarks()).containsExactly(later);
  }

  @Test
  default void watermarksAreListedByViewNameThenVersion() {
    Watermark v10 = watermark("user_txn@v10", 1, "ana");
    Watermark v2 = watermark("user_txn@v2", 2, "ana");
    Watermark merchant = watermark("merchant@v1", 3, "bo");
    Watermark underscore = watermark("_a@v3", 4, "cy");
    Watermark longer = watermark("user_txn_daily@v1", 5, "cy");
    for (Watermark w : List.of(v10, longer, merchant, v2, underscore)) {
      store().advanceWatermark(w);
    }

    assertThat(store().watermarks()).containsExactly(underscore, merchant, v2, v10, longer);
  }

  @Test
  default void watermarksOfDifferentViewsAreIndependent() {
    store().advanceWatermark(watermark("user_txn@v1", 9, "ana"));
    Watermark v2 = watermark("user_txn@v2", 1, "ana");

    assertThat(store().advanceWatermark(v2)).isEqualTo(v2);
    store().advanceWatermark(watermark("user_txn@v1", 3, "bo"));

    assertThat(store().watermark("user_txn@v1")).contains(watermark("user_txn@v1", 9, "ana"));
    assertThat(store().watermark("user_txn@v2")).contains(v2);
  }

  @Test
  default void watermarksVersionsAndDatasetsAreIndependent() {
    store().commit(0, SampleDefinitions.sample(1), "ana", "", time(1));
    store().saveDataset(SampleDatasets.sample("fraud_train", 0, "ana", time(2)));
    Watermark w = watermark("user_txn@v1", 3, "ana");

    store().advanceWatermark(w);

    assertThat(store().log()).hasSize(1);
    assertThat(store().datasets()).hasSize(1);
    assertThat(store().watermarks()).containsExactly(w);
    assertThat(store().commit(1, SampleDefinitions.sample(2), "ana", "", time(4)).version()).isEqualTo(2);
  }

  @Test
  default void watermarksSurviveReopenAndInstancesSeeEachOther() {
    RegistryStore other = reopened();
    Watermark a = watermark("user_txn@v1", 1, "ana");
    Watermark b = watermark("merchant@v1", 2, "bo");
    store().advanceWatermark(a);
    store().advanceWatermark(b);

    assertThat(other.watermark("user_txn@v1")).contains(a);
    assertThat(other.advanceWatermark(watermark("user_txn@v1", 0, "cy"))).isEqualTo(a);
    Watermark later = watermark("user_txn@v1", 5, "cy");
    other.advanceWatermark(later);
    store().close();

    RegistryStore again = reopened();

    assertThat(again.watermark("user_txn@v1")).contains(later);
    assertThat(again.watermarks()).containsExactly(b, later);
  }

  @Test
  @Timeout(60)
  default void concurrentAdvancesNeverMoveBackAndEndAtTheLatest() throws Exception {
    int perThread = 40;
    List<String> views = List.of("user_txn@v1", "merchant@v2");
    Random seeds = new Random(20240501);
    CyclicBarrier start = new CyclicBarrier(THREADS);
    List<Callable<List<Watermark[]>>> advancers = new ArrayList<>();
    List<Watermark> proposedAll = Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < THREADS; t++) {
      RegistryStore via = t % 2 == 0 ? store() : reopened();
      Random random = new Random(seeds.nextLong());
      String author = "advancer-" + t;
      advancers.add(
          () -> {
            start.await(30, TimeUnit.SECONDS);
            List<Watermark[]> seen = new ArrayList<>(); // {proposed, returned}
            for (int i = 0; i < perThread; i++) {
              String view = views.get(random.nextInt(views.size()));
              // random ends that trend later, so that many advances write and race
              Instant end = time(0).plusMillis(i * 1_000L + random.nextInt(10_000));
              Watermark proposed = new Watermark(view, end, i, author, time(i));
              proposedAll.add(proposed);
              seen.add(new Watermark[] {proposed, via.advanceWatermark(proposed)});
            }
            return seen;
          });
    }

    List<List<Watermark[]>> results = runAll(advancers);

    for (List<Watermark[]> seen : results) {
      Map<String, Watermark> lastReturned = new HashMap<>();
      for (Watermark[] pair : seen) {
        Watermark proposed = pair[0];
        Watermark returned = pair[1];
        assertThat(returned.view()).isEqualTo(proposed.view());
        assertThat(returned.end()).as("in force after proposing %s", proposed).isAfterOrEqualTo(proposed.end());
        assertThat(proposedAll).as("in force after proposing %s", proposed).contains(returned);
        Watermark before = lastReturned.put(proposed.view(), returned);
        if (before != null) {
          assertThat(returned.end()).as("never backwards for one caller").isAfterOrEqualTo(before.end());
        }
      }
    }
    for (String view : views) {
      Instant latest =
          proposedAll.stream()
              .filter(w -> w.view().equals(view))
              .map(Watermark::end)
              .max(Instant::compareTo)
              .orElseThrow();
      Watermark stored = store().watermark(view).orElseThrow();
      assertThat(stored.end()).as("watermark of %s", view).isEqualTo(latest);
      assertThat(proposedAll).contains(stored);
      assertThat(reopened().watermark(view)).contains(stored);
    }
  }

  @Test
  default void invalidViewNamesAreRefused() {
    List<String> invalid =
        List.of("", "user_txn", "user_txn@2", "user_txn@v", "user_txn@v0", "user_txn@v02", "user_txn@V2",
            "user_txn@v-1", "1st@v1", "user-txn@v1", "user txn@v1", "../versions/x@v1", "a/b@v1",
            "a\\b@v1", "user_txn@v1.json", "naïve@v1", "user_txn@v2:amount", "x".repeat(129) + "@v1");
    for (String view : invalid) {
      assertThatThrownBy(() -> store().advanceWatermark(watermark(view, 1, "ana")))
          .as("view '%s'", view)
          .isInstanceOf(QuiverException.class)
          .hasMessageContaining("'" + view + "'")
          .hasMessageContaining("name@vN");
      assertThatThrownBy(() -> store().watermark(view))
          .as("view '%s'", view)
          .isInstanceOf(QuiverException.class)
          .hasMessageContaining("name@vN");
    }

    assertThat(store().watermarks()).isEmpty();
    Watermark longest = watermark("_" + "x".repeat(127) + "@v999999999", 1, "ana");
    store().advanceWatermark(longest);
    assertThat(store().watermarks()).containsExactly(longest);
  }
}
