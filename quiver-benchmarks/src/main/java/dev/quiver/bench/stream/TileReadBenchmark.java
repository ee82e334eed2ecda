package dev.quiver.bench.stream;

import dev.quiver.core.aggregate.EntityTiles;
import dev.quiver.core.aggregate.TileLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The serving read of tile rows alone, in one thread, without a store: {@link EntityTiles#read} of
 * every slot straight from a row's bytes, over the {@link TileWriteBenchmark} view (7 window
 * aggregates over 1 h and 1 d). {@code users} rows are built first, each from {@code events} events
 * one step apart over a day (so each row holds the head, 5-minute tiles and coarse blocks); then
 * every row is read at the end of the day, {@code reads} reads per round. Prints this thread's CPU
 * time per read for each round after a warm-up round.
 *
 * <pre>
 * java -cp 'quiver-benchmarks/target/quiver-benchmarks.jar:quiver-benchmarks/target/lib/*' \
 *     dev.quiver.bench.stream.TileReadBenchmark [users 2000] [events 500] [reads 200000] [rounds 5]
 * </pre>
 */
public final class TileReadBenchmark {
  private TileReadBenchmark() {}

  public static void main(String[] args) {
    int users = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
    int events = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    int reads = args.length > 2 ? Integer.parseInt(args[2]) : 200_000;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    TileLayout layout = TileWriteBenchmark.layout();
    long start = 1_790_000_000_000_000L;
    long day = 86_400_000_000L;
    long step = day / events;
    SplittableRandom r = new SplittableRandom(42);
    byte[][] rows = new byte[users][];
    long bytes = 0;
    for (int u = 0; u < users; u++) {
      EntityTiles tiles = new EntityTiles(layout);
      for (int i = 0; i < events; i++) {
        tiles.add(start + i * step + r.nextLong(step), Long.MIN_VALUE, new Object[] {Math.round(r.nextDouble() * 10_000) / 100.0});
      }
      rows[u] = tiles.encode();
      bytes += rows[u].length;
    }
    long t = start + day;
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    double[] perRead = new double[rounds];
    long sink = 0;
    for (int round = -1; round < rounds; round++) {
      long before = cpu.getCurrentThreadCpuTime();
      for (int i = 0; i < reads; i++) {
        Object[] values = EntityTiles.read(layout, rows[i % users], t);
        sink += values[0] instanceof Long n ? n : 0;
      }
      long ns = cpu.getCurrentThreadCpuTime() - before;
      if (round >= 0) {
        perRead[round] = (double) ns / reads;
        System.out.printf("round %d: %.0f ns CPU per read (%,d reads, %,d rows, mean row %,d bytes)%n", round + 1,
            perRead[round], reads, users, bytes / users);
      }
    }
    double[] sorted = perRead.clone();
    Arrays.sort(sorted);
    System.out.printf("median of %d rounds: %.0f ns CPU per read (checksum %d)%n", rounds, sorted[rounds / 2], sink);
  }
}
