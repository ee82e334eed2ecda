package dev.quiver.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.Names;
import dev.quiver.core.NotFoundException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.RegistryConflictException;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.registry.DatasetRecord;
import dev.quiver.core.registry.RegistryCodec;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.registry.VersionInfo;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link RegistryStore} must have. A store's test extends this class and says
 * how to open one:
 *
 * <pre>{@code
 * class FileRegistryStoreTest extends RegistryStoreContract {
 *   @TempDir Path dir;
 *   @Override protected RegistryStore newStore() { return new FileRegistryStore(dir); }
 *   @Override protected RegistryStore reopen() { return new FileRegistryStore(dir); }
 * }
 * }</pre>
 *
 * <p>Each test calls {@link #newStore()} once, first, and may then call {@link #reopen()} any number
 * of times, possibly while earlier instances are still open (as separate processes would). Every
 * store either returns is closed after the test.
 */
public abstract class RegistryStoreContract {
  /** Racing threads; the contract holds for any number, eight finds races on two cores. */
  protected static final int THREADS = 8;

  private static final Instant T0 = Instant.parse("2024-05-01T12:00:00.123456Z");

  private final List<RegistryStore> opened = new ArrayList<>();

  /** The store under test, from {@link #newStore()}. */
  protected RegistryStore store;

  /** A new, empty store; called once per test, before anything else. */
  protected abstract RegistryStore newStore();

  /** A new instance over the same storage as the last {@link #newStore()}; it may be called while that one is open. */
  protected abstract RegistryStore reopen();

  @BeforeEach
  final void openStore() {
    store = track(newStore());
  }

  @AfterEach
  final void closeStores() {
    for (RegistryStore s : opened) {
      s.close();
    }
    opened.clear();
  }

  /** {@link #reopen()}, closed after the test. */
  protected final RegistryStore reopened() {
    return track(reopen());
  }

  private RegistryStore track(RegistryStore s) {
    assertThat(s).as("store").isNotNull();
    opened.add(s);
    return s;
  }

  /** The time of the n-th commit of a test; microsecond precision, as every store must keep. */
  protected static Instant time(int n) {
    return T0.plusSeconds(3600L * n);
  }

  // ---- the empty store --------------------------------------------------------------------------

  @Test
  public void emptyStoreHasNoHeadAndNoLog() {
    assertThat(store.head()).isEmpty();
    assertThat(store.latest()).isEmpty();
    assertThat(store.log()).isEmpty();
  }

  @Test
  public void readingFromAnEmptyStoreIsNotFound() {
    assertThatThrownBy(() -> store.read(1)).isInstanceOf(NotFoundException.class);
  }

  // ---- commit and read --------------------------------------------------------------------------

  @Test
  public void commitsAreReadBackEqual() {
    List<Definitions> committed = new ArrayList<>();
    for (int v = 1; v <= 3; v++) {
      Definitions d = SampleDefinitions.sample(v);
      VersionInfo info = store.commit(v - 1, d, "ana", "change " + v, time(v));
      committed.add(d);

      assertThat(info.version()).isEqualTo(v);
      assertThat(info.parent()).isEqualTo(v - 1);
      assertThat(store.head()).contains(info);
    }

    for (int v = 1; v <= 3; v++) {
      RegistrySnapshot snapshot = store.read(v);
      assertThat(snapshot.definitions()).isEqualTo(committed.get(v - 1));
      assertThat(snapshot.info().version()).isEqualTo(v);
      assertThat(snapshot.info().contentHash())
          .isEqualTo(RegistryCodec.contentHash(committed.get(v - 1)));
    }
    assertThat(store.latest().map(RegistrySnapshot::definitions)).contains(committed.get(2));
  }

  @Test
  public void commitReturnsTheRecordItStored() {
    VersionInfo info = store.commit(0, SampleDefinitions.sample(), "ana", "first", time(1));

    assertThat(info)
        .isEqualTo(
            new VersionInfo(
                1, 0, "ana", time(1), "first", RegistryCodec.contentHash(SampleDefinitions.sample())));
    assertThat(store.read(1).info()).isEqualTo(info);
  }

  @Test
  public void keepsDefinitionsNotYetValidated() {
    Definitions asWritten = SampleDefinitions.asWritten(3);

    store.commit(0, asWritten, "ana", "", time(1));
    store.commit(1, Definitions.empty(SampleDefinitions.PROJECT), "ana", "", time(2));

    assertThat(store.read(1).definitions()).isEqualTo(asWritten);
    assertThat(store.read(2).definitions()).isEqualTo(Definitions.empty(SampleDefinitions.PROJECT));
  }

  @Test
  public void identicalDefinitionsStillMakeANewVersion() {
    store.commit(0, SampleDefinitions.sample(), "ana", "", time(1));
    VersionInfo again = store.commit(1, SampleDefinitions.sample(), "bo", "re-apply", time(2));

    assertThat(again.version()).isEqualTo(2);
    assertThat(again.contentHash()).isEqualTo(store.read(1).info().contentHash());
  }

  @Test
  public void logIsNewestFirstWithTheAuditRecord() {
    store.commit(0, SampleDefinitions.sample(1), "ana", "first", time(1));
    store.commit(1, SampleDefinitions.sample(2), "bo", "", time(2));
    store.commit(2, SampleDefinitions.sample(3), "ana", "third\nwith a second line ✓", time(3));

    List<VersionInfo> log = store.log();

    assertThat(log)
        .containsExactly(
            new VersionInfo(
                3, 2, "ana", time(3), "third\nwith a second line ✓",
                RegistryCodec.contentHash(SampleDefinitions.sample(3))),
            new VersionInfo(2, 1, "bo", time(2), "", RegistryCodec.contentHash(SampleDefinitions.sample(2))),
            new VersionInfo(1, 0, "ana", time(1), "first", RegistryCodec.contentHash(SampleDefinitions.sample(1))));
  }

  @Test
  public void readOfAMissingVersionIsNotFound() {
    store.commit(0, SampleDefinitions.sample(), "ana", "", time(1));

    assertThatThrownBy(() -> store.read(2)).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> store.read(0)).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> store.read(-1)).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> store.read(Long.MAX_VALUE)).isInstanceOf(NotFoundException.class);
  }

  // ---- conflicts --------------------------------------------------------------------------------

  @Test
  public void staleExpectedHeadConflictsAndWritesNothing() {
    store.commit(0, SampleDefinitions.sample(1), "ana", "", time(1));
    VersionInfo second = store.commit(1, SampleDefinitions.sample(2), "bo", "", time(2));

    assertThatThrownBy(() -> store.commit(1, SampleDefinitions.sample(3), "cy", "", time(3)))
        .isInstanceOf(RegistryConflictException.class)
        .hasMessageContaining("2");
    assertThatThrownBy(() -> store.commit(0, SampleDefinitions.sample(4), "cy", "", time(3)))
        .isInstanceOf(RegistryConflictException.class);

    assertThat(store.head()).contains(second);
    assertThat(store.log()).hasSize(2);
    assertThat(store.read(2).definitions()).isEqualTo(SampleDefinitions.sample(2));
  }

  @Test
  public void conflictMessageNamesWhoWonAndWhatToDo() {
    store.commit(0, SampleDefinitions.sample(1), "ana", "", time(1));

    assertThatThrownBy(() -> store.commit(0, SampleDefinitions.sample(2), "bo", "", time(2)))
        .isInstanceOf(RegistryConflictException.class)
        .hasMessage("registry version 1 was applied by ana at " + time(1) + " while you planned against 0; run plan"
            + " again");
  }

  @Test
  public void expectedHeadBeyondTheHeadConflictsAndLeavesNoGap() {
    store.commit(0, SampleDefinitions.sample(1), "ana", "", time(1));

    assertThatThrownBy(() -> store.commit(5, SampleDefinitions.sample(2), "bo", "", time(2)))
        .isInstanceOf(RegistryConflictException.class)
        .hasMessageStartingWith("you planned against registry version 5 but the registry at ")
        .hasMessageEndingWith(" is at version 1; run plan again");
    store.commit(1, SampleDefinitions.sample(2), "bo", "", time(2));

    assertThat(store.log()).extracting(VersionInfo::version).containsExactly(2L, 1L);
    assertThatThrownBy(() -> store.read(6)).isInstanceOf(NotFoundException.class);
  }

  @Test
  public void aRetryOnTheNewHeadSucceeds() {
    store.commit(0, SampleDefinitions.sample(1), "ana", "", time(1));
    assertThatThrownBy(() -> store.commit(0, SampleDefinitions.sample(2), "bo", "", time(2)))
        .isInstanceOf(RegistryConflictException.class);

    long head = store.head().orElseThrow().version();
    VersionInfo retried = store.commit(head, SampleDefinitions.sample(2), "bo", "", time(2));

    assertThat(retried.version()).isEqualTo(2);
    assertThat(retried.parent()).isEqualTo(1);
  }

  // ---- concurrency ------------------------------------------------------------------------------

  @Test
  @Timeout(60)
  public void concurrentCommitsOnTheSameHeadHaveExactlyOneWinner() throws Exception {
    store.commit(0, SampleDefinitions.sample(), "setup", "", time(0));

    List<Outcome> outcomes = race(1, 1, 0);

    List<Outcome> winners = outcomes.stream().filter(o -> o.won != null).toList();
    assertThat(winners).hasSize(1);
    assertThat(outcomes).filteredOn(o -> o.won == null).hasSize(THREADS - 1);
    assertThat(store.head().orElseThrow().version()).isEqualTo(2);
    assertThat(store.read(2).definitions()).isEqualTo(winners.getFirst().definitions);
    assertThat(store.read(2).info()).isEqualTo(winners.getFirst().won);
  }

  @Test
  @Timeout(120)
  public void repeatedRacesNeverLoseOrDuplicateAVersion() throws Exception {
    int rounds = 20;
    Map<Long, Outcome> winnerOf = new HashMap<>();
    for (int round = 1; round <= rounds; round++) {
      List<Outcome> outcomes = race(round, round - 1, round * 1000);
      List<Outcome> winners = outcomes.stream().filter(o -> o.won != null).toList();
      assertThat(winners).as("winners of round %d", round).hasSize(1);
      winnerOf.put(winners.getFirst().won.version(), winners.getFirst());
    }

    assertThat(store.log())
        .extracting(VersionInfo::version)
        .containsExactlyElementsOf(LongStream.iterate(rounds, v -> v >= 1, v -> v - 1).boxed().toList());
    for (long v = 1; v <= rounds; v++) {
      RegistrySnapshot snapshot = store.read(v);
      assertThat(snapshot.info()).isEqualTo(winnerOf.get(v).won);
      assertThat(snapshot.definitions()).isEqualTo(winnerOf.get(v).definitions);
    }
  }

  @Test
  @Timeout(120)
  public void writersThatRetryOnConflictAllLandWithoutGaps() throws Exception {
    int perWriter = 6;
    List<RegistryStore> stores = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      stores.add(t % 2 == 0 ? store : reopened()); // some writers share an instance, some do not
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
    assertThat(store.head().orElseThrow().version()).isEqualTo(total);
    assertThat(store.log()).hasSize((int) total);
    for (VersionInfo won : all) {
      assertThat(store.read(won.version()).info()).isEqualTo(won);
    }
  }

  /** One racer of {@link #race}: what it committed and, if it won, the record it got. */
  private record Outcome(Definitions definitions, VersionInfo won) {}

  /**
   * {@link #THREADS} threads commit different definitions on {@code expectedHead} at once; each
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
              return new Outcome(mine, store.commit(expectedHead, mine, author, "round " + round, time(round)));
            } catch (RegistryConflictException lost) {
              return new Outcome(mine, null);
            }
          });
    }
    return runAll(racers);
  }

  private static <T> List<T> runAll(List<Callable<T>> tasks) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (Callable<T> task : tasks) {
        futures.add(pool.submit(task));
      }
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(f.get(60, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  // ---- durability -------------------------------------------------------------------------------

  @Test
  public void dataSurvivesReopen() {
    for (int v = 1; v <= 3; v++) {
      store.commit(v - 1, SampleDefinitions.sample(v), "ana", "change " + v, time(v));
    }
    List<VersionInfo> log = store.log();
    store.close();

    RegistryStore again = reopened();

    assertThat(again.head()).contains(log.getFirst());
    assertThat(again.log()).isEqualTo(log);
    for (int v = 1; v <= 3; v++) {
      assertThat(again.read(v).definitions()).isEqualTo(SampleDefinitions.sample(v));
    }
    VersionInfo fourth = again.commit(3, SampleDefinitions.sample(4), "bo", "", time(4));
    assertThat(fourth.version()).isEqualTo(4);
  }

  @Test
  public void tableSourceSettingsSurviveACommitAndReopen() {
    Definitions base = SampleDefinitions.sample(1);
    List<dev.quiver.core.model.Source> sources = new ArrayList<>(base.sources());
    sources.add(new dev.quiver.core.model.FileSource("events", "data/events/", dev.quiver.core.model.FileFormat.PARQUET,
        "day", null, null, null, dev.quiver.core.model.TableSettings.DEFAULT
            .withPartitioning(dev.quiver.core.model.Partitioning.HIVE, Map.of("day", dev.quiver.core.model.ScalarType.TIMESTAMP))
            .withTimestampFormat(dev.quiver.core.model.TimestampFormat.parse("yyyy-MM-dd"))));
    sources.add(new dev.quiver.core.model.FileSource("orders", "sales.orders", dev.quiver.core.model.FileFormat.PARQUET,
        "ts", null, null, null, dev.quiver.core.model.TableSettings.DEFAULT
            .withSchema(new java.util.LinkedHashMap<>(Map.of("ts", dev.quiver.core.model.ScalarType.INT64)))
            .withTimestampFormat(dev.quiver.core.model.TimestampFormat.parse("epoch_millis"))
            .withIceberg(new dev.quiver.core.model.IcebergTable("sales.orders", Map.of("type", "rest", "uri", "http://c:8181")))));
    Definitions withTables = new Definitions(base.project(), base.entities(), sources, base.views(), base.onDemandViews(),
        base.services());
    store.commit(0, withTables, "ana", "table sources", time(1));
    store.close();

    RegistrySnapshot back = reopened().read(1);

    assertThat(back.definitions()).isEqualTo(withTables);
    assertThat(back.definitions().source("orders").map(s -> s.batch().table().iceberg().table())).contains("sales.orders");
  }

  @Test
  public void instancesOverTheSameStorageSeeEachOther() {
    RegistryStore other = reopened();

    store.commit(0, SampleDefinitions.sample(1), "ana", "", time(1));

    assertThat(other.head().map(VersionInfo::version)).contains(1L);
    assertThatThrownBy(() -> other.commit(0, SampleDefinitions.sample(2), "bo", "", time(2)))
        .isInstanceOf(RegistryConflictException.class);
    other.commit(1, SampleDefinitions.sample(2), "bo", "", time(2));
    assertThat(store.read(2).definitions()).isEqualTo(SampleDefinitions.sample(2));
    assertThat(store.log()).extracting(VersionInfo::version).containsExactly(2L, 1L);
  }

  // ---- datasets ---------------------------------------------------------------------------------

  @Test
  public void emptyStoreHasNoDatasets() {
    assertThat(store.datasets()).isEmpty();
    assertThat(store.dataset("fraud_train")).isEmpty();
  }

  @Test
  public void savedDatasetsAreReadBackEqual() {
    DatasetRecord files = SampleDatasets.sample("fraud_train", 0, "ana", time(1));
    DatasetRecord sql = SampleDatasets.sample("fraud_eval", 1, "bo", time(2));

    store.saveDataset(files);
    store.saveDataset(sql);

    assertThat(store.dataset("fraud_train")).contains(files);
    assertThat(store.dataset("fraud_eval")).contains(sql);
    assertThat(store.dataset("fraud_test")).isEmpty();
    assertThat(store.datasets()).containsExactly(files, sql);
  }

  @Test
  public void datasetsAreListedOldestFirstThenByName() {
    DatasetRecord newest = SampleDatasets.sample("a_newest", 1, "ana", time(3));
    DatasetRecord oldest = SampleDatasets.sample("z_oldest", 2, "ana", time(1));
    DatasetRecord tieB = SampleDatasets.sample("b_tie", 3, "bo", time(2));
    DatasetRecord tieA = SampleDatasets.sample("a_tie", 4, "cy", time(2));
    for (DatasetRecord d : List.of(newest, tieB, oldest, tieA)) {
      store.saveDataset(d);
    }

    assertThat(store.datasets()).containsExactly(oldest, tieA, tieB, newest);
  }

  @Test
  public void aDuplicateDatasetNameIsRefusedAndNothingChanges() {
    DatasetRecord first = SampleDatasets.sample("fraud_train", 0, "ana", time(1));
    store.saveDataset(first);
    DatasetRecord second = SampleDatasets.sample("fraud_train", 1, "bo", time(2));

    assertThatThrownBy(() -> store.saveDataset(second))
        .isInstanceOf(QuiverException.class)
        .hasMessage(
            "dataset 'fraud_train' already exists (saved by ana at "
                + time(1)
                + "); choose another name");
    assertThatThrownBy(() -> store.saveDataset(first)).isInstanceOf(QuiverException.class);

    assertThat(store.dataset("fraud_train")).contains(first);
    assertThat(store.datasets()).containsExactly(first);
    assertThat(reopened().dataset("fraud_train")).contains(first);
  }

  @Test
  public void invalidDatasetNamesAreRefusedWithTheRule() {
    List<String> invalid =
        List.of("", "1st", "fraud-train", "fraud train", "../versions/x", "a/b", "a.json", "naïve",
            "x".repeat(129));
    for (String name : invalid) {
      assertThatThrownBy(() -> store.saveDataset(SampleDatasets.sample(name)))
          .as("name '%s'", name)
          .isInstanceOf(QuiverException.class)
          .hasMessageContaining(Names.rule());
      assertThat(store.dataset(name)).as("name '%s'", name).isEmpty();
    }

    assertThat(store.datasets()).isEmpty();
    DatasetRecord longest = SampleDatasets.sample("_" + "x".repeat(127));
    store.saveDataset(longest);
    assertThat(store.datasets()).containsExactly(longest);
  }

  @Test
  public void datasetNamesAreCaseSensitiveOrRefusedNeverMixedUp() {
    DatasetRecord lower = SampleDatasets.sample("train", 0, "ana", time(1));
    DatasetRecord upper = SampleDatasets.sample("Train", 1, "bo", time(2));
    store.saveDataset(lower);

    try {
      store.saveDataset(upper);
      assertThat(store.dataset("Train")).contains(upper);
      assertThat(store.datasets()).containsExactly(lower, upper);
    } catch (QuiverException caseInsensitive) {
      assertThat(caseInsensitive).hasMessageContaining("choose another name");
      assertThat(store.dataset("Train")).isEmpty();
      assertThat(store.datasets()).containsExactly(lower);
    }
    assertThat(store.dataset("train")).contains(lower);
  }

  @Test
  public void datasetsAndVersionsAreIndependent() {
    store.commit(0, SampleDefinitions.sample(1), "ana", "", time(1));
    DatasetRecord d = SampleDatasets.sample("fraud_model", 0, "ana", time(2));

    store.saveDataset(d);
    VersionInfo second = store.commit(1, SampleDefinitions.sample(2), "ana", "", time(3));

    assertThat(store.head()).contains(second);
    assertThat(store.log()).hasSize(2);
    assertThat(store.datasets()).containsExactly(d);
  }

  @Test
  @Timeout(60)
  public void concurrentSavesOfOneNameHaveExactlyOneWinner() throws Exception {
    for (int round = 0; round < 5; round++) {
      String name = "race_" + round;
      List<RegistryStore> stores = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        stores.add(t % 2 == 0 ? store : reopened());
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
    assertThat(store.datasets()).hasSize(5);
  }

  @Test
  @Timeout(60)
  public void concurrentSavesOfDifferentNamesAllLand() throws Exception {
    List<Callable<DatasetRecord>> savers = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      RegistryStore via = t % 2 == 0 ? store : reopened();
      DatasetRecord mine = SampleDatasets.sample("set_" + t, t, "writer-" + t, time(t));
      savers.add(
          () -> {
            via.saveDataset(mine);
            return mine;
          });
    }

    List<DatasetRecord> saved = runAll(savers);

    assertThat(store.datasets()).containsExactlyElementsOf(saved);
  }

  @Test
  public void datasetsSurviveReopen() {
    DatasetRecord a = SampleDatasets.sample("fraud_train", 0, "ana", time(1));
    DatasetRecord b = SampleDatasets.sample("fraud_eval", 1, "bo", time(2));
    store.saveDataset(a);
    store.saveDataset(b);
    store.close();

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
  public void instancesOverTheSameStorageSeeEachOthersDatasets() {
    RegistryStore other = reopened();
    assertThat(other.datasets()).isEmpty();

    DatasetRecord d = SampleDatasets.sample("fraud_train");
    store.saveDataset(d);

    assertThat(other.dataset("fraud_train")).contains(d);
    assertThat(other.datasets()).containsExactly(d);
    assertThatThrownBy(() -> other.saveDataset(SampleDatasets.sample("fraud_train", 1, "bo", time(1))))
        .isInstanceOf(QuiverException.class);
  }

  // ---- watermarks -------------------------------------------------------------------------------

  /** A watermark of {@code view} ending at hour {@code endHour} after {@link #time(int) time(0)}. */
  protected static Watermark watermark(String view, int endHour, String author) {
    return new Watermark(view, time(endHour), 7, author, time(endHour).plusSeconds(60));
  }

  @Test
  public void emptyStoreHasNoWatermarks() {
    assertThat(store.watermark("user_txn@v1")).isEmpty();
    assertThat(store.watermarks()).isEmpty();
  }

  @Test
  public void theFirstAdvanceSetsTheWatermark() {
    Watermark first = watermark("user_txn@v2", 5, "ana");

    assertThat(store.advanceWatermark(first)).isEqualTo(first);

    assertThat(store.watermark("user_txn@v2")).contains(first);
    assertThat(store.watermark("user_txn@v1")).isEmpty();
    assertThat(store.watermarks()).containsExactly(first);
  }

  @Test
  public void aResetRemovesOneWatermarkSoAnEarlierEndCanBeRecorded() {
    Watermark future = watermark("user_txn@v2", 9000, "ana");
    Watermark other = watermark("user_txn@v1", 5, "ana");
    store.advanceWatermark(future);
    store.advanceWatermark(other);

    assertThat(store.resetWatermark("user_txn@v2")).contains(future);

    assertThat(store.watermark("user_txn@v2")).isEmpty();
    assertThat(reopened().watermark("user_txn@v2")).isEmpty();
    assertThat(store.watermarks()).containsExactly(other);
    assertThat(store.resetWatermark("user_txn@v2")).as("a second reset finds nothing").isEmpty();
    Watermark earlier = watermark("user_txn@v2", 3, "bo");
    assertThat(store.advanceWatermark(earlier)).isEqualTo(earlier);
    assertThat(store.watermark("user_txn@v2")).contains(earlier);
    assertThatThrownBy(() -> store.resetWatermark("user_txn")).isInstanceOf(QuiverException.class);
  }

  @Test
  public void anEarlierOrEqualEndIsIgnoredAndTheStoredWatermarkReturned() {
    Watermark stored = watermark("user_txn@v2", 5, "ana");
    store.advanceWatermark(stored);

    Watermark earlier = new Watermark("user_txn@v2", time(4), 9, "bo", time(9));
    Watermark sameEnd = new Watermark("user_txn@v2", stored.end(), 7, "cy", time(9));
    Watermark sameEndOlderDefinitions = new Watermark("user_txn@v2", stored.end(), 6, "dee", time(9));

    assertThat(store.advanceWatermark(earlier)).as("an earlier end, even under later definitions").isEqualTo(stored);
    assertThat(store.advanceWatermark(sameEnd)).isEqualTo(stored);
    assertThat(store.advanceWatermark(sameEndOlderDefinitions)).isEqualTo(stored);
    assertThat(store.watermark("user_txn@v2")).contains(stored);
    assertThat(reopened().watermark("user_txn@v2")).contains(stored);
  }

  @Test
  public void theSameEndUnderALaterRegistryVersionMovesTheWatermark() {
    Watermark stored = watermark("user_txn@v2", 5, "ana");
    store.advanceWatermark(stored);
    Watermark rerun = new Watermark("user_txn@v2", stored.end(), stored.registryVersion() + 1, "bo", time(6));

    assertThat(store.advanceWatermark(rerun)).isEqualTo(rerun);
    assertThat(store.watermark("user_txn@v2")).contains(rerun);
    assertThat(reopened().watermark("user_txn@v2")).contains(rerun);
  }

  @Test
  public void aLaterEndMovesTheWatermark() {
    store.advanceWatermark(watermark("user_txn@v2", 5, "ana"));
    Watermark later = new Watermark("user_txn@v2", time(5).plusNanos(1000), 8, "bo", time(6));

    assertThat(store.advanceWatermark(later)).isEqualTo(later);

    assertThat(store.watermark("user_txn@v2")).contains(later);
    assertThat(store.watermarks()).containsExactly(later);
  }

  @Test
  public void watermarksAreListedByViewNameThenVersion() {
    Watermark v10 = watermark("user_txn@v10", 1, "ana");
    Watermark v2 = watermark("user_txn@v2", 2, "ana");
    Watermark merchant = watermark("merchant@v1", 3, "bo");
    Watermark underscore = watermark("_a@v3", 4, "cy");
    Watermark longer = watermark("user_txn_daily@v1", 5, "cy");
    for (Watermark w : List.of(v10, longer, merchant, v2, underscore)) {
      store.advanceWatermark(w);
    }

    assertThat(store.watermarks()).containsExactly(underscore, merchant, v2, v10, longer);
  }

  @Test
  public void watermarksOfDifferentViewsAreIndependent() {
    store.advanceWatermark(watermark("user_txn@v1", 9, "ana"));
    Watermark v2 = watermark("user_txn@v2", 1, "ana");

    assertThat(store.advanceWatermark(v2)).isEqualTo(v2);
    store.advanceWatermark(watermark("user_txn@v1", 3, "bo"));

    assertThat(store.watermark("user_txn@v1")).contains(watermark("user_txn@v1", 9, "ana"));
    assertThat(store.watermark("user_txn@v2")).contains(v2);
  }

  @Test
  public void watermarksVersionsAndDatasetsAreIndependent() {
    store.commit(0, SampleDefinitions.sample(1), "ana", "", time(1));
    store.saveDataset(SampleDatasets.sample("fraud_train", 0, "ana", time(2)));
    Watermark w = watermark("user_txn@v1", 3, "ana");

    store.advanceWatermark(w);

    assertThat(store.log()).hasSize(1);
    assertThat(store.datasets()).hasSize(1);
    assertThat(store.watermarks()).containsExactly(w);
    assertThat(store.commit(1, SampleDefinitions.sample(2), "ana", "", time(4)).version()).isEqualTo(2);
  }

  @Test
  public void watermarksSurviveReopenAndInstancesSeeEachOther() {
    RegistryStore other = reopened();
    Watermark a = watermark("user_txn@v1", 1, "ana");
    Watermark b = watermark("merchant@v1", 2, "bo");
    store.advanceWatermark(a);
    store.advanceWatermark(b);

    assertThat(other.watermark("user_txn@v1")).contains(a);
    assertThat(other.advanceWatermark(watermark("user_txn@v1", 0, "cy"))).isEqualTo(a);
    Watermark later = watermark("user_txn@v1", 5, "cy");
    other.advanceWatermark(later);
    store.close();

    RegistryStore again = reopened();

    assertThat(again.watermark("user_txn@v1")).contains(later);
    assertThat(again.watermarks()).containsExactly(b, later);
  }

  @Test
  @Timeout(60)
  public void concurrentAdvancesNeverMoveBackAndEndAtTheLatest() throws Exception {
    int perThread = 40;
    List<String> views = List.of("user_txn@v1", "merchant@v2");
    Random seeds = new Random(20240501);
    CyclicBarrier start = new CyclicBarrier(THREADS);
    List<Callable<List<Watermark[]>>> advancers = new ArrayList<>();
    List<Watermark> proposedAll = Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < THREADS; t++) {
      RegistryStore via = t % 2 == 0 ? store : reopened();
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
      Watermark stored = store.watermark(view).orElseThrow();
      assertThat(stored.end()).as("watermark of %s", view).isEqualTo(latest);
      assertThat(proposedAll).contains(stored);
      assertThat(reopened().watermark(view)).contains(stored);
    }
  }

  @Test
  public void invalidViewNamesAreRefused() {
    List<String> invalid =
        List.of("", "user_txn", "user_txn@2", "user_txn@v", "user_txn@v0", "user_txn@v02", "user_txn@V2",
            "user_txn@v-1", "1st@v1", "user-txn@v1", "user txn@v1", "../versions/x@v1", "a/b@v1",
            "a\\b@v1", "user_txn@v1.json", "naïve@v1", "user_txn@v2:amount", "x".repeat(129) + "@v1");
    for (String view : invalid) {
      assertThatThrownBy(() -> store.advanceWatermark(watermark(view, 1, "ana")))
          .as("view '%s'", view)
          .isInstanceOf(QuiverException.class)
          .hasMessageContaining("'" + view + "'")
          .hasMessageContaining("name@vN");
      assertThatThrownBy(() -> store.watermark(view))
          .as("view '%s'", view)
          .isInstanceOf(QuiverException.class)
          .hasMessageContaining("name@vN");
    }

    assertThat(store.watermarks()).isEmpty();
    Watermark longest = watermark("_" + "x".repeat(127) + "@v999999999", 1, "ana");
    store.advanceWatermark(longest);
    assertThat(store.watermarks()).containsExactly(longest);
  }

  @Test
  public void closeIsIdempotent() {
    store.commit(0, SampleDefinitions.sample(), "ana", "", time(1));

    store.close();
    store.close();
  }

  // ---- validation rules and results (docs/validation.md) -------------------------------------

  /** The sample with validation rules of every kind on {@code user_txn}. */
  protected static Definitions withRules() {
    Definitions d = SampleDefinitions.sample();
    List<dev.quiver.core.model.FeatureView> views = new ArrayList<>();
    for (dev.quiver.core.model.FeatureView v : d.views()) {
      views.add(!v.name().equals("user_txn") ? v : v.withRules(List.of(
          new dev.quiver.core.model.ValidationRule.NotNull("last_country", null, dev.quiver.core.model.OnFail.FAIL),
          new dev.quiver.core.model.ValidationRule.NotNull("last_country", 0.05, dev.quiver.core.model.OnFail.WARN),
          new dev.quiver.core.model.ValidationRule.Min("last_country", new java.math.BigDecimal("-1.5"),
              dev.quiver.core.model.OnFail.WARN),
          new dev.quiver.core.model.ValidationRule.Max("last_country", new java.math.BigDecimal("1e3"),
              dev.quiver.core.model.OnFail.SKIP_ROW),
          new dev.quiver.core.model.ValidationRule.Allowed("last_country", List.of("US", "FR"),
              dev.quiver.core.model.OnFail.SKIP_ROW),
          new dev.quiver.core.model.ValidationRule.Pattern("last_country", "^[A-Z]{2}$", dev.quiver.core.model.OnFail.WARN),
          new dev.quiver.core.model.ValidationRule.Expr("last_country", "last_country <> 'XX'", dev.quiver.core.model.OnFail.FAIL),
          new dev.quiver.core.model.ValidationRule.RowCount(null, 10L, dev.quiver.core.model.OnFail.FAIL),
          new dev.quiver.core.model.ValidationRule.Freshness(java.time.Duration.ofMinutes(90),
              dev.quiver.core.model.OnFail.WARN))));
    }
    return new Definitions(d.project(), d.entities(), d.sources(), views, d.onDemandViews(), d.services(), d.permissions());
  }

  @Test
  public void validationRulesAreKeptWithTheirView() {
    Definitions rules = withRules();
    store.commit(0, rules, "ana", "rules", time(1));
    store.commit(1, SampleDefinitions.sample(), "ana", "no rules", time(2));
    assertThat(track(reopen()).read(1).definitions()).isEqualTo(rules);
    assertThat(store.read(2).definitions()).isEqualTo(SampleDefinitions.sample());
    assertThat(RegistryCodec.contentHash(rules)).isNotEqualTo(RegistryCodec.contentHash(SampleDefinitions.sample()));
  }

  private static dev.quiver.core.quality.RuleResult result(int i, String view, String feature) {
    return new dev.quiver.core.quality.RuleResult(T0.plusSeconds(i), i % 2 == 0 ? "materialize" : "push", view, feature,
        feature == null ? "row_count" : "min", feature == null ? "1.." : "0", "skip_row", 100 + i, i,
        i == 0 ? List.of() : List.of("-" + i, "\"quoted\"\nline"),
        dev.quiver.core.quality.RuleResult.Outcome.values()[i % 4]);
  }

  @Test
  public void validationResultsReadBackExactlyAndFilter() {
    dev.quiver.core.quality.ValidationLog log = store.validationLog();
    assertThat(log.read(Instant.EPOCH, null, 100)).isEmpty();
    List<dev.quiver.core.quality.RuleResult> all = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      List<dev.quiver.core.quality.RuleResult> run = List.of(result(i, i < 3 ? "user_txn@v1" : "user_txn@v2", "amount"),
          result(i, "merchant@v1", null));
      log.append(run);
      all.addAll(run);
    }
    dev.quiver.core.quality.ValidationLog other = track(reopen()).validationLog();
    assertThat(other.read(Instant.EPOCH, null, 100)).isEqualTo(all);
    assertThat(other.read(T0.plusSeconds(4), null, 100)).isEqualTo(all.subList(8, 12));
    assertThat(other.read(Instant.EPOCH, "user_txn", 100)).extracting(dev.quiver.core.quality.RuleResult::view)
        .containsOnly("user_txn@v1", "user_txn@v2").hasSize(6);
    assertThat(other.read(Instant.EPOCH, "user_txn@v2", 100)).hasSize(3);
    assertThat(other.read(Instant.EPOCH, "user", 100)).isEmpty();
    assertThat(other.read(Instant.EPOCH, null, 3)).isEqualTo(all.subList(0, 3));
    assertThatThrownBy(() -> other.read(Instant.EPOCH, null, -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  public void concurrentValidationAppendsLoseNothingAndKeepEachRunWhole() throws Exception {
    store.validationLog().append(List.of(result(0, "first@v1", "a"))); // the log exists before the race
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CyclicBarrier start = new CyclicBarrier(THREADS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        RegistryStore s = track(reopen());
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < 10; i++) {
            String view = "t" + thread + "_" + i + "@v1";
            s.validationLog().append(List.of(result(1, view, "a"), result(2, view, "b"), result(3, view, null)));
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    List<dev.quiver.core.quality.RuleResult> read = store.validationLog().read(Instant.EPOCH, null, 10_000);
    assertThat(read).hasSize(1 + THREADS * 10 * 3);
    Map<String, List<String>> byRun = new HashMap<>(); // each run whole, its results in their order
    for (dev.quiver.core.quality.RuleResult r : read.subList(1, read.size())) {
      byRun.computeIfAbsent(r.view(), v -> new ArrayList<>()).add(String.valueOf(r.feature()));
    }
    assertThat(byRun).hasSize(THREADS * 10);
    assertThat(byRun.values()).allSatisfy(features -> assertThat(features).containsExactly("a", "b", "null"));
  }

  // ---- skew results (docs/monitoring.md, "Skew") ---------------------------------------------

  private static dev.quiver.core.monitor.SkewResult skew(int i, String service, String feature) {
    return new dev.quiver.core.monitor.SkewResult(T0.plusSeconds(i), service, feature,
        i % 3 == 0 ? null : T0.minusSeconds(3600 + i), i % 2 == 0 ? null : T0.plusNanos(1_000 + i), 1_000 + i, i,
        i == 0 ? List.of() : List.of("user_id=" + i + " at " + T0 + ": served 1.5 (PRESENT), offline 2.5", "\"quoted\"\nline"));
  }

  @Test
  public void skewResultsReadBackExactlyAndFilter() {
    dev.quiver.core.monitor.SkewLog log = store.skewLog();
    assertThat(log.read(Instant.EPOCH, null, 100)).isEmpty();
    List<dev.quiver.core.monitor.SkewResult> all = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      List<dev.quiver.core.monitor.SkewResult> run = List.of(skew(i, i < 3 ? "fraud" : "fraud_v2", "user_txn__amount"),
          skew(i, i < 3 ? "fraud" : "fraud_v2", "risk__ratio"));
      log.append(run);
      all.addAll(run);
    }
    log.append(List.of());
    dev.quiver.core.monitor.SkewLog other = track(reopen()).skewLog();
    assertThat(other.read(Instant.EPOCH, null, 100)).isEqualTo(all);
    assertThat(other.read(T0.plusSeconds(4), null, 100)).isEqualTo(all.subList(8, 12));
    assertThat(other.read(Instant.EPOCH, "fraud", 100)).isEqualTo(all.subList(0, 6));
    assertThat(other.read(Instant.EPOCH, "fraud_v2", 100)).isEqualTo(all.subList(6, 12));
    assertThat(other.read(Instant.EPOCH, "fra", 100)).isEmpty();
    assertThat(other.read(Instant.EPOCH, null, 3)).isEqualTo(all.subList(0, 3));
    assertThat(other.read(Instant.EPOCH, null, 0)).isEmpty();
    assertThatThrownBy(() -> other.read(Instant.EPOCH, null, -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  public void concurrentSkewAppendsLoseNothingAndKeepEachRunWhole() throws Exception {
    store.skewLog().append(List.of(skew(0, "first", "a"))); // the log exists before the race
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CyclicBarrier start = new CyclicBarrier(THREADS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        RegistryStore s = track(reopen());
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < 10; i++) {
            String service = "t" + thread + "_" + i;
            s.skewLog().append(List.of(skew(1, service, "a"), skew(2, service, "b"), skew(3, service, "c")));
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    List<dev.quiver.core.monitor.SkewResult> read = store.skewLog().read(Instant.EPOCH, null, 10_000);
    assertThat(read).hasSize(1 + THREADS * 10 * 3);
    Map<String, List<String>> byRun = new HashMap<>(); // each run whole, its results in their order
    for (dev.quiver.core.monitor.SkewResult r : read.subList(1, read.size())) {
      byRun.computeIfAbsent(r.service(), v -> new ArrayList<>()).add(r.feature());
    }
    assertThat(byRun).hasSize(THREADS * 10);
    assertThat(byRun.values()).allSatisfy(features -> assertThat(features).containsExactly("a", "b", "c"));
  }
}
