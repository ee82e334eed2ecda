package dev.quiver.bench.stream;

import dev.quiver.core.aggregate.EntityTiles;
import dev.quiver.core.aggregate.TileLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What a serving read pays for a key's pending (blindly appended, not yet folded) events, in one
 * thread, without a store ({@link BlindAppendBenchmark}'s spike): {@code users} tile rows of the
 * {@link TileWriteBenchmark} view, each built from {@code events} events over the hour before the
 * read (the ingest workload's shape at 1M events over 100,000 users is 10), then read at the end of
 * the hour with 0, 1, 2, 4, 8 and 16 further events pending: decode the row, add the pending events
 * with the kernels, encode, read ({@link PendingEvents#read}); 0 is today's read straight from the
 * bytes. Prints this thread's CPU time per read for each count (median of {@code rounds} rounds
 * after a warm-up round) and the added cost per pending event.
 *
 * <pre>
 * java -cp 'quiver-benchmarks/target/quiver-benchmarks.jar:quiver-benchmarks/target/lib/*' \
 *     dev.quiver.bench.stream.PendingReadBenchmark [users 2000] [events 10] [reads 200000] [rounds 5]
 * </pre>
 */
public final class PendingReadBenchmark {
  private PendingReadBenchmark() {}

  private static final int[] PENDING = {0, 1, 2, 4, 8, 16};

  public static void main(String[] args) {
    int users = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
    int events = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int reads = args.length > 2 ? Integer.parseInt(args[2]) : 200_000;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    TileLayout layout = TileWriteBenchmark.layout();
    long start = 1_790_000_000_000_000L;
    long hour = 3_600_000_000L;
    int total = events + PENDING[PENDING.length - 1];
    long step = hour / total;
    SplittableRandom r = new SplittableRandom(42);
    byte[][] rows = new byte[users][];
    byte[][][] pending = new byte[PENDING.length][users][];
    for (int u = 0; u < users; u++) {
      EntityTiles tiles = new EntityTiles(layout);
      List<BlindAppendBenchmark.Event> later = new ArrayList<>();
      for (int i = 0; i < total; i++) {
        long micros = start + i * step + r.nextLong(step);
        double amount = Math.round(r.nextDouble() * 10_000) / 100.0;
        if (i < events) {
          tiles.add(micros, Long.MIN_VALUE, new Object[] {amount});
          tiles.recordOffset("kafka:events", 0, i);
        } else {
          later.add(new BlindAppendBenchmark.Event(u, micros, i, amount, 0, 0, i));
        }
      }
      rows[u] = tiles.encode();
      for (int k = 1; k < PENDING.length; k++) {
        pending[k][u] = PendingEvents.encode(0, later.subList(0, PENDING[k]));
      }
    }
    long t = start + hour;
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    double[][] perRead = new double[PENDING.length][rounds];
    long sink = 0;
    for (int round = -1; round < rounds; round++) {
      for (int k = 0; k < PENDING.length; k++) {
        long before = cpu.getCurrentThreadCpuTime();
        for (int i = 0; i < reads; i++) {
          Object[] values = PendingEvents.read(layout, rows[i % users], pending[k][i % users], "kafka:events", t);
          sink += values[0] instanceof Long n ? n : 0;
        }
        if (round >= 0) {
          perRead[k][round] = (double) (cpu.getCurrentThreadCpuTime() - before) / reads;
        }
      }
    }
    double base = median(perRead[0]);
    for (int k = 0; k < PENDING.length; k++) {
      double m = median(perRead[k]);
      System.out.printf("%2d pending: %,.0f ns CPU per read (median of %d rounds)%s%n", PENDING[k], m, rounds,
          k == 0 ? " (today's read)" : String.format(", +%,.0f ns, %,.0f ns per pending event", m - base, (m - base) / PENDING[k]));
    }
    System.out.printf("%,d rows of %d events, mean row %,d bytes (checksum %d)%n", users, events,
        Arrays.stream(rows).mapToLong(b -> b.length).sum() / users, sink);
  }

  private static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
