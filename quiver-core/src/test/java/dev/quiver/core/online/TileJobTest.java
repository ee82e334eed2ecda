package dev.quiver.core.online;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.aggregate.EntityTiles;
import dev.quiver.core.aggregate.TileLayout;
import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.model.ViewBuilder;
import dev.quiver.core.model.Window;
import dev.quiver.core.offline.LatestRowsPlan;
import dev.quiver.core.offline.PointInTimePlan.KeyBinding;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A {@link TileRowsJob} as a distributed engine's workers run it: serialized and read back (the view
 * travels as its aggregates), its rows split into parts by key in any order, it leaves the tile rows
 * the driver path ({@link TileRebuild#write}) leaves — over an empty store against a plain reference
 * (each key's rows up to END added one by one), and over stored rows holding newer entries, on
 * randomized rows with ties and rows after END.
 */
class TileJobTest {
  private static final long S = 1_000_000L;
  private static final long T0 = 1_790_000_000L * S;
  private static final FeatureView VIEW = ViewBuilder.named("v").entities("user").source("txns")
      .aggregate("count_life", Aggregation.of(AggregateFunction.COUNT, null, Window.lifetime()).withHop(Duration.ofMinutes(5)))
      .aggregate("sum_1h", Aggregation.of(AggregateFunction.SUM, "x", Window.of(Duration.ofHours(1))).withHop(Duration.ofMinutes(1)))
      .aggregate("last_2h", Aggregation.of(AggregateFunction.LAST, "x", Window.of(Duration.ofHours(2))).withHop(Duration.ofMinutes(1)))
      .build();
  private static final List<ScalarType> KEY_TYPES = List.of(ScalarType.INT64);
  private static final List<ValueType> TYPES = List.of(ScalarType.INT64, ScalarType.TIMESTAMP, ScalarType.TIMESTAMP,
      ScalarType.FLOAT64);
  private static final TileLayout LAYOUT = TileLayout.of(VIEW, Map.of("x", ScalarType.FLOAT64)::get);

  @Test
  void partsInAnyOrderAfterSerializationEqualThePlainReferenceAndTheDriverPath() throws Exception {
    for (int seed = 1; seed <= 30; seed++) {
      Random r = new Random(seed);
      long end = T0 + (60 + r.nextInt(240)) * 60 * S;
      List<Object[]> rows = rows(r);
      TileMerge merge = new TileMerge(VIEW, Timestamps.ofMicros(end), false, Long.MAX_VALUE, 0, null);
      TileRowsJob job = roundTrip(new TileJob(merge, scan(), false));

      OnlineReaderTest.MapStore viaJob = new OnlineReaderTest.MapStore();
      long written = runInParts(job, rows, viaJob, r);
      Map<Long, List<Object[]>> byKey = byKey(rows);
      assertThat(written).as("seed %d: rows written", seed).isEqualTo(byKey.size());
      for (var e : byKey.entrySet()) {
        EntityTiles plain = new EntityTiles(LAYOUT);
        for (Object[] row : e.getValue()) {
          long event = Timestamps.toMicros((Instant) row[1]);
          if (event <= end) {
            plain.add(event, row[2] == null ? Long.MIN_VALUE : Timestamps.toMicros((Instant) row[2]), new Object[] {row[3]});
          }
        }
        assertThat(hex(stored(viaJob, e.getKey()))).as("seed %d key %d", seed, e.getKey()).isEqualTo(hex(plain.encode()));
      }

      // stored rows holding entries newer than END (pushes): the job's parts merge as the driver path does
      OnlineReaderTest.MapStore a = new OnlineReaderTest.MapStore();
      OnlineReaderTest.MapStore b = new OnlineReaderTest.MapStore();
      for (long key : byKey.keySet()) {
        if (r.nextBoolean()) {
          EntityTiles pushed = new EntityTiles(LAYOUT);
          for (int i = 0; i < 1 + r.nextInt(4); i++) {
            pushed.add(end + r.nextInt(3600) * S, Long.MIN_VALUE, new Object[] {(double) r.nextInt(50)});
          }
          for (OnlineReaderTest.MapStore s : List.of(a, b)) {
            s.multiPut("tiles", List.of(new OnlineStore.Entry(key(key), pushed.encode())));
          }
        }
      }
      TileRebuild driver = new TileRebuild(null, null, null, VIEW, Timestamps.ofMicros(end), false, Long.MAX_VALUE, 0, null);
      TileMerge.Fold fold = merge.new Fold(LAYOUT, KEY_TYPES, false);
      List<TileRebuild.KeyRows> all = new ArrayList<>();
      for (Object[] row : rows) {
        TileRebuild.KeyRows done = fold.add(row);
        if (done != null) {
          all.add(done);
        }
      }
      all.add(fold.finish());
      driver.write(a, "tiles", all);
      runInParts(job, rows, b, r);
      for (long key : byKey.keySet()) {
        assertThat(hex(stored(b, key))).as("seed %d key %d over a stored row", seed, key).isEqualTo(hex(stored(a, key)));
      }
    }
  }

  /** Rows sorted by key, then event and created time (nulls first), with ties and rows after END. */
  private static List<Object[]> rows(Random r) {
    List<Object[]> rows = new ArrayList<>();
    int n = 20 + r.nextInt(200);
    for (int i = 0; i < n; i++) {
      Instant event = Timestamps.ofMicros(T0 + r.nextInt(6 * 60) * 60 * S / (1 + r.nextInt(3)));
      Instant created = r.nextInt(3) == 0 ? null : event.plusSeconds(r.nextInt(2));
      rows.add(new Object[] {(long) r.nextInt(12), event, created, r.nextInt(5) == 0 ? null : (double) r.nextInt(100)});
    }
    rows.sort((x, y) -> {
      int c = Long.compare((Long) x[0], (Long) y[0]);
      c = c != 0 ? c : ((Instant) x[1]).compareTo((Instant) y[1]);
      if (c != 0 || x[2] == y[2]) {
        return c;
      }
      return x[2] == null ? -1 : y[2] == null ? 1 : ((Instant) x[2]).compareTo((Instant) y[2]);
    });
    return rows;
  }

  /** Splits the keys into 1-4 parts at random, runs the parts in a random order; returns rows written. */
  private static long runInParts(TileRowsJob job, List<Object[]> rows, OnlineStore store, Random r) {
    int parts = 1 + r.nextInt(4);
    List<List<Object[]>> split = new ArrayList<>();
    for (int p = 0; p < parts; p++) {
      split.add(new ArrayList<>());
    }
    for (Object[] row : rows) {
      split.get((int) Math.floorMod((Long) row[0] * 7919, parts)).add(row);
    }
    Collections.shuffle(split, r);
    long written = 0;
    for (List<Object[]> part : split) {
      TileRowsJob.Part writer = job.part(TYPES, store, "tiles");
      part.forEach(writer::add);
      TileRowsJob.Counts counts = writer.finish();
      written += counts.keysWritten();
      assertThat(counts.keysSkipped()).isZero();
    }
    return written;
  }

  private static Map<Long, List<Object[]>> byKey(List<Object[]> rows) {
    Map<Long, List<Object[]>> out = new TreeMap<>();
    rows.forEach(row -> out.computeIfAbsent((Long) row[0], k -> new ArrayList<>()).add(row));
    return out;
  }

  private static LatestRowsPlan scan() {
    FileSource source = new FileSource("txns", "data/txns.parquet", dev.quiver.core.model.FileFormat.PARQUET, "event_ts",
        "created_ts", null, null);
    return new LatestRowsPlan("v@v1", source, List.of(new KeyBinding("user", "user", ScalarType.INT64)), List.of(),
        Instant.EPOCH, Instant.EPOCH);
  }

  private static TileRowsJob roundTrip(TileRowsJob job) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(job);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (TileRowsJob) in.readObject();
    }
  }

  private static byte[] key(long user) {
    return KeyEncoding.encode(KEY_TYPES, List.of(user));
  }

  private static byte[] stored(OnlineStore store, long user) {
    return store.multiGet("tiles", List.of(key(user))).get(0);
  }

  private static String hex(byte[] b) {
    return b == null ? "null" : HexFormat.of().formatHex(b);
  }
}
