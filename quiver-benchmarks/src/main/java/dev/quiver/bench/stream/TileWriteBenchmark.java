package dev.quiver.bench.stream;

import dev.quiver.core.aggregate.EntityTiles;
import dev.quiver.core.aggregate.TileLayout;
import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ViewBuilder;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The tile part of a stream write alone, in one thread, without Kafka or a store: per event, what a
 * consumer does to its key's tile row ({@code PushedTiles}) — decode the stored bytes, add the event,
 * record the offset and the write, encode — over the {@link IngestBenchmark} workload's view with 7
 * window aggregates (users uniform, event times one step apart over an hour, in time order). The
 * stored rows live in an array. Prints this thread's CPU time per event for each round after a
 * warm-up round; on a shared machine thread CPU time moves far less than wall time or events/s.
 *
 * <pre>
 * java -cp 'quiver-benchmarks/target/quiver-benchmarks.jar:quiver-benchmarks/target/lib/*' \
 *     dev.quiver.bench.stream.TileWriteBenchmark [events 500000] [users 100000] [rounds 5]
 * </pre>
 */
public final class TileWriteBenchmark {
  private TileWriteBenchmark() {}

  public static void main(String[] args) {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
    int users = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    TileLayout layout = layout();
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    long start = 1_790_000_000_000_000L;
    long step = 3_600_000_000L / events;
    double[] perEvent = new double[rounds];
    long bytes = 0;
    for (int round = -1; round < rounds; round++) {
      SplittableRandom r = new SplittableRandom(42);
      byte[][] stored = new byte[users][];
      long sink = 0;
      long before = cpu.getCurrentThreadCpuTime();
      for (int i = 0; i < events; i++) {
        int user = r.nextInt(users);
        byte[] row = stored[user];
        EntityTiles tiles = row == null ? new EntityTiles(layout) : EntityTiles.decode(layout, row);
        tiles.add(start + i * step, Long.MIN_VALUE, new Object[] {Math.round(r.nextDouble() * 10_000) / 100.0});
        tiles.recordOffset("kafka:events", user & 1, i);
        tiles.recordOnlineWrite(start + i * step);
        stored[user] = tiles.encode();
        sink += stored[user].length;
      }
      long ns = cpu.getCurrentThreadCpuTime() - before;
      if (round >= 0) {
        perEvent[round] = ns / 1000.0 / events;
        System.out.printf("round %d: %.2f µs CPU per event (%,d events, %,d users, mean row %,d bytes)%n", round + 1,
            perEvent[round], events, users, sink / events);
      }
      bytes = sink;
    }
    double[] sorted = perEvent.clone();
    Arrays.sort(sorted);
    System.out.printf("median of %d rounds: %.2f µs CPU per event (checksum %d)%n", rounds, sorted[rounds / 2], bytes);
  }

  /** The tile layout of the {@link IngestBenchmark} workload's view: 7 window aggregates over 1 h and 1 d. */
  static TileLayout layout() {
    FeatureView view = ViewBuilder.named("user_stream").entities("user").source("events")
        .aggregate("txn_count_1h", AggregateFunction.COUNT, null, "1h")
        .aggregate("txn_count_1d", AggregateFunction.COUNT, null, "1d")
        .aggregate("amount_sum_1h", AggregateFunction.SUM, "amount", "1h")
        .aggregate("amount_sum_1d", AggregateFunction.SUM, "amount", "1d")
        .aggregate("amount_avg_1h", AggregateFunction.AVG, "amount", "1h")
        .aggregate("amount_avg_1d", AggregateFunction.AVG, "amount", "1d")
        .aggregate("amount_last_1d", AggregateFunction.LAST, "amount", "1d")
        .build();
    return TileLayout.of(view, c -> ScalarType.FLOAT64);
  }
}
