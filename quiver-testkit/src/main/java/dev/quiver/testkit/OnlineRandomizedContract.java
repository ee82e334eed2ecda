package dev.quiver.testkit;

import static dev.quiver.testkit.OnlineFixtures.T0;
import static dev.quiver.testkit.OnlineFixtures.assertValues;
import static dev.quiver.testkit.OnlineFixtures.entry;
import static dev.quiver.testkit.OnlineFixtures.row;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.online.KeyEncoding;
import dev.quiver.core.online.OnlineStore.Entry;
import dev.quiver.testkit.OnlineFixtures.Version;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Newest wins on seeded random data: many shuffled batches with ties, null created times, times
 * before 1970, keys of one random shape (some prefixes of others) and deletes, compared after every
 * few batches and after a reopen with a plain in-memory model that orders by the generator's own
 * numbers, not by the encoded bytes. A failure names the seed; {@code -Dquiver.contract.seed=N}
 * runs just that seed, {@code -Dquiver.contract.seeds=N} runs seeds 1 to N (default 8; {@link
 * OnlineContractPart#seeds()}).
 *
 * <p>An implementation provides {@link OnlineStoreContract}'s {@code newStore()} and {@code
 * reopen()}.
 */
public interface OnlineRandomizedContract extends OnlineContractPart {
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.quiver.testkit.OnlineContractPart#seeds")
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  default void randomBatchesEndAtTheMaxByOrderKey(long seed) {
    try {
      randomBatches(seed);
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("randomized online store case failed with seed " + seed
          + " (rerun just it with -Dquiver.contract.seed=" + seed + "): " + e.getMessage(), e);
    }
  }

  private void randomBatches(long seed) {
    Random rnd = new Random(seed);
    String table = "random.seed" + seed;
    store().createTable(table);

    // keys of one randomly chosen shape; some are prefixes of others
    List<List<ScalarType>> shapes = List.of(
        List.of(ScalarType.INT64), List.of(ScalarType.STRING), List.of(ScalarType.STRING, ScalarType.INT64),
        List.of(ScalarType.BYTES), List.of(ScalarType.TIMESTAMP, ScalarType.BOOL), List.of(ScalarType.FLOAT64));
    List<ScalarType> shape = shapes.get(rnd.nextInt(shapes.size()));
    int keyCount = 20 + rnd.nextInt(300);
    List<byte[]> keys = new ArrayList<>();
    for (int i = 0; i < keyCount; i++) {
      List<Object> parts = new ArrayList<>();
      for (ScalarType t : shape) {
        parts.add(switch (t) {
          case INT64 -> (long) i - keyCount / 2;
          case STRING -> "k".repeat(1 + i % 3) + i / 3;
          case BYTES -> new byte[] {(byte) i, (byte) (i >> 8), 0};
          case TIMESTAMP -> Instant.EPOCH.plusSeconds(i - keyCount / 2);
          case BOOL -> i % 2 == 0;
          case FLOAT64 -> i * 0.5 - 3;
          default -> throw new IllegalStateException(t.toString());
        });
      }
      keys.add(KeyEncoding.encode(shape, parts));
    }
    long[] bases = {0, Timestamps.toMicros(T0), -1_000_000L * 86_400 * 365 * 10};
    long base = bases[rnd.nextInt(bases.length)];
    int span = 1 + rnd.nextInt(40); // small spans give many ties

    int versionCount = 500 + rnd.nextInt(3000);
    List<Integer> keyOf = new ArrayList<>();
    List<Version> versions = new ArrayList<>();
    for (int w = 0; w < versionCount; w++) {
      int key = rnd.nextInt(1 + rnd.nextInt(keyCount)); // skewed to the first keys
      long event = base + (rnd.nextInt(2 * span + 1) - span) * (rnd.nextBoolean() ? 1L : 1_000_000L);
      Long created = rnd.nextInt(4) == 0 ? null : base + rnd.nextInt(3) - 1;
      byte[] bytes = row(Timestamps.ofMicros(event), created == null ? null : Timestamps.ofMicros(created), w,
          new byte[rnd.nextInt(40)]);
      keyOf.add(key);
      versions.add(new Version(event, created, w, bytes));
    }
    List<Integer> order = new ArrayList<>();
    for (int w = 0; w < versionCount; w++) {
      order.add(w);
    }
    Collections.shuffle(order, rnd);

    Map<ByteBuffer, Version> model = new HashMap<>();
    int position = 0;
    int batchNo = 0;
    while (position < order.size()) {
      int size = rnd.nextInt(10) == 0 ? 1 + rnd.nextInt(order.size()) : 1 + rnd.nextInt(60);
      List<Integer> batch = order.subList(position, Math.min(order.size(), position + size));
      position += batch.size();
      batchNo++;

      List<Entry> entries = new ArrayList<>();
      int expectedWritten = 0;
      for (int w : batch) {
        Version v = versions.get(w);
        byte[] key = keys.get(keyOf.get(w));
        entries.add(entry(key, v.bytes()));
        Version current = model.get(ByteBuffer.wrap(key));
        if (current == null || v.compareTo(current) > 0) {
          model.put(ByteBuffer.wrap(key), v);
          expectedWritten++;
        }
      }
      assertThat(store().multiPutIfNewer(table, entries))
          .as("entries written by batch %d (%d entries)", batchNo, entries.size())
          .isEqualTo(expectedWritten);

      if (rnd.nextInt(15) == 0) {
        List<byte[]> gone = new ArrayList<>();
        for (int i = rnd.nextInt(10); i >= 0; i--) {
          byte[] key = keys.get(rnd.nextInt(keyCount));
          gone.add(key);
          model.remove(ByteBuffer.wrap(key));
        }
        store().delete(table, gone);
      }
      if (rnd.nextInt(5) == 0) {
        assertMatchesModel(table, keys, model, "after batch " + batchNo);
      }
    }
    assertMatchesModel(table, keys, model, "after all " + batchNo + " batches");
    reopened();
    assertMatchesModel(table, keys, model, "after reopening");
  }

  private void assertMatchesModel(String table, List<byte[]> keys, Map<ByteBuffer, Version> model, String when) {
    List<byte[]> expected = new ArrayList<>();
    for (byte[] k : keys) {
      Version v = model.get(ByteBuffer.wrap(k));
      expected.add(v == null ? null : v.bytes());
    }
    assertValues(store().multiGet(table, keys), expected, "every key " + when);
  }
}
