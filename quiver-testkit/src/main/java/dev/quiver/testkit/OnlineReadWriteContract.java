package dev.quiver.testkit;

import static dev.quiver.testkit.OnlineFixtures.NAMES;
import static dev.quiver.testkit.OnlineFixtures.T0;
import static dev.quiver.testkit.OnlineFixtures.TABLE;
import static dev.quiver.testkit.OnlineFixtures.TYPES;
import static dev.quiver.testkit.OnlineFixtures.assertValues;
import static dev.quiver.testkit.OnlineFixtures.entry;
import static dev.quiver.testkit.OnlineFixtures.nulls;
import static dev.quiver.testkit.OnlineFixtures.row;
import static dev.quiver.testkit.OnlineFixtures.userKey;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.ScalarType;
import dev.quiver.core.online.KeyEncoding;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.OnlineStore.Entry;
import dev.quiver.core.online.RowEncoding;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Plain reads and writes: {@link OnlineStore#multiGet} gives nulls aligned with the keys for
 * missing keys and missing tables, bytes round-trip exactly (keys and rows built with {@link
 * KeyEncoding} and {@link RowEncoding}), {@link OnlineStore#multiPut} replaces whatever is stored
 * (the last entry of a key wins), and {@link OnlineStore#delete} removes only the given keys and
 * forgets their order keys.
 *
 * <p>An implementation provides nothing beyond {@link OnlineStoreContract}'s {@code newStore()}.
 */
public interface OnlineReadWriteContract extends OnlineContractPart {
  @Test
  default void multiGetOfAMissingTableGivesNullsAlignedWithKeys() {
    List<byte[]> keys = List.of(userKey(1), userKey(2), userKey(1));

    assertValues(store().multiGet("never.created", keys), nulls(3), "a missing table");
    assertThat(store().multiGet("never.created", List.of())).isEmpty();
  }

  @Test
  default void multiGetGivesNullsAlignedWithMissingKeys() {
    store().createTable(TABLE);
    store().multiPutIfNewer(TABLE, List.of(entry(userKey(1), row(10, null, 1)), entry(userKey(3), row(10, null, 3))));

    List<byte[]> got = store().multiGet(TABLE, List.of(userKey(2), userKey(1), userKey(4), userKey(3), userKey(1)));

    assertValues(got, Arrays.asList(null, row(10, null, 1), null, row(10, null, 3), row(10, null, 1)), "keys");
    assertThat(store().multiGet(TABLE, List.of())).isEmpty();
  }

  @Test
  default void putThenGetRoundTripsBytesExactly() {
    store().createTable(TABLE);
    List<ScalarType> composite = List.of(ScalarType.STRING, ScalarType.INT64, ScalarType.BYTES, ScalarType.TIMESTAMP);
    List<byte[]> keys = List.of(
        userKey(0), userKey(-1), userKey(Long.MAX_VALUE), userKey(Long.MIN_VALUE),
        KeyEncoding.encode(composite, List.of("", 0L, new byte[0], Instant.EPOCH)),
        KeyEncoding.encode(composite, List.of("ünïcødé ✓", 7L, new byte[] {0, -1, 0}, T0)),
        KeyEncoding.encode(List.of(ScalarType.STRING), List.of("a")),
        KeyEncoding.encode(List.of(ScalarType.STRING), List.of("ab")));
    List<byte[]> values = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      values.add(row(T0.plusNanos(1000L * i), i % 2 == 0 ? null : T0.minusSeconds(i), i, new byte[] {0, (byte) i, -1}));
    }
    // a row with every value null, and one with nothing but the order key
    values.set(0, RowEncoding.encode(T0, T0, NAMES, TYPES, Collections.nCopies(NAMES.size(), null)));
    values.set(1, RowEncoding.encode(Instant.parse("1969-07-20T20:17:40.000001Z"), null, List.of(), List.of(), List.of()));
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      entries.add(entry(keys.get(i), values.get(i)));
    }

    assertThat(store().multiPutIfNewer(TABLE, entries)).isEqualTo(keys.size());

    List<byte[]> got = store().multiGet(TABLE, keys);
    assertValues(got, values, "rows just written");
    RowEncoding.Decoded d = RowEncoding.decode(got.get(5));
    assertThat(d.get("country")).isEqualTo("país-5");
    assertThat(d.get("embedding")).isEqualTo(List.of(0.25f, -1.0f, 5.0f));
    assertThat((byte[]) d.get("raw")).isEqualTo(new byte[] {0, 5, -1});
    assertThat(RowEncoding.decode(got.get(0)).has("amount")).isTrue();
    assertThat(RowEncoding.decode(got.get(0)).get("amount")).isNull();
  }

  @Test
  default void multiPutReplacesWhateverIsStoredAndTheLastEntryOfAKeyWins() {
    String tiles = TABLE + ".tiles";
    store().multiPut(tiles, List.of(entry(userKey(1), new byte[] {1, 2, 3}), entry(userKey(2), new byte[] {9})));
    // no order key: a shorter, "older" value replaces the stored one
    store().multiPut(tiles, List.of(entry(userKey(1), new byte[] {7}), entry(userKey(3), new byte[] {5}),
        entry(userKey(1), new byte[] {8, 8})));
    store().multiPut(tiles, List.of());
    assertValues(store().multiGet(tiles, List.of(userKey(1), userKey(2), userKey(3), userKey(4))),
        Arrays.asList(new byte[] {8, 8}, new byte[] {9}, new byte[] {5}, null), "after two multiPuts");
    store().delete(tiles, List.of(userKey(2)));
    assertValues(store().multiGet(tiles, List.of(userKey(2))), Arrays.asList((byte[]) null), "after a delete");
    store().dropTable(tiles);
    assertValues(store().multiGet(tiles, List.of(userKey(1))), Arrays.asList((byte[]) null), "after dropping the table");
  }

  @Test
  default void deleteRemovesOnlyTheGivenKeysAndIgnoresAbsentOnes() {
    store().createTable(TABLE);
    store().multiPutIfNewer(TABLE, List.of(
        entry(userKey(1), row(10, null, 1)), entry(userKey(2), row(10, null, 2)), entry(userKey(3), row(10, null, 3))));

    store().delete(TABLE, List.of(userKey(1), userKey(99), userKey(3), userKey(1)));
    store().delete(TABLE, List.of());
    store().delete("never.created", List.of(userKey(2)));

    assertValues(store().multiGet(TABLE, List.of(userKey(1), userKey(2), userKey(3))),
        Arrays.asList(null, row(10, null, 2), null), "after the delete");
    // a deleted row's order key is forgotten: an older row is written again
    assertThat(store().multiPutIfNewer(TABLE, List.of(entry(userKey(1), row(5, null, 4))))).isEqualTo(1);
    assertValues(store().multiGet(TABLE, List.of(userKey(1))), List.of(row(5, null, 4)), "a key written after its delete");
  }
}
