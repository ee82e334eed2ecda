package dev.quiver.core.offline.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link JoinSlots} and {@link KeyIds} against obviously correct references on random data: for
 * every query row, the greatest {@code (event, created, position)} of its key with {@code event <=
 * t} and {@code event >= t - ttl}, whatever order the source rows are offered in (time order, near
 * time order, shuffled). Times are drawn from a small range so that equal times, equal created
 * times and duplicate query rows are common.
 */
class JoinSlotsTest {
  private record Row(int key, long event, long created, long position) {}

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
  void picksWhatAScanOfEveryRowPicks(int seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int keys = 1 + r.nextInt(40);
    int queries = r.nextInt(400);
    int sources = r.nextInt(2000);
    long ttl = r.nextBoolean() ? -1 : r.nextInt(30);
    // query rows, sorted by t as the engine reads them
    long[] t = new long[queries];
    int[] kid = new int[queries];
    int[] row = new int[queries];
    List<long[]> q = new ArrayList<>();
    for (int i = 0; i < queries; i++) {
      q.add(new long[] {r.nextInt(100), r.nextInt(10) == 0 ? -1 : r.nextInt(keys), i});
    }
    q.sort((a, b) -> Long.compare(a[0], b[0]));
    for (int i = 0; i < queries; i++) {
      t[i] = q.get(i)[0];
      kid[i] = (int) q.get(i)[1];
      row[i] = (int) q.get(i)[2];
    }
    List<Row> rows = new ArrayList<>();
    for (int p = 0; p < sources; p++) {
      rows.add(new Row(r.nextInt(keys), r.nextInt(100), r.nextInt(4) == 0 ? Long.MIN_VALUE : r.nextInt(5), p));
    }
    switch (seed % 3) {
      case 0 -> rows.sort((a, b) -> Long.compare(a.event, b.event));
      case 1 -> {
        rows.sort((a, b) -> Long.compare(a.event, b.event));
        for (int i = 0; i + 1 < rows.size(); i += 1 + r.nextInt(5)) {
          Collections.swap(rows, i, i + 1); // near time order: late rows
        }
      }
      default -> Collections.shuffle(rows, new java.util.Random(seed));
    }
    JoinSlots slots = new JoinSlots(keys, kid, t, row, queries, ttl);
    rows.forEach(s -> slots.offer(s.key, s.event, s.created, s.position));
    long[] picked = new long[queries];
    boolean[] none = new boolean[queries];
    java.util.Arrays.fill(none, true);
    slots.pickInto(picked, none);
    Map<Long, Long> got = new HashMap<>();
    for (int i = 0; i < queries; i++) {
      if (!none[i]) {
        got.put((long) i, picked[i]);
      }
    }
    for (int i = 0; i < queries; i++) {
      Row best = null;
      for (Row s : rows) {
        if (kid[i] >= 0 && s.key == kid[i] && s.event <= t[i] && (best == null || newer(s, best))) {
          best = s;
        }
      }
      Long expected = best == null || (ttl >= 0 && best.event < t[i] - ttl) ? null : best.position;
      assertThat(got.get((long) row[i])).as("seed %d, query row %d (key %d, t %d)", seed, row[i], kid[i], t[i]).isEqualTo(expected);
    }
  }

  private static boolean newer(Row a, Row b) {
    if (a.event != b.event) {
      return a.event > b.event;
    }
    if (a.created != b.created) {
      return a.created > b.created;
    }
    return a.position > b.position;
  }

  @Test
  void keyIdsNumberTuplesInOrderOfFirstAdd() {
    SplittableRandom r = new SplittableRandom(7);
    for (int width = 1; width <= 3; width++) {
      KeyIds ids = new KeyIds(width, 4); // grows many times
      Map<List<Long>, Integer> reference = new HashMap<>();
      for (int i = 0; i < 50_000; i++) {
        long[] key = new long[width];
        for (int k = 0; k < width; k++) {
          key[k] = r.nextInt(3) == 0 ? r.nextLong() : r.nextInt(200) - 100;
        }
        List<Long> boxed = java.util.Arrays.stream(key).boxed().toList();
        int expected = reference.computeIfAbsent(boxed, x -> reference.size());
        assertThat(ids.add(key)).isEqualTo(expected);
      }
      assertThat(ids.size()).isEqualTo(reference.size());
      assertLookups(ids, reference, width, r);
      ids.seal();
      assertThat(ids.indexedByValue()).isFalse(); // random longs among the keys: not dense
      assertLookups(ids, reference, width, r);
    }
  }

  /** Dense single keys, anywhere in the long range, looked up through the array indexed by value. */
  @Test
  void sealedDenseKeysAreFoundByValue() {
    SplittableRandom r = new SplittableRandom(11);
    for (long low : new long[] {0, 1, -5_000, 1L << 40, Long.MIN_VALUE, Long.MAX_VALUE - 9_999}) {
      KeyIds ids = new KeyIds(1, 16);
      Map<Long, Integer> reference = new HashMap<>();
      for (int i = 0; i < 20_000; i++) {
        long key = low + r.nextInt(10_000); // a range of 10k values, most of them present
        int expected = reference.computeIfAbsent(key, x -> reference.size());
        assertThat(ids.add(new long[] {key})).isEqualTo(expected);
      }
      ids.seal();
      assertThat(ids.indexedByValue()).as("low %d", low).isTrue();
      long high = low + 9_999;
      List<Long> probes = new ArrayList<>(List.of(low, high, low - 1, high + 1, Long.MIN_VALUE, Long.MAX_VALUE,
          0L, -1L, low + 5_000, low - 10_000, high + 10_000));
      for (int i = 0; i < 20_000; i++) {
        probes.add(low - 100 + r.nextInt(10_200));
      }
      for (long key : probes) {
        int expected = reference.getOrDefault(key, -1);
        assertThat(ids.find1(key)).as("key %d, low %d", key, low).isEqualTo(expected);
        assertThat(ids.find(new long[] {key})).isEqualTo(expected);
      }
      assertThatThrownBy(() -> ids.add(new long[] {low})).isInstanceOf(IllegalStateException.class);
    }
  }

  private static void assertLookups(KeyIds ids, Map<List<Long>, Integer> reference, int width, SplittableRandom r) {
    for (int i = 0; i < 50_000; i++) {
      long[] key = new long[width];
      for (int k = 0; k < width; k++) {
        key[k] = r.nextInt(3) == 0 ? r.nextLong() : r.nextInt(300) - 150;
      }
      int expected = reference.getOrDefault(java.util.Arrays.stream(key).boxed().toList(), -1);
      assertThat(ids.find(key)).isEqualTo(expected);
      if (width == 1) {
        assertThat(ids.find1(key[0])).isEqualTo(expected);
      } else if (width == 2) {
        assertThat(ids.find2(key[0], key[1])).isEqualTo(expected);
      }
    }
  }
}
