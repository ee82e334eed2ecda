package dev.quiver.core.online;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.FeatureView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Online tile rows ({@link dev.quiver.core.aggregate.EntityTiles}): one per view version and entity, in the table {@link
 * #table}, beside the view's latest-row table. Every writer — pushes, stream consumers,
 * materialization — reads a row, merges into it and writes it back with {@link
 * OnlineStore#multiCompareAndSet} expecting the bytes it read; a key some other writer changed
 * meanwhile (in this process or another, on the same store) is read and merged again ({@link
 * #swap}), so no update is lost.
 *
 * <p>Thread-safe.
 */
public final class TileRows {
  /** Rounds of read, merge and swap before a write gives up (system property {@code quiver.tiles.cas-attempts}, default 100). */
  static final int ATTEMPTS = Integer.getInteger("quiver.tiles.cas-attempts", 100);

  private TileRows() {}

  /**
   * The wall-clock time, UTC microseconds, that online writes stamp into tile rows and a
   * materialization compares them with ({@link TileRebuild}): the system clock, never a test's or a
   * repo's injected clock, since it orders real events (an offline append, a file listing).
   */
  static long wallMicros() {
    return dev.quiver.core.model.Timestamps.toMicros(java.time.Instant.now());
  }

  /** The tile table of a view version: {@code project.view@vN.tiles}. */
  public static String table(String project, FeatureView view) {
    return OnlineTables.of(project, view) + ".tiles";
  }

  /** How one key's row changes. */
  @FunctionalInterface
  interface Change {
    /**
     * The row key {@code index} should hold, given its stored bytes (null when none); null to leave
     * it as it is. Called again with the newer bytes when another writer changed the row meanwhile,
     * so it must derive everything it returns (and records) from {@code stored}.
     */
    byte[] apply(int index, byte[] stored);
  }

  /**
   * Reads the rows of {@code keys} (distinct), applies {@code change} to each and swaps the results
   * in with compare-and-set; keys another writer changed meanwhile are read and changed again.
   *
   * @return the number of rows written
   * @throws QuiverException when some keys still changed under every one of {@link #ATTEMPTS} rounds
   */
  static int swap(OnlineStore store, String table, List<byte[]> keys, Change change) {
    return swap(store, table, keys, (OnlineStore.VersionedRows) null, change);
  }

  /**
   * Swaps as {@link #swap(OnlineStore, String, List, Change)} does, taking {@code read} (the rows
   * of {@code keys} as the caller just read them, or null) as the first round's reads: a row changed
   * since fails its compare-and-set and is read and changed again, so this saves a read and
   * loses nothing.
   */
  static int swap(OnlineStore store, String table, List<byte[]> keys, List<byte[]> read, Change change) {
    return swap(store, table, keys, read == null ? null : unversioned(read), change);
  }

  /**
   * Swaps as {@link #swap(OnlineStore, String, List, List, Change)} does, with the rows as {@link
   * OnlineStore#readForSwap} read them (or null): each swap carries its row's version, so a store
   * that sees every write (RocksDB) writes a row not changed since without reading it again. Later
   * rounds read with {@link OnlineStore#readForSwap} too.
   */
  static int swap(OnlineStore store, String table, List<byte[]> keys, OnlineStore.VersionedRows read, Change change) {
    if (read != null && read.rows().size() != keys.size()) {
      throw new IllegalArgumentException(read.rows().size() + " rows read for " + keys.size() + " keys");
    }
    List<Integer> pending = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      pending.add(i);
    }
    int written = 0;
    for (int attempt = 0; attempt < ATTEMPTS && !pending.isEmpty(); attempt++) {
      if (attempt > 0) {
        // another writer won these keys: back off a little, more each round, so two writers do not keep colliding
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(1 + Math.min(attempt, 20) * 200_000L));
      }
      OnlineStore.VersionedRows rows = attempt == 0 && read != null ? read
          : store.readForSwap(table, pending.stream().map(keys::get).toList());
      List<byte[]> stored = rows.rows();
      List<OnlineStore.Swap> swaps = new ArrayList<>(pending.size());
      List<Integer> swapped = new ArrayList<>(pending.size());
      for (int p = 0; p < pending.size(); p++) {
        int i = pending.get(p);
        byte[] next = change.apply(i, stored.get(p));
        if (next != null && !Arrays.equals(next, stored.get(p))) {
          swaps.add(new OnlineStore.Swap(keys.get(i), stored.get(p), next, rows.versions()[p]));
          swapped.add(i);
        }
      }
      pending = new ArrayList<>();
      if (swaps.isEmpty()) {
        break;
      }
      boolean[] done = store.multiCompareAndSet(table, swaps);
      for (int s = 0; s < done.length; s++) {
        if (done[s]) {
          written++;
        } else {
          pending.add(swapped.get(s));
        }
      }
    }
    if (!pending.isEmpty()) {
      throw new QuiverException("the online tile rows of " + table + " for " + pending.size() + " key(s) kept changing under"
          + " other writers through " + ATTEMPTS + " compare-and-set rounds; nothing more was written for them,"
          + " write again (or raise -Dquiver.tiles.cas-attempts)");
    }
    return written;
  }

  private static OnlineStore.VersionedRows unversioned(List<byte[]> rows) {
    long[] versions = new long[rows.size()];
    Arrays.fill(versions, OnlineStore.Swap.UNREAD);
    return new OnlineStore.VersionedRows(rows, versions);
  }
}
