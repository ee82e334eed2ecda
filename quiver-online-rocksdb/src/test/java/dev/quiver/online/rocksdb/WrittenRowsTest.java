package dev.quiver.online.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WrittenRowsTest {
  private static final String TABLE = "t";

  private static byte[] key(int i) {
    return ("user" + i).getBytes(StandardCharsets.UTF_8);
  }

  private static int hash(String table, int i) {
    return WrittenRows.hash(KeyRef.hash(key(i)), table.hashCode());
  }

  private static void wrote(WrittenRows rows, String table, int i, byte[] bytes) {
    try (WrittenRows.Recording r = rows.recording()) {
      r.wrote(hash(table, i), table, key(i), bytes);
    }
  }

  private static byte[] at(WrittenRows rows, String table, int i) {
    return rows.at(hash(table, i), table, key(i));
  }

  @Test
  void keepsTheLastRowOfEachKeyByTableAndKey() {
    WrittenRows rows = new WrittenRows(1 << 10, new WrittenRows.Budget(1 << 20));
    wrote(rows, TABLE, 1, new byte[] {1});
    wrote(rows, TABLE, 2, new byte[] {2});
    wrote(rows, TABLE, 1, new byte[] {3});

    assertThat(at(rows, TABLE, 1)).containsExactly(3);
    assertThat(at(rows, TABLE, 2)).containsExactly(2);
    assertThat(at(rows, "other", 1)).as("another table").isNull();
    assertThat(at(rows, TABLE, 3)).as("never written").isNull();
    assertThat(rows.at(hash(TABLE, 2), TABLE, key(1))).as("a hash that is not the key's").isNull();
  }

  @Test
  void forgetsAndClears() {
    WrittenRows.Budget budget = new WrittenRows.Budget(1 << 20);
    WrittenRows rows = new WrittenRows(1 << 10, budget);
    wrote(rows, TABLE, 1, new byte[10]);
    wrote(rows, TABLE, 2, new byte[10]);
    long two = budget.kept();
    try (WrittenRows.Recording r = rows.recording()) {
      r.forget(hash(TABLE, 1), TABLE, key(1));
      r.forget(hash(TABLE, 3), TABLE, key(3)); // nothing kept: nothing happens
    }
    assertThat(at(rows, TABLE, 1)).isNull();
    assertThat(at(rows, TABLE, 2)).hasSize(10);
    assertThat(budget.kept()).isEqualTo(two / 2);
    rows.clear();
    assertThat(at(rows, TABLE, 2)).isNull();
    assertThat(budget.kept()).isZero();
  }

  @Test
  void twoKeysOfOnePlaceBothStayAndAThirdEvictsOne() {
    WrittenRows rows = new WrittenRows(2, new WrittenRows.Budget(1 << 20)); // one set of two places
    wrote(rows, TABLE, 1, new byte[] {1});
    wrote(rows, TABLE, 2, new byte[] {2});
    assertThat(at(rows, TABLE, 1)).containsExactly(1);
    assertThat(at(rows, TABLE, 2)).containsExactly(2);
    wrote(rows, TABLE, 3, new byte[] {3});
    assertThat(at(rows, TABLE, 3)).containsExactly(3);
    assertThat((at(rows, TABLE, 1) == null ? 1 : 0) + (at(rows, TABLE, 2) == null ? 1 : 0)).isEqualTo(1);
    wrote(rows, TABLE, 3, new byte[] {4}); // its own place again: nothing else evicted
    assertThat(at(rows, TABLE, 3)).containsExactly(4);
    assertThat((at(rows, TABLE, 1) == null ? 1 : 0) + (at(rows, TABLE, 2) == null ? 1 : 0)).isEqualTo(1);
  }

  @Test
  void aFullBudgetKeepsNoNewRowAndForgetsTheKeysOldOne() {
    long entry = WrittenRows.OVERHEAD + key(1).length + 100;
    WrittenRows.Budget budget = new WrittenRows.Budget(3 * entry);
    WrittenRows rows = new WrittenRows(1 << 10, budget);
    WrittenRows headers = new WrittenRows(1 << 10, budget); // the budget is shared
    wrote(rows, TABLE, 1, new byte[100]);
    wrote(headers, TABLE, 2, new byte[100]);
    wrote(rows, TABLE, 3, new byte[100]);
    assertThat(budget.kept()).isEqualTo(3 * entry);
    wrote(rows, TABLE, 4, new byte[100]);
    assertThat(at(rows, TABLE, 4)).as("full: not kept").isNull();
    wrote(rows, TABLE, 3, new byte[100]);
    assertThat(at(rows, TABLE, 3)).as("no bigger: replaces its row").hasSize(100);
    wrote(rows, TABLE, 3, new byte[101]);
    assertThat(at(rows, TABLE, 3)).as("bigger than room: the old row is not kept either").isNull();
    assertThat(budget.kept()).isEqualTo(2 * entry);
    assertThat(at(headers, TABLE, 2)).hasSize(100);
  }

  @Test
  void aZeroBudgetKeepsNothing() {
    WrittenRows rows = new WrittenRows(1 << 10, new WrittenRows.Budget(0));
    wrote(rows, TABLE, 1, new byte[1]);
    assertThat(at(rows, TABLE, 1)).isNull();
  }
}
