package dev.quiver.testkit;

import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.OnlineStore.Swap;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Counters kept in online store rows and incremented the way Quiver merges tile rows: read, change,
 * {@link OnlineStore#multiCompareAndSet swap}, and read again when the swap fails. A store whose
 * swaps are not atomic against every writer loses increments, so the final counts fall short of the
 * increments made. Used by {@link OnlineStoreContract} (threads, separate clients) and by the Redis
 * store's multi-process test (separate JVMs).
 *
 * <p>A counter row is 8 bytes of the count (big-endian) followed by a 32-byte tail that every
 * increment rewrites, so that swaps compare more than a number. Stateless and thread-safe.
 */
public final class SwapCounters {
  private static final int TAIL = 32;

  private SwapCounters() {}

  /** The row of a counter at {@code count}, with a tail that depends on {@code salt}. */
  public static byte[] encode(long count, long salt) {
    ByteBuffer out = ByteBuffer.allocate(8 + TAIL).putLong(count);
    Random tail = new Random(salt ^ count * 0x9E3779B97F4A7C15L);
    while (out.hasRemaining()) {
      out.put((byte) tail.nextInt());
    }
    return out.array();
  }

  /** The count of a counter row; 0 for no row. */
  public static long decode(byte[] row) {
    if (row == null) {
      return 0;
    }
    if (row.length != 8 + TAIL) {
      throw new IllegalStateException("a counter row has " + (8 + TAIL) + " bytes, not " + row.length);
    }
    return ByteBuffer.wrap(row).getLong();
  }

  /**
   * Makes {@code rounds} rounds; each picks one or two of {@code keys} at random and adds 1 to each
   * in one swap call, reading and swapping again the keys whose swap failed until every one went
   * through.
   *
   * @param added where the increments made are counted, per key (aligned with {@code keys})
   * @return how many swaps were refused (and retried) along the way
   */
  public static long increment(OnlineStore store, String table, List<byte[]> keys, int rounds, Random random,
      long[] added) {
    return increment(store, table, keys, rounds, random, added, false);
  }

  /**
   * Increments as {@link #increment(OnlineStore, String, List, int, Random, long[])} does; with
   * {@code versioned}, reading with {@link OnlineStore#readForSwap} and passing each row's version
   * on in its swap, as tile writers do (a store that trusts the version must still refuse a swap of
   * a row written since the read).
   */
  public static long increment(OnlineStore store, String table, List<byte[]> keys, int rounds, Random random,
      long[] added, boolean versioned) {
    long refused = 0;
    for (int r = 0; r < rounds; r++) {
      List<Integer> chosen = new ArrayList<>();
      chosen.add(random.nextInt(keys.size()));
      int second = random.nextInt(keys.size());
      if (random.nextBoolean() && !chosen.contains(second)) {
        chosen.add(second);
      }
      while (!chosen.isEmpty()) {
        List<byte[]> wanted = chosen.stream().map(keys::get).toList();
        OnlineStore.VersionedRows read = versioned ? store.readForSwap(table, wanted) : null;
        List<byte[]> stored = versioned ? read.rows() : store.multiGet(table, wanted);
        List<Swap> swaps = new ArrayList<>(wanted.size());
        for (int i = 0; i < wanted.size(); i++) {
          byte[] next = encode(decode(stored.get(i)) + 1, random.nextLong());
          swaps.add(versioned ? new Swap(wanted.get(i), stored.get(i), next, read.versions()[i])
              : new Swap(wanted.get(i), stored.get(i), next));
        }
        boolean[] done = store.multiCompareAndSet(table, swaps);
        List<Integer> again = new ArrayList<>();
        for (int i = 0; i < done.length; i++) {
          if (done[i]) {
            added[chosen.get(i)]++;
          } else {
            again.add(chosen.get(i));
            refused++;
          }
        }
        chosen = again;
      }
    }
    return refused;
  }
}
