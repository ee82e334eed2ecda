package dev.quiver.testkit;

import static dev.quiver.testkit.OnlineFixtures.T0;
import static dev.quiver.testkit.OnlineFixtures.TABLE;
import static dev.quiver.testkit.OnlineFixtures.assertValues;
import static dev.quiver.testkit.OnlineFixtures.describe;
import static dev.quiver.testkit.OnlineFixtures.entry;
import static dev.quiver.testkit.OnlineFixtures.nulls;
import static dev.quiver.testkit.OnlineFixtures.outcomes;
import static dev.quiver.testkit.OnlineFixtures.row;
import static dev.quiver.testkit.OnlineFixtures.swap;
import static dev.quiver.testkit.OnlineFixtures.userKey;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.OnlineStore.Entry;
import dev.quiver.core.online.OnlineStore.Swap;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Compare-and-set ({@link OnlineStore#multiCompareAndSet}) on one thread: a swap from absent sets a
 * row once, a swap expecting any other bytes is refused and changes nothing (an empty row is not an
 * absent one), a swap to null deletes, many keys in one call each get their own outcome, empty calls
 * and tables never created behave, 1 MB rows are compared and swapped whole; and a swap carrying the
 * version {@link OnlineStore#readForSwap} gave succeeds when nothing wrote its row since and is
 * refused after any kind of write of that row.
 *
 * <p>An implementation provides nothing beyond {@link OnlineStoreContract}'s {@code newStore()}.
 */
public interface OnlineCompareAndSetContract extends OnlineContractPart {
  @Test
  default void aSwapFromAbsentSetsTheRowOnce() {
    store().createTable(TABLE);
    byte[] first = row(10, null, 1);

    assertThat(outcomes(store().multiCompareAndSet(TABLE, List.of(swap(userKey(1), null, first))))).containsExactly(true);
    assertThat(outcomes(store().multiCompareAndSet(TABLE, List.of(swap(userKey(1), null, row(11, null, 2))))))
        .as("a second swap from absent").containsExactly(false);

    assertValues(store().multiGet(TABLE, List.of(userKey(1))), List.of(first), "after two swaps from absent");
  }

  @Test
  default void aSwapWithAWrongExpectationIsRefusedAndChangesNothing() {
    store().createTable(TABLE);
    byte[] stored = row(10, null, 1);
    store().multiCompareAndSet(TABLE, List.of(swap(userKey(1), null, stored)));
    byte[] longer = Arrays.copyOf(stored, stored.length + 1);
    byte[] lastByteOff = stored.clone();
    lastByteOff[lastByteOff.length - 1] ^= 1;

    for (byte[] wrong : List.of(longer, Arrays.copyOf(stored, stored.length - 1), lastByteOff, new byte[0])) {
      assertThat(outcomes(store().multiCompareAndSet(TABLE, List.of(swap(userKey(1), wrong, row(20, null, 2))))))
          .as("a swap expecting %s", describe(wrong)).containsExactly(false);
    }
    assertThat(outcomes(store().multiCompareAndSet(TABLE, List.of(swap(userKey(2), new byte[0], row(20, null, 3))))))
        .as("an empty expectation is not an absent row").containsExactly(false);
    assertValues(store().multiGet(TABLE, List.of(userKey(1), userKey(2))), Arrays.asList(stored, null), "after refusals");

    // an empty row is a row: it is not absent, and it can be expected
    assertThat(outcomes(store().multiCompareAndSet(TABLE, List.of(swap(userKey(2), null, new byte[0]))))).containsExactly(true);
    assertThat(outcomes(store().multiCompareAndSet(TABLE, List.of(swap(userKey(2), null, stored))))).containsExactly(false);
    assertThat(outcomes(store().multiCompareAndSet(TABLE, List.of(swap(userKey(2), new byte[0], stored))))).containsExactly(true);
    assertThat(outcomes(store().multiCompareAndSet(TABLE, List.of(swap(userKey(1), stored.clone(), longer)))))
        .as("the right expectation, a copy of the stored bytes").containsExactly(true);
    assertValues(store().multiGet(TABLE, List.of(userKey(1), userKey(2))), List.of(longer, stored), "after the swaps");
  }

  @Test
  default void aSwapToNullDeletesTheRow() {
    store().createTable(TABLE);
    byte[] stored = row(10, null, 1);
    store().multiCompareAndSet(TABLE, List.of(swap(userKey(1), null, stored), swap(userKey(2), null, stored)));

    assertThat(outcomes(store().multiCompareAndSet(TABLE, List.of(
        swap(userKey(1), stored, null), swap(userKey(2), row(9, null, 1), null), swap(userKey(3), null, null)))))
        .as("delete as expected, delete with a wrong expectation, delete of an absent row").containsExactly(true, false, true);

    assertValues(store().multiGet(TABLE, List.of(userKey(1), userKey(2), userKey(3))), Arrays.asList(null, stored, null),
        "after deleting swaps");
    // the deleted key is absent again: a swap from absent sets it
    assertThat(outcomes(store().multiCompareAndSet(TABLE, List.of(swap(userKey(1), null, row(1, null, 5)))))).containsExactly(true);
  }

  @Test
  default void manyKeysInOneCallEachGetTheirOwnOutcome() {
    store().createTable(TABLE);
    Random random = new Random(19);
    int n = 700; // several script calls, and every slot group of a cluster
    Map<ByteBuffer, byte[]> model = new HashMap<>();
    for (int round = 0; round < 4; round++) {
      List<Integer> order = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        order.add(k);
      }
      Collections.shuffle(order, random);
      List<Swap> swaps = new ArrayList<>();
      List<Boolean> aligned = new ArrayList<>();
      for (int k : order) {
        byte[] key = userKey(k);
        byte[] current = model.get(ByteBuffer.wrap(key));
        boolean right = random.nextInt(3) > 0;
        byte[] expectation = right ? current : current == null ? row(1, null, k) : random.nextBoolean() ? null
            : Arrays.copyOf(current, current.length - 1);
        byte[] value = random.nextInt(6) == 0 ? null : row(round * 10 + random.nextInt(10), null, k + 1000L * round);
        swaps.add(swap(key, expectation, value));
        aligned.add(right);
        if (right) {
          if (value == null) {
            model.remove(ByteBuffer.wrap(key));
          } else {
            model.put(ByteBuffer.wrap(key), value);
          }
        }
      }

      assertThat(outcomes(store().multiCompareAndSet(TABLE, swaps))).as("outcomes of round %d", round).isEqualTo(aligned);

      List<byte[]> keys = new ArrayList<>();
      List<byte[]> values = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        keys.add(userKey(k));
        values.add(model.get(ByteBuffer.wrap(userKey(k))));
      }
      assertValues(store().multiGet(TABLE, keys), values, "every key after round " + round);
    }
  }

  @Test
  default void anEmptySwapCallDoesNothing() {
    assertThat(store().multiCompareAndSet("never.created", List.of())).isEmpty();
    store().createTable(TABLE);
    store().multiCompareAndSet(TABLE, List.of(swap(userKey(1), null, row(10, null, 1))));

    assertThat(store().multiCompareAndSet(TABLE, List.of())).isEmpty();

    assertValues(store().multiGet(TABLE, List.of(userKey(1))), List.of(row(10, null, 1)), "after an empty swap call");
    assertValues(store().multiGet("never.created", List.of(userKey(1))), nulls(1), "a table never written");
  }

  @Test
  default void swapsOnATableThatDoesNotExistSeeOnlyAbsentRows() {
    String table = "swapped.before.created";
    assertThat(outcomes(store().multiCompareAndSet(table, List.of(swap(userKey(1), row(10, null, 1), row(11, null, 2))))))
        .as("expecting a row in a table that does not exist").containsExactly(false);
    assertValues(store().multiGet(table, List.of(userKey(1))), nulls(1), "after a refused swap");

    assertThat(outcomes(store().multiCompareAndSet(table, List.of(swap(userKey(1), null, row(11, null, 2))))))
        .as("from absent, in a table that does not exist").containsExactly(true);
    assertValues(store().multiGet(table, List.of(userKey(1))), List.of(row(11, null, 2)), "written by a swap");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  default void largeRowsAreSwappedWhole() {
    store().createTable(TABLE);
    Random random = new Random(3);
    List<Swap> sets = new ArrayList<>();
    for (int k = 0; k < 4; k++) {
      byte[] raw = new byte[1 << 20];
      random.nextBytes(raw);
      sets.add(swap(userKey(k), null, row(T0.plusSeconds(10), null, k, raw)));
    }
    assertThat(outcomes(store().multiCompareAndSet(TABLE, sets))).containsExactly(true, true, true, true);

    byte[] almost = sets.get(1).value().clone();
    almost[almost.length - 1] ^= 1; // differs from the stored 1 MB row in its last byte only
    byte[] next0 = row(T0.plusSeconds(11), null, 10, new byte[(1 << 20) + 1]);
    byte[] next1 = row(T0.plusSeconds(11), null, 11, new byte[1 << 20]);
    assertThat(outcomes(store().multiCompareAndSet(TABLE, List.of(
        swap(userKey(0), sets.get(0).value().clone(), next0), swap(userKey(1), almost, next1),
        swap(userKey(2), sets.get(2).value(), null)))))
        .containsExactly(true, false, true);

    assertValues(store().multiGet(TABLE, List.of(userKey(0), userKey(1), userKey(2), userKey(3))),
        Arrays.asList(next0, sets.get(1).value(), null, sets.get(3).value()), "1 MB rows after swaps");
  }

  @Test
  default void aSwapWithTheVersionReadSucceedsWhenNothingWroteItsRowSince() {
    store().createTable(TABLE);
    byte[] first = row(10, null, 1);
    store().multiCompareAndSet(TABLE, List.of(swap(userKey(1), null, first)));
    OnlineStore.VersionedRows read = store().readForSwap(TABLE, List.of(userKey(1), userKey(2)));
    assertValues(read.rows(), Arrays.asList(first, null), "read for a swap");
    // writes of other keys meanwhile change nothing for these (a store may read them again, never refuse them)
    List<Entry> others = new ArrayList<>();
    for (int k = 3; k < 2000; k++) {
      others.add(entry(userKey(k), row(5, null, k)));
    }
    store().multiPut(TABLE, others);

    byte[] second = row(11, null, 2);
    assertThat(outcomes(store().multiCompareAndSet(TABLE, List.of(
        new Swap(userKey(1), read.rows().get(0), second, read.versions()[0]),
        new Swap(userKey(2), null, first, read.versions()[1]))))).containsExactly(true, true);
    assertValues(store().multiGet(TABLE, List.of(userKey(1), userKey(2))), List.of(second, first), "after the swaps");
    // the version read before those swaps is stale now: the row is compared, and it is not what was read
    assertThat(outcomes(store().multiCompareAndSet(TABLE, List.of(
        new Swap(userKey(1), read.rows().get(0), row(12, null, 3), read.versions()[0]))))).containsExactly(false);
  }

  @Test
  default void aSwapWithTheVersionReadIsRefusedAfterAnyWriteOfItsRow() {
    List<String> writes = List.of("multiPut", "multiPutIfNewer", "multiPutIfNotOlder", "swap", "delete", "dropTable");
    for (String write : writes) {
      String table = TABLE + "." + write;
      store().createTable(table);
      byte[] first = row(10, null, 1);
      store().multiPutIfNewer(table, List.of(entry(userKey(1), first)));
      OnlineStore.VersionedRows read = store().readForSwap(table, List.of(userKey(1)));
      assertValues(read.rows(), List.of(first), write + ": read for a swap");
      byte[] written = row(20, null, 2);
      switch (write) {
        case "multiPut" -> store().multiPut(table, List.of(entry(userKey(1), written)));
        case "multiPutIfNewer" -> store().multiPutIfNewer(table, List.of(entry(userKey(1), written)));
        case "multiPutIfNotOlder" -> store().multiPutIfNotOlder(table, List.of(entry(userKey(1), written)));
        case "swap" -> store().multiCompareAndSet(table, List.of(swap(userKey(1), first, written)));
        case "delete" -> store().delete(table, List.of(userKey(1)));
        case "dropTable" -> store().dropTable(table);
        default -> throw new IllegalStateException(write);
      }
      boolean gone = write.equals("delete") || write.equals("dropTable");

      assertThat(outcomes(store().multiCompareAndSet(table, List.of(
          new Swap(userKey(1), read.rows().getFirst(), row(30, null, 3), read.versions()[0])))))
          .as("a swap expecting the row read before a %s of it", write).containsExactly(false);
      assertValues(store().multiGet(table, List.of(userKey(1))), Arrays.asList(gone ? null : written),
          "after " + write + " and the refused swap");
    }
  }
}
