package dev.quiver.bench.stream;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.quiver.core.aggregate.EntityTiles;
import dev.quiver.core.aggregate.TileLayout;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.online.KeyEncoding;
import dev.quiver.core.online.RowEncoding;
import dev.quiver.core.online.RowPosition;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Spike of issue 19's ninth round: can stream ingest with window aggregates stop reading and rewriting
 * a key's tile row per event? Two write paths over one RocksDB database tuned as the online store
 * ({@link SpikeDb}), in one thread, on the {@link IngestBenchmark} workload's shape (JSON events over
 * uniform users, event times in order over an hour, two partitions, batches of {@code --batch}
 * events of one partition, the view's 4 columns and 7 aggregates):
 *
 * <ul>
 *   <li>{@code rmw}, today's shape: per batch, decode the JSON; per distinct key a multi-get of the
 *       latest row and of the tile row, newest wins on the latest row, decode, add the events whose
 *       offsets the row has not taken, record the offsets, encode; one write batch of both puts.
 *       {@code --cache all} keeps every row this run wrote in memory instead of reading it again
 *       (today's {@code WrittenRows} keeps about half of them): the two bracket today's path.
 *   <li>{@code blind}: the latest row as in {@code rmw}; the events' contributions (partition,
 *       offset, event time, the aggregated column) are appended to the key's {@code pending} value
 *       with RocksDB's {@code merge} (the built-in {@code StringAppendOperator} with an empty
 *       delimiter; operands are self-delimiting, {@link PendingEvents}), no read. When an in-memory
 *       counter per key slot says a key has {@code --fold} events pending, its batch folds instead:
 *       reads the tile row and the pending events, applies them and the new ones with the same
 *       kernels (skipping offsets the row took, as today), and writes the tile row and deletes the
 *       pending value in the same write batch. {@code --latest skip} leaves the latest rows out (a
 *       bound); {@code --latest ride} appends each key's newest latest row of a batch to the operand
 *       instead of reading and writing the latest row, and a fold (or a read) takes the newest of the
 *       stored row and the pending ones.
 * </ul>
 *
 * <p>Each round uses a fresh database; it prints the writing thread's CPU time and the process's
 * CPU time (RocksDB's flushes and compactions, GC and the JIT included) per event, then checks
 * the serving answers of 2,000 users (folding pending events in memory) against one in-memory pass
 * over their events and their latest rows against their newest events, folds every key still
 * pending (timed apart: what a consumer does when idle or stopping) and checks again. {@link PendingReadBenchmark} measures what a serving read pays per pending event.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp 'quiver-benchmarks/target/quiver-benchmarks.jar:quiver-benchmarks/target/lib/*' \
 *     dev.quiver.bench.stream.BlindAppendBenchmark DIR [--mode rmw|blind|decode] [--cache none|all] [--fold 8] \
 *     [--latest rmw|skip|ride] [--events 1000000] [--users 100000] [--batch 5000] [--rounds 3] [--replay-every 0]
 * </pre>
 */
public final class BlindAppendBenchmark {
  private static final ObjectMapper JSON = JsonMapper.builder().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build();
  private static final String STREAM = "kafka:events";
  private static final List<String> NAMES = StreamWorkload.COLUMNS;
  private static final List<ValueType> TYPES = List.of(ScalarType.FLOAT64, ScalarType.INT64, ScalarType.FLOAT64,
      ScalarType.INT64);
  private static final int CHECKED_USERS = 2_000;

  private final Map<String, String> opts;
  private final TileLayout layout = TileWriteBenchmark.layout();
  private final boolean blind;
  private final boolean decodeOnly;
  private final boolean cacheAll;
  private final boolean latest;
  private final boolean ride;
  private final int fold;
  private final int replayEvery;
  /** Approximate pending counts per key slot: a collision folds a key early or late, never wrongly. */
  private final int[] pendingCounts = new int[1 << 20];
  private final Map<Long, byte[]> cachedTiles = new HashMap<>();
  private final Map<Long, byte[]> cachedLatest = new HashMap<>();
  private long folds;
  private long late;

  private BlindAppendBenchmark(Map<String, String> opts) {
    this.opts = opts;
    this.blind = opts.getOrDefault("mode", "blind").equals("blind");
    this.decodeOnly = opts.getOrDefault("mode", "blind").equals("decode");
    this.cacheAll = opts.getOrDefault("cache", "none").equals("all");
    this.latest = opts.getOrDefault("latest", "rmw").equals("rmw");
    this.ride = opts.getOrDefault("latest", "rmw").equals("ride");
    this.fold = Integer.parseInt(opts.getOrDefault("fold", "8"));
    this.replayEvery = Integer.parseInt(opts.getOrDefault("replay-every", "0"));
  }

  /** One polled batch: the records of one partition, with their offsets. */
  private record Batch(int partition, long[] offsets, byte[][] records) {}

  /** One decoded event. */
  record Event(long user, long micros, long offset, double amount, long qty, double score, long seq) {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Map<String, String> opts = new HashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int events = Integer.parseInt(opts.getOrDefault("events", "1000000"));
    int users = Integer.parseInt(opts.getOrDefault("users", "100000"));
    int batch = Integer.parseInt(opts.getOrDefault("batch", "5000"));
    int rounds = Integer.parseInt(opts.getOrDefault("rounds", "3"));
    List<Batch> batches = produce(events, users, batch);
    System.out.printf("%s: %,d events, %,d users, batches of %,d; load average %s%n", opts, events, users, batch,
        Files.readString(Path.of("/proc/loadavg")).trim());
    for (int round = 1; round <= rounds; round++) {
      new BlindAppendBenchmark(opts).round(dir.resolve("round-" + round), batches, events, round);
    }
  }

  private void round(Path dir, List<Batch> batches, int events, int round) throws Exception {
    StreamWorkload.deleteTree(dir);
    Files.createDirectories(dir);
    Map<Long, EntityTiles> reference = new HashMap<>();
    Map<Long, byte[]> newestRows = new HashMap<>();
    try (SpikeDb db = new SpikeDb(dir)) {
      ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
      long process = processCpuNanos();
      long thread = cpu.getCurrentThreadCpuTime();
      long wall = System.nanoTime();
      for (int i = 0; i < batches.size(); i++) {
        write(db, batches.get(i));
        if (replayEvery > 0 && i % replayEvery == replayEvery - 1) {
          write(db, batches.get(i - 1)); // a redelivery: the offsets the keys took are skipped
        }
      }
      db.flushWal();
      double threadUs = (cpu.getCurrentThreadCpuTime() - thread) / 1000.0 / events;
      double processUs = (processCpuNanos() - process) / 1000.0 / events;
      double seconds = (System.nanoTime() - wall) / 1e9;
      for (Batch b : batches) {
        for (Event e : decode(b)) {
          if (e.user() % 50 == 0 && (reference.containsKey(e.user()) || reference.size() < CHECKED_USERS)) {
            reference.computeIfAbsent(e.user(), u -> new EntityTiles(layout)).add(e.micros(), Long.MIN_VALUE,
                new Object[] {e.amount()});
            newestRows.put(e.user(), latestRow(b.partition(), e)); // events come in time order
          }
        }
      }
      int checked = decodeOnly ? 0 : check(db, reference, newestRows); // pending events folded by the reads
      long drainThread = cpu.getCurrentThreadCpuTime();
      long drainProcess = processCpuNanos();
      long drained = blind ? drain(db) : 0;
      double drainThreadUs = (cpu.getCurrentThreadCpuTime() - drainThread) / 1000.0 / events;
      double drainProcessUs = (processCpuNanos() - drainProcess) / 1000.0 / events;
      if (!decodeOnly) {
        check(db, reference, newestRows);
      }
      System.out.printf("round %d: %.2f µs thread CPU, %.2f µs process CPU per event; %,.0f events/s; %,d folds,"
          + " %,d late; then %,d keys' pending events folded at the end for %.2f µs thread, %.2f µs process CPU per"
          + " event; %,d users' answers equal one pass; load average %s%n", round, threadUs, processUs,
          events / seconds, folds, late, drained, drainThreadUs, drainProcessUs, checked,
          Files.readString(Path.of("/proc/loadavg")).trim());
    }
  }

  private void write(SpikeDb db, Batch b) throws RocksDBException, IOException {
    List<Event> events = decode(b);
    Map<Long, List<Event>> byUser = new LinkedHashMap<>();
    for (Event e : events) {
      byUser.computeIfAbsent(e.user(), u -> new ArrayList<>(2)).add(e);
    }
    List<Long> users = new ArrayList<>(byUser.keySet());
    List<byte[]> keys = new ArrayList<>(users.size());
    for (long u : users) {
      keys.add(KeyEncoding.encode(List.of(ScalarType.INT64), List.of(u)));
    }
    if (decodeOnly) {
      return;
    }
    List<byte[]> storedLatest = latest ? read(db, db.latest, keys, users, cachedLatest) : null;
    List<Integer> rewrite = new ArrayList<>();
    for (int i = 0; i < users.size(); i++) {
      if (!blind) {
        rewrite.add(i);
        continue;
      }
      int slot = (int) (mix(users.get(i)) & (pendingCounts.length - 1));
      int n = pendingCounts[slot] + byUser.get(users.get(i)).size();
      if (n >= fold) {
        rewrite.add(i);
        pendingCounts[slot] = 0;
      } else {
        pendingCounts[slot] = n;
      }
    }
    List<byte[]> rewriteKeys = new ArrayList<>(rewrite.size());
    List<Long> rewriteUsers = new ArrayList<>(rewrite.size());
    for (int i : rewrite) {
      rewriteKeys.add(keys.get(i));
      rewriteUsers.add(users.get(i));
    }
    List<byte[]> storedTiles = read(db, db.tiles, rewriteKeys, rewriteUsers, cachedTiles);
    List<byte[]> pending = blind && !rewriteKeys.isEmpty() ? db.multiGet(db.pending, rewriteKeys) : null;
    List<byte[]> foldLatest = ride && !rewriteKeys.isEmpty() ? db.multiGet(db.latest, rewriteKeys) : null;
    byte[][] tileRows = new byte[users.size()][];
    byte[][] rideLatest = new byte[users.size()][];
    byte[][] storedAtFold = new byte[users.size()][];
    for (int r = 0; r < rewrite.size(); r++) {
      List<Event> evs = byUser.get(rewriteUsers.get(r));
      byte[] p = pending == null ? null : pending.get(r);
      tileRows[rewrite.get(r)] = foldRow(storedTiles.get(r), p, b.partition(), evs);
      if (ride) {
        storedAtFold[rewrite.get(r)] = foldLatest.get(r);
        rideLatest[rewrite.get(r)] = newer(foldLatest.get(r), p == null ? null : PendingEvents.newestRow(p));
      }
    }
    folds += blind ? rewrite.size() : 0;
    Integer[] order = new Integer[users.size()];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, (x, y) -> Arrays.compareUnsigned(keys.get(x), keys.get(y)));
    try (WriteBatch wb = new WriteBatch()) {
      for (int i : order) {
        long user = users.get(i);
        List<Event> evs = byUser.get(user);
        byte[] row = latest || ride ? latestRow(b.partition(), evs.getLast()) : null;
        if (latest) {
          byte[] stored = storedLatest.get(i);
          if (stored == null || RowEncoding.isNewer(row, stored)) {
            wb.put(db.latest, keys.get(i), row);
            if (cacheAll) {
              cachedLatest.put(user, row);
            }
          }
        }
        if (ride && tileRows[i] != null) {
          byte[] newest = newer(rideLatest[i], row);
          if (newest != storedAtFold[i]) {
            wb.put(db.latest, keys.get(i), newest);
          }
        }
        if (tileRows[i] != null) {
          wb.put(db.tiles, keys.get(i), tileRows[i]);
          if (blind) {
            wb.delete(db.pending, keys.get(i));
          }
          if (cacheAll) {
            cachedTiles.put(user, tileRows[i]);
          }
        } else {
          wb.merge(db.pending, keys.get(i), PendingEvents.encode(b.partition(), evs, ride ? row : null));
        }
      }
      db.write(wb);
    }
  }

  /** A latest row as the consumer writes it for a key's newest event of a batch. */
  private static byte[] latestRow(int partition, Event newest) {
    return RowEncoding.encode(Instant.ofEpochSecond(0, newest.micros() * 1000), null,
        new RowPosition.Streamed(STREAM, partition, newest.offset()), NAMES, TYPES,
        List.of(newest.amount(), newest.qty(), newest.score(), newest.seq()));
  }

  /** The newer of two latest rows (newest wins; null: none). */
  private static byte[] newer(byte[] a, byte[] b) {
    return a == null ? b : b == null || !RowEncoding.isNewer(b, a) ? a : b;
  }

  /**
   * Folds every key's pending events into its tile row (what a consumer would do when idle or before
   * stopping, so that no event waits for its key's next append), in chunks of 5,000 keys.
   *
   * @return how many keys had pending events
   */
  private long drain(SpikeDb db) throws RocksDBException {
    List<byte[]> keys = db.keys(db.pending);
    for (int from = 0; from < keys.size(); from += 5_000) {
      List<byte[]> chunk = keys.subList(from, Math.min(keys.size(), from + 5_000));
      List<byte[]> rows = db.multiGet(db.tiles, chunk);
      List<byte[]> pending = db.multiGet(db.pending, chunk);
      List<byte[]> stored = ride ? db.multiGet(db.latest, chunk) : null;
      try (WriteBatch wb = new WriteBatch()) {
        for (int i = 0; i < chunk.size(); i++) {
          if (ride) {
            byte[] newest = newer(stored.get(i), PendingEvents.newestRow(pending.get(i)));
            if (newest != stored.get(i)) {
              wb.put(db.latest, chunk.get(i), newest);
            }
          }
          EntityTiles tiles = rows.get(i) == null ? new EntityTiles(layout) : EntityTiles.decode(layout, rows.get(i));
          late += PendingEvents.apply(tiles, pending.get(i), STREAM);
          tiles.recordOnlineWrite(System.currentTimeMillis() * 1000);
          wb.put(db.tiles, chunk.get(i), tiles.encode());
          wb.delete(db.pending, chunk.get(i));
        }
        db.write(wb);
      }
    }
    return keys.size();
  }

  /** The stored rows of {@code keys}: this run's own when caching all, else read with one multi-get. */
  private List<byte[]> read(SpikeDb db, org.rocksdb.ColumnFamilyHandle cf, List<byte[]> keys, List<Long> users,
      Map<Long, byte[]> cache) throws RocksDBException {
    if (!cacheAll) {
      return keys.isEmpty() ? List.of() : db.multiGet(cf, keys);
    }
    List<byte[]> out = new ArrayList<>(users.size());
    users.forEach(u -> out.add(cache.get(u)));
    return out;
  }

  /** Folds the pending events and then the batch's into a tile row, skipping offsets it took (replays). */
  private byte[] foldRow(byte[] stored, byte[] pending, int partition, List<Event> events) {
    EntityTiles tiles = stored == null ? new EntityTiles(layout) : EntityTiles.decode(layout, stored);
    if (pending != null) {
      late += PendingEvents.apply(tiles, pending, STREAM);
    }
    for (Event e : events) {
      if (e.offset() > tiles.appliedOffset(STREAM, partition)) {
        if (!tiles.add(e.micros(), Long.MIN_VALUE, new Object[] {e.amount()})) {
          late++;
        }
        tiles.recordOffset(STREAM, partition, e.offset());
      }
    }
    tiles.recordOnlineWrite(System.currentTimeMillis() * 1000);
    return tiles.encode();
  }

  /** Serving answers at the end of the hour of the reference users, pending events folded in memory. */
  private int check(SpikeDb db, Map<Long, EntityTiles> reference, Map<Long, byte[]> newestRows) throws RocksDBException {
    List<Long> users = new ArrayList<>(reference.keySet());
    List<byte[]> keys = new ArrayList<>();
    for (long u : users) {
      keys.add(KeyEncoding.encode(List.of(ScalarType.INT64), List.of(u)));
    }
    List<byte[]> rows = db.multiGet(db.tiles, keys);
    List<byte[]> pending = db.multiGet(db.pending, keys);
    List<byte[]> latestRows = db.multiGet(db.latest, keys);
    long t = END_MICROS + 1;
    for (int i = 0; i < users.size(); i++) {
      if (latest || ride) {
        byte[] served = ride && pending.get(i) != null ? newer(latestRows.get(i), PendingEvents.newestRow(pending.get(i)))
            : latestRows.get(i);
        if (!Arrays.equals(served, newestRows.get(users.get(i)))) {
          throw new IllegalStateException("user " + users.get(i) + ": not the latest row of its newest event");
        }
      }
      Object[] got = PendingEvents.read(layout, rows.get(i), pending.get(i), STREAM, t);
      Object[] want = EntityTiles.read(layout, reference.get(users.get(i)).encode(), t);
      if (!Arrays.deepEquals(got, want)) {
        throw new IllegalStateException("user " + users.get(i) + ": " + Arrays.toString(got) + " != " + Arrays.toString(want));
      }
    }
    return users.size();
  }

  private static final long START_MICROS = 1_790_000_000_000_000L;
  private static final long END_MICROS = START_MICROS + 3_600_000_000L;

  /** The events as two partitions' batches, in the order a consumer writing both would take them. */
  private static List<Batch> produce(int events, int users, int batch) {
    SplittableRandom r = new SplittableRandom(42);
    long step = 3_600_000_000L / events;
    List<List<byte[]>> records = List.of(new ArrayList<>(), new ArrayList<>());
    for (int i = 0; i < events; i++) {
      long user = r.nextInt(users) + 1;
      Instant ts = Instant.ofEpochSecond(0, (START_MICROS + i * step) * 1000);
      records.get((int) (user & 1)).add(StreamWorkload.json(user, ts, i, Math.round(r.nextDouble() * 10_000) / 100.0,
          r.nextInt(10), r.nextDouble()));
    }
    List<Batch> out = new ArrayList<>();
    int[] next = new int[2];
    while (next[0] < records.get(0).size() || next[1] < records.get(1).size()) {
      for (int p = 0; p < 2; p++) {
        List<byte[]> all = records.get(p);
        int from = next[p];
        int to = Math.min(all.size(), from + batch);
        if (from < to) {
          long[] offsets = new long[to - from];
          Arrays.setAll(offsets, k -> from + k);
          out.add(new Batch(p, offsets, all.subList(from, to).toArray(new byte[0][])));
          next[p] = to;
        }
      }
    }
    return out;
  }

  /** Decodes a batch's JSON as the consumer does (a token stream into a map of the fields). */
  private static List<Event> decode(Batch b) throws IOException {
    List<Event> out = new ArrayList<>(b.records().length);
    for (int i = 0; i < b.records().length; i++) {
      Map<String, Object> f = new LinkedHashMap<>();
      try (JsonParser p = JSON.createParser(b.records()[i])) {
        p.nextToken();
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
          JsonToken t = p.nextToken();
          f.put(name, switch (t) {
            case VALUE_NUMBER_INT -> p.getLongValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            default -> p.getText();
          });
        }
      }
      Instant ts = Instant.parse((String) f.get("ts"));
      out.add(new Event((Long) f.get("user_id"), ts.getEpochSecond() * 1_000_000 + ts.getNano() / 1000, b.offsets()[i],
          (Double) f.get("amount"), (Long) f.get("qty"), (Double) f.get("score"), (Long) f.get("seq")));
    }
    return out;
  }

  private static long mix(long x) {
    x *= 0x9E3779B97F4A7C15L;
    return x ^ (x >>> 29);
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

}
