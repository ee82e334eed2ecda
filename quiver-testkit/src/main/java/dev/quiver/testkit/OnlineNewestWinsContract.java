package dev.quiver.testkit;

import static dev.quiver.testkit.OnlineFixtures.T0;
import static dev.quiver.testkit.OnlineFixtures.TABLE;
import static dev.quiver.testkit.OnlineFixtures.assertValues;
import static dev.quiver.testkit.OnlineFixtures.entry;
import static dev.quiver.testkit.OnlineFixtures.permutations;
import static dev.quiver.testkit.OnlineFixtures.row;
import static dev.quiver.testkit.OnlineFixtures.userKey;
import static dev.quiver.testkit.OnlineFixtures.writer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.OnlineStore.Entry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Newest wins by order key (event time, then created time): with {@link
 * OnlineStore#multiPutIfNewer} an older or equal order key never overwrites and a newer one does,
 * whatever the order of arrival and across the epoch; {@link OnlineStore#multiPutIfNotOlder} (a
 * refill) also replaces an equal one; several entries of one key in one batch are applied as if in
 * sequence (the count returned is that of the sequence) and end at the maximum.
 *
 * <p>An implementation provides nothing beyond {@link OnlineStoreContract}'s {@code newStore()}.
 */
public interface OnlineNewestWinsContract extends OnlineContractPart {
  @Test
  default void anOlderOrEqualRowNeverOverwritesANewerOneDoes() {
    store().createTable(TABLE);
    byte[] k = userKey(42);

    assertThat(store().multiPutIfNewer(TABLE, List.of(entry(k, row(10, 5L, 1))))).isEqualTo(1);
    assertThat(store().multiPutIfNewer(TABLE, List.of(entry(k, row(9, 99L, 2))))).as("late backfill").isZero();
    assertThat(store().multiPutIfNewer(TABLE, List.of(entry(k, row(10, 5L, 3))))).as("equal order key").isZero();
    assertThat(store().multiPutIfNewer(TABLE, List.of(entry(k, row(10, null, 4))))).as("no created time").isZero();
    assertValues(store().multiGet(TABLE, List.of(k)), List.of(row(10, 5L, 1)), "after older writes");

    assertThat(store().multiPutIfNewer(TABLE, List.of(entry(k, row(10, 6L, 5))))).as("created later").isEqualTo(1);
    assertValues(store().multiGet(TABLE, List.of(k)), List.of(row(10, 6L, 5)), "after a later created time");

    assertThat(store().multiPutIfNewer(TABLE, List.of(entry(k, row(11, null, 6))))).as("newer event").isEqualTo(1);
    assertValues(store().multiGet(TABLE, List.of(k)), List.of(row(11, null, 6)), "after a newer event");
  }

  @Test
  default void aRefillReplacesAnEqualRowButNeverANewerOne() {
    store().createTable(TABLE);
    byte[] k = userKey(43);
    byte[] other = userKey(44);
    store().multiPutIfNewer(TABLE, List.of(entry(k, row(10, 5L, 1))));

    assertThat(store().multiPutIfNotOlder(TABLE, List.of(entry(k, row(10, 5L, 2))))).as("equal order key").isEqualTo(1);
    assertValues(store().multiGet(TABLE, List.of(k)), List.of(row(10, 5L, 2)), "after an equal refill");
    assertThat(store().multiPutIfNotOlder(TABLE, List.of(entry(k, row(9, 99L, 3))))).as("older").isZero();
    assertThat(store().multiPutIfNotOlder(TABLE, List.of(entry(k, row(10, null, 4))))).as("no created time").isZero();
    assertValues(store().multiGet(TABLE, List.of(k)), List.of(row(10, 5L, 2)), "after older refills");
    assertThat(store().multiPutIfNotOlder(TABLE, List.of(entry(k, row(10, 6L, 5))))).as("created later").isEqualTo(1);
    // in one call, as in sequence: of equal rows the last wins; an absent key is written
    assertThat(store().multiPutIfNotOlder(TABLE, List.of(entry(k, row(10, 6L, 6)), entry(k, row(10, 6L, 7)),
        entry(k, row(8, null, 8)), entry(other, row(1, null, 9))))).isEqualTo(3);
    assertValues(store().multiGet(TABLE, List.of(k, other)), List.of(row(10, 6L, 7), row(1, null, 9)), "after one call");
    assertThat(store().multiPutIfNewer(TABLE, List.of(entry(k, row(10, 6L, 10))))).as("plain writes still keep equal rows").isZero();
  }

  @Test
  default void orderKeysCompareAsTimesAcrossTheEpochAndEveryByte() {
    store().createTable(TABLE);
    byte[] k = userKey(1);
    // increasing times whose order keys differ in the sign bit, in the last byte, and by one microsecond
    List<Instant> increasing = List.of(
        Instant.parse("1900-01-01T00:00:00Z"), Instant.EPOCH.minusNanos(1000), Instant.EPOCH,
        Instant.EPOCH.plusNanos(1000), Instant.EPOCH.plusNanos(256_000), T0, T0.plusNanos(1000),
        Instant.parse("2262-04-11T00:00:00Z"));

    for (int i = increasing.size() - 1; i >= 0; i--) {
      Instant t = increasing.get(i);
      int written = store().multiPutIfNewer(TABLE, List.of(entry(k, row(t, null, i, new byte[0]))));
      assertThat(written).as("writing %s after every newer time", t).isEqualTo(i == increasing.size() - 1 ? 1 : 0);
    }
    store().dropTable(TABLE);
    store().createTable(TABLE);
    for (int i = 0; i < increasing.size(); i++) {
      Instant t = increasing.get(i);
      assertThat(store().multiPutIfNewer(TABLE, List.of(entry(k, row(t, null, i, new byte[0])))))
          .as("writing %s after the time before it", t).isEqualTo(1);
    }
    assertThat(writer(store().multiGet(TABLE, List.of(k)).get(0))).isEqualTo(increasing.size() - 1);
  }

  @Test
  default void arrivalOrderDoesNotMatter() {
    store().createTable(TABLE);
    List<byte[]> versions = List.of(row(10, null, 1), row(10, 3L, 2), row(20, 1L, 3), row(30, null, 4));
    List<List<Integer>> orders = permutations(List.of(0, 1, 2, 3));
    for (int p = 0; p < orders.size(); p++) {
      for (int i : orders.get(p)) {
        store().multiPutIfNewer(TABLE, List.of(entry(userKey(p), versions.get(i))));
      }
    }
    for (int p = 0; p < orders.size(); p++) {
      assertValues(store().multiGet(TABLE, List.of(userKey(p))), List.of(versions.get(3)), "arrival order " + orders.get(p));
    }
  }

  @Test
  default void severalEntriesOfOneKeyInOneBatchAreAppliedAsIfInSequence() {
    store().createTable(TABLE);
    byte[] k = userKey(7);

    // in sequence: 30 written, 10 not, 50 written, 20 not, the second 50 (equal) not
    int written = store().multiPutIfNewer(TABLE, List.of(
        entry(k, row(30, null, 1)), entry(k, row(10, null, 2)), entry(k, row(50, null, 3)),
        entry(k, row(20, null, 4)), entry(k, row(50, null, 5))));

    assertThat(written).isEqualTo(2);
    assertValues(store().multiGet(TABLE, List.of(k)), List.of(row(50, null, 3)), "the first of the newest");

    // against a stored row: only the entries newer than it, and than each other, count
    written = store().multiPutIfNewer(TABLE, List.of(
        entry(k, row(40, null, 6)), entry(k, row(60, null, 7)), entry(k, row(55, null, 8)),
        entry(userKey(8), row(1, null, 9)), entry(k, row(70, null, 10))));

    assertThat(written).isEqualTo(3);
    assertValues(store().multiGet(TABLE, List.of(k, userKey(8))), List.of(row(70, null, 10), row(1, null, 9)), "keys");
  }

  @Test
  default void severalEntriesOfOneKeyInOneBatchInAnyOrderEndAtTheMax() {
    store().createTable(TABLE);
    List<byte[]> versions = List.of(row(10, null, 1), row(10, 1L, 2), row(11, null, 3), row(12, null, 4), row(12, 0L, 5));
    Random random = new Random(5);
    for (int trial = 0; trial < 30; trial++) {
      List<Entry> batch = new ArrayList<>();
      List<byte[]> keys = new ArrayList<>();
      List<byte[]> expected = new ArrayList<>();
      for (int k = 0; k < 20; k++) {
        byte[] key = userKey(1000L * trial + k);
        List<byte[]> shuffled = new ArrayList<>(versions);
        Collections.shuffle(shuffled, random);
        byte[] max = null;
        for (byte[] v : shuffled.subList(0, 1 + random.nextInt(versions.size()))) {
          batch.add(entry(key, v));
          max = max == null || writer(v) > writer(max) ? v : max; // writers grow with the order key
        }
        keys.add(key);
        expected.add(max);
      }
      Collections.shuffle(batch, random);

      store().multiPutIfNewer(TABLE, batch);

      assertValues(store().multiGet(TABLE, keys), expected, "the keys of shuffled batch " + trial);
    }
  }
}
