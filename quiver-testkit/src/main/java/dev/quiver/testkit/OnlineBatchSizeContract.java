package dev.quiver.testkit;

import static dev.quiver.testkit.OnlineFixtures.T0;
import static dev.quiver.testkit.OnlineFixtures.TABLE;
import static dev.quiver.testkit.OnlineFixtures.assertValues;
import static dev.quiver.testkit.OnlineFixtures.entry;
import static dev.quiver.testkit.OnlineFixtures.row;
import static dev.quiver.testkit.OnlineFixtures.userKey;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.online.OnlineStore.Entry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Batches of any size are written and read whole: 50,000 entries in one batch (half of them then
 * refused as older), 1 MB rows, and empty batches that do nothing, also on a table never created.
 *
 * <p>An implementation provides nothing beyond {@link OnlineStoreContract}'s {@code newStore()}; each
 * large case must finish within 60 seconds.
 */
public interface OnlineBatchSizeContract extends OnlineContractPart {
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  default void largeBatchesAreWrittenAndReadWhole() {
    int n = 50_000;
    store().createTable(TABLE);
    List<Entry> first = new ArrayList<>(n);
    List<byte[]> keys = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      keys.add(userKey(1_000_000L + i));
      first.add(entry(keys.get(i), row(100, null, i)));
    }

    assertThat(store().multiPutIfNewer(TABLE, first)).isEqualTo(n);

    // then the even keys get a newer row and the odd ones an older one
    List<Entry> second = new ArrayList<>(n);
    List<byte[]> expected = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] value = row(i % 2 == 0 ? 101 : 99, null, n + i);
      second.add(entry(keys.get(i), value));
      expected.add(i % 2 == 0 ? value : first.get(i).value());
    }
    assertThat(store().multiPutIfNewer(TABLE, second)).isEqualTo(n / 2);

    List<byte[]> got = store().multiGet(TABLE, keys);
    assertThat(got).hasSize(n);
    for (int i = 0; i < n; i++) {
      if (!Arrays.equals(got.get(i), expected.get(i))) {
        assertValues(List.of(got.get(i)), List.of(expected.get(i)), "key " + i + " of a batch of " + n);
      }
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  default void largeValuesRoundTrip() {
    store().createTable(TABLE);
    Random random = new Random(1);
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      byte[] raw = new byte[1 << 20];
      random.nextBytes(raw);
      entries.add(entry(userKey(i), row(T0.plusSeconds(10), null, i, raw)));
    }

    assertThat(store().multiPutIfNewer(TABLE, entries)).isEqualTo(8);

    List<byte[]> keys = entries.stream().map(Entry::key).toList();
    assertValues(store().multiGet(TABLE, keys), entries.stream().map(Entry::value).toList(), "1 MB rows");
    byte[] older = row(T0.plusSeconds(9), null, 100, new byte[1 << 20]);
    byte[] newer = row(T0.plusSeconds(11), null, 101, new byte[(1 << 20) + 1]);
    assertThat(store().multiPutIfNewer(TABLE, List.of(entry(userKey(0), older), entry(userKey(1), newer)))).isEqualTo(1);
    assertValues(store().multiGet(TABLE, List.of(userKey(0), userKey(1))),
        List.of(entries.get(0).value(), newer), "1 MB rows after newer and older ones");
  }

  @Test
  default void emptyBatchesDoNothing() {
    assertThat(store().multiPutIfNewer("never.created", List.of())).isZero();
    store().createTable(TABLE);
    store().multiPutIfNewer(TABLE, List.of(entry(userKey(1), row(10, null, 1))));

    assertThat(store().multiPutIfNewer(TABLE, List.of())).isZero();
    store().delete(TABLE, List.of());

    assertThat(store().multiGet(TABLE, List.of())).isEmpty();
    assertValues(store().multiGet(TABLE, List.of(userKey(1))), List.of(row(10, null, 1)), "after empty batches");
  }
}
