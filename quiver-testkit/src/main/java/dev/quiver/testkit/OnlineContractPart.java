package dev.quiver.testkit;

import dev.quiver.core.online.OnlineStore;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * What every part of the {@link OnlineStoreContract} works on: the store under test, reopening it,
 * and more clients of its storage. A store's test does not implement the parts one by one: it
 * extends {@link OnlineStoreContract}, which implements these and every part.
 */
public interface OnlineContractPart {
  /** The store under test: from {@link OnlineStoreContract#newStore()}, or from the last {@link #reopened()}. */
  OnlineStore store();

  /** {@link OnlineStoreContract#reopen()}, made the store under test and closed after the test. */
  OnlineStore reopened();

  /**
   * {@link OnlineStoreContract#anotherClient()}: a second instance over the same storage, or the
   * store under test itself for stores that cannot open one; not closed by the contract unless
   * passed to {@link #closedAfterTest}.
   */
  OnlineStore otherClient();

  /** Closes {@code store} after the test (a store closed twice must not mind); returns it. */
  OnlineStore closedAfterTest(OnlineStore store);

  /** The seeds of the randomized cases: 1 to 8, or as the system properties say. */
  static Stream<Long> seeds() {
    String one = System.getProperty("quiver.contract.seed");
    if (one != null && !one.isBlank()) {
      return Stream.of(Long.parseLong(one.strip()));
    }
    long count = Long.getLong("quiver.contract.seeds", 8);
    return LongStream.rangeClosed(1, count).boxed();
  }
}
