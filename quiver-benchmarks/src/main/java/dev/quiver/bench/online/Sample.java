package dev.quiver.bench.online;

import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.online.KeyEncoding;
import dev.quiver.core.online.OnlineTables;
import dev.quiver.core.repo.FeatureRepo;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The stored online rows of a sample of keys after one materialization, read back from the store,
 * to check that two offline engines left the same online state (the raw stored bytes: values, event
 * and created times, the row's tie position).
 */
final class Sample {
  private final String engine;
  private final long[] keys;
  private List<byte[]> stored = List.of();
  long rowsWritten;

  Sample(String engine, long[] keys) {
    this.engine = engine;
    this.keys = keys;
  }

  /** {@code n} keys spread evenly over the sorted distinct keys (all of them if there are fewer). */
  static long[] of(long[] sortedKeys, int n) {
    if (n >= sortedKeys.length) {
      return sortedKeys.clone();
    }
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      out[i] = sortedKeys[(int) ((long) i * sortedKeys.length / n)];
    }
    return out;
  }

  /** Reads the sampled keys' stored rows of {@code view} from the repo's online store. */
  void read(FeatureRepo repo, String view) {
    if (keys.length == 0) {
      return;
    }
    Definitions defs = repo.registry().latest().orElseThrow().definitions();
    FeatureView fv = defs.views().stream().filter(v -> v.name().equals(view)).findFirst().orElseThrow();
    String table = OnlineTables.of(defs.project(), fv);
    List<byte[]> encoded = new ArrayList<>(keys.length);
    for (long k : keys) {
      encoded.add(KeyEncoding.encode(List.of(ScalarType.INT64), List.of(k)));
    }
    List<byte[]> got = new ArrayList<>(keys.length);
    for (int i = 0; i < encoded.size(); i += 1_000) {
      got.addAll(repo.online().multiGet(table, encoded.subList(i, Math.min(encoded.size(), i + 1_000))));
    }
    stored(got);
  }

  /** Sets the rows read back, one per sampled key (null: none stored). */
  void stored(List<byte[]> rows) {
    if (rows.size() != keys.length) {
      throw new IllegalArgumentException(rows.size() + " rows for " + keys.length + " keys");
    }
    stored = rows;
  }

  /** Sampled keys with a stored row. */
  long present() {
    return stored.stream().filter(b -> b != null).count();
  }

  /**
   * Whether this sample stored what {@code expected} stored, key for key, and wrote as many rows;
   * prints the verdict and the first differences.
   */
  boolean matches(Sample expected, PrintStream out, String what) {
    int differ = 0;
    HexFormat hex = HexFormat.of();
    for (int i = 0; i < keys.length; i++) {
      byte[] want = expected.stored.get(i);
      byte[] got = stored.get(i);
      if (!Arrays.equals(want, got)) {
        if (differ++ < 5) {
          out.printf("  key user_id=%d: %s stored %s, %s stored %s%n", keys[i], expected.engine,
              want == null ? "nothing" : hex.formatHex(want), engine, got == null ? "nothing" : hex.formatHex(got));
        }
      }
    }
    boolean same = differ == 0 && rowsWritten == expected.rowsWritten;
    out.printf("%s: %s vs %s: %,d sampled keys read back (%,d present), %,d differ; rows written %,d vs %,d: %s%n",
        what, engine, expected.engine, keys.length, present(), differ, rowsWritten, expected.rowsWritten,
        same ? "SAME" : "DIFFERENT");
    return same;
  }
}
