package dev.quiver.core.online;

import dev.quiver.core.model.FeatureView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;

/**
 * Online tile rows ({@link dev.quiver.core.aggregate.EntityTiles}): one per view version and entity, in the table {@link
 * #table}, beside the view's latest-row table. Writers that read, change and write a row back
 * (pushes) and writers that replace rows (materialization) hold this JVM's lock stripes of their
 * keys meanwhile, so within one process no update is lost; separate processes writing the same
 * keys at once are not coordinated (push through one server, or materialize through it).
 *
 * <p>Thread-safe.
 */
public final class TileRows {
  private static final int STRIPES = 256;
  private static final ReentrantLock[] LOCKS = new ReentrantLock[STRIPES];

  static {
    for (int i = 0; i < STRIPES; i++) {
      LOCKS[i] = new ReentrantLock();
    }
  }

  private TileRows() {}

  /** The tile table of a view version: {@code project.view@vN.tiles}. */
  public static String table(String project, FeatureView view) {
    return OnlineTables.of(project, view) + ".tiles";
  }

  /** Replaces rows, holding the stripes of their keys. */
  public static void replace(OnlineStore store, String table, List<OnlineStore.Entry> entries) {
    List<byte[]> keys = new ArrayList<>(entries.size());
    entries.forEach(e -> keys.add(e.key()));
    int[] stripes = lock(table, keys);
    try {
      store.multiPut(table, entries);
    } finally {
      unlock(stripes);
    }
  }

  /**
   * Reads the rows of {@code keys} (distinct), applies {@code change} to each (the key's index and
   * its stored bytes or null) and writes the results back, all under the keys' stripes.
   *
   * @return the number of rows written
   */
  public static int update(OnlineStore store, String table, List<byte[]> keys, BiFunction<Integer, byte[], byte[]> change) {
    int[] stripes = lock(table, keys);
    try {
      List<byte[]> stored = store.multiGet(table, keys);
      List<OnlineStore.Entry> out = new ArrayList<>(keys.size());
      for (int i = 0; i < keys.size(); i++) {
        byte[] next = change.apply(i, stored.get(i));
        if (next != null) {
          out.add(new OnlineStore.Entry(keys.get(i), next));
        }
      }
      store.multiPut(table, out);
      return out.size();
    } finally {
      unlock(stripes);
    }
  }

  private static int[] lock(String table, List<byte[]> keys) {
    BitSet set = new BitSet(STRIPES);
    int salt = table.hashCode();
    for (byte[] k : keys) {
      set.set(Math.floorMod(Arrays.hashCode(k) * 31 + salt, STRIPES));
    }
    int[] stripes = set.stream().toArray(); // ascending: no two writers wait on each other in a cycle
    for (int s : stripes) {
      LOCKS[s].lock();
    }
    return stripes;
  }

  private static void unlock(int[] stripes) {
    for (int i = stripes.length - 1; i >= 0; i--) {
      LOCKS[stripes[i]].unlock();
    }
  }
}
