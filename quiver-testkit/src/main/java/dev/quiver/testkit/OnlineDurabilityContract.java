package dev.quiver.testkit;

import static dev.quiver.testkit.OnlineFixtures.TABLE;
import static dev.quiver.testkit.OnlineFixtures.assertValues;
import static dev.quiver.testkit.OnlineFixtures.entry;
import static dev.quiver.testkit.OnlineFixtures.nulls;
import static dev.quiver.testkit.OnlineFixtures.row;
import static dev.quiver.testkit.OnlineFixtures.userKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.quiver.core.online.OnlineStore;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a store keeps and reports: rows, deletes, drops and empty tables survive a reopen (twice),
 * and the stored order keys still decide after it; {@link OnlineStore#check()} passes on a healthy
 * store.
 *
 * <p>An implementation provides {@link OnlineStoreContract}'s {@code newStore()} and {@code
 * reopen()}.
 */
public interface OnlineDurabilityContract extends OnlineContractPart {
  @Test
  default void dataSurvivesReopening() {
    store().createTable(TABLE);
    store().createTable("kept.empty.v1");
    store().createTable("dropped.v1");
    store().multiPutIfNewer(TABLE, List.of(entry(userKey(1), row(10, null, 1)), entry(userKey(2), row(20, 1L, 2))));
    store().multiPutIfNewer("dropped.v1", List.of(entry(userKey(1), row(10, null, 3))));
    store().delete(TABLE, List.of(userKey(2)));
    store().multiPutIfNewer(TABLE, List.of(entry(userKey(3), row(30, null, 4))));
    store().dropTable("dropped.v1");

    reopened();

    assertValues(store().multiGet(TABLE, List.of(userKey(1), userKey(2), userKey(3))),
        Arrays.asList(row(10, null, 1), null, row(30, null, 4)), "rows after reopening");
    assertValues(store().multiGet("dropped.v1", List.of(userKey(1))), nulls(1), "a dropped table after reopening");
    assertValues(store().multiGet("kept.empty.v1", List.of(userKey(1))), nulls(1), "an empty table after reopening");
    // the stored order keys still decide
    assertThat(store().multiPutIfNewer(TABLE, List.of(entry(userKey(1), row(9, null, 5)), entry(userKey(3), row(31, null, 6)))))
        .isEqualTo(1);
    assertValues(store().multiGet(TABLE, List.of(userKey(1), userKey(3))),
        List.of(row(10, null, 1), row(31, null, 6)), "rows written after reopening");

    reopened();
    assertValues(store().multiGet(TABLE, List.of(userKey(3))), List.of(row(31, null, 6)), "rows after a second reopening");
  }

  @Test
  default void checkPassesOnAHealthyStore() {
    assertThatCode(store()::check).doesNotThrowAnyException();
    store().createTable(TABLE);
    store().multiPutIfNewer(TABLE, List.of(entry(userKey(1), row(10, null, 1))));
    assertThatCode(store()::check).doesNotThrowAnyException();
  }
}
