package dev.quiver.testkit;

import static dev.quiver.testkit.OnlineFixtures.TABLE;
import static dev.quiver.testkit.OnlineFixtures.assertValues;
import static dev.quiver.testkit.OnlineFixtures.entry;
import static dev.quiver.testkit.OnlineFixtures.nulls;
import static dev.quiver.testkit.OnlineFixtures.row;
import static dev.quiver.testkit.OnlineFixtures.userKey;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.online.OnlineStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What tables are: {@link OnlineStore#createTable} and {@link OnlineStore#dropTable} are
 * idempotent, creating a table again keeps its rows, a dropped table comes back empty with its
 * order keys forgotten, and tables are isolated (newest wins, deletes and drops are per table).
 *
 * <p>An implementation provides nothing beyond {@link OnlineStoreContract}'s {@code newStore()}.
 */
public interface OnlineTableContract extends OnlineContractPart {
  @Test
  default void createTableIsIdempotentAndKeepsRows() {
    store().createTable(TABLE);
    store().createTable(TABLE);
    store().multiPutIfNewer(TABLE, List.of(entry(userKey(1), row(10, null, 1))));

    store().createTable(TABLE);

    assertValues(store().multiGet(TABLE, List.of(userKey(1))), List.of(row(10, null, 1)), "a re-created table");
  }

  @Test
  default void dropTableIsIdempotentAndRemovesEveryRow() {
    store().dropTable("never.created");
    store().createTable(TABLE);
    store().multiPutIfNewer(TABLE, List.of(entry(userKey(1), row(10, null, 1)), entry(userKey(2), row(10, null, 2))));

    store().dropTable(TABLE);
    store().dropTable(TABLE);

    assertValues(store().multiGet(TABLE, List.of(userKey(1), userKey(2))), nulls(2), "a dropped table");
    store().createTable(TABLE);
    assertValues(store().multiGet(TABLE, List.of(userKey(1), userKey(2))), nulls(2), "a dropped, re-created table");
    // the dropped rows' order keys are forgotten too: an older row is accepted
    assertThat(store().multiPutIfNewer(TABLE, List.of(entry(userKey(1), row(5, null, 3))))).isEqualTo(1);
    assertValues(store().multiGet(TABLE, List.of(userKey(1))), List.of(row(5, null, 3)), "a re-created table");
  }

  @Test
  default void tablesAreIsolated() {
    String other = "payments.user_txn.v2";
    store().createTable(TABLE);
    store().createTable(other);
    store().multiPutIfNewer(TABLE, List.of(entry(userKey(1), row(20, null, 1))));

    // newest-wins is per table: the newer row in TABLE does not block an older one in the other
    assertThat(store().multiPutIfNewer(other, List.of(entry(userKey(1), row(10, null, 2))))).isEqualTo(1);
    assertValues(store().multiGet(TABLE, List.of(userKey(1))), List.of(row(20, null, 1)), TABLE);
    assertValues(store().multiGet(other, List.of(userKey(1))), List.of(row(10, null, 2)), other);

    store().delete(other, List.of(userKey(1)));
    assertValues(store().multiGet(TABLE, List.of(userKey(1))), List.of(row(20, null, 1)), "a table after a delete in another");

    store().multiPutIfNewer(other, List.of(entry(userKey(2), row(10, null, 2))));
    store().dropTable(TABLE);
    assertValues(store().multiGet(other, List.of(userKey(2))), List.of(row(10, null, 2)), "a table after another was dropped");
  }
}
