package dev.quiver.core.aggregate;

import static dev.quiver.core.aggregate.AggregateGen.same;
import static dev.quiver.core.aggregate.AggregateGen.show;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.aggregate.AggregateGen.Spec;
import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Timestamps;
import dev.quiver.testkit.NaiveWindowAggregator;
import dev.quiver.testkit.NaiveWindowAggregator.Row;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The kernels and the sweep against {@link NaiveWindowAggregator} on seeded random data: every
 * function, 40 seeds each (more with -Dquiver.aggregate.seeds=N). A failure names the function, the
 * seed and the query.
 */
class AggregatorPropertyTest {

  static Stream<Arguments> cases() {
    int seeds = Integer.getInteger("quiver.aggregate.seeds", 40);
    List<Arguments> out = new ArrayList<>();
    for (AggregateFunction fn : AggregateFunction.values()) {
      for (long seed = 1; seed <= seeds; seed++) {
        out.add(Arguments.of(fn, seed));
      }
    }
    return out.stream();
  }

  /** The sorted sweep (per-hop tiles, two-stack window, head) equals the naive aggregator at every query time. */
  @ParameterizedTest(name = "{0} seed {1}")
  @MethodSource("cases")
  void sweepEqualsNaive(AggregateFunction fn, long seed) {
    AggregateGen g = new AggregateGen(seed * 7919 + fn.ordinal());
    Spec spec = g.spec(fn);
    List<Row> rows = g.rows(spec, g.random.nextInt(0, 150));
    List<Instant> queries = new ArrayList<>(g.queries(spec, rows, 60));
    Aggregator agg = Aggregator.of(spec.aggregation(), spec.input());
    List<Row> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparing(Row::event));
    Collections.sort(queries);
    WindowSweep sweep = new WindowSweep(agg, WindowSpec.of(spec.aggregation()));
    int next = 0;
    for (Instant t : queries) {
      while (next < sorted.size() && sorted.get(next).event().isBefore(t)) {
        Row r = sorted.get(next++);
        sweep.add(micros(r.event()), created(r), r.value());
      }
      Object actual = sweep.valueAt(micros(t));
      Object expected = NaiveWindowAggregator.value(spec.aggregation(), spec.input(), rows, t);
      assertThat(same(actual, expected))
          .as("%s, seed %d, t %s: sweep gave %s, naive %s; window rows %s", spec, seed, t, show(actual), show(expected),
              NaiveWindowAggregator.inWindow(spec.aggregation(), rows, t))
          .isTrue();
      closeToExact(spec, rows, t, actual, seed);
    }
  }

  /**
   * Random splits of a window's rows, some through bytes, merged in random order, equal one pass.
   * For first, last and last_k, which break exact ties by the order rows were added (DESIGN §3,
   * "Ties"), the splits are runs of consecutive rows and each merge takes a run into the one just
   * before it (the later state is the second argument); the other functions take any rows in any
   * order.
   */
  @ParameterizedTest(name = "{0} seed {1}")
  @MethodSource("cases")
  void anySplitAndMergeOrderEqualsOnePass(AggregateFunction fn, long seed) {
    AggregateGen g = new AggregateGen(seed * 104729 + fn.ordinal());
    Spec spec = g.spec(fn);
    List<Row> rows = g.rows(spec, g.random.nextInt(0, 300));
    boolean ordered = tieOrdered(fn);
    Aggregator agg = Aggregator.of(spec.aggregation(), spec.input());
    AggregateState one = agg.newState();
    for (Row r : rows) {
      agg.add(one, r.value(), micros(r.event()), created(r));
    }
    Random shuffle = new Random(seed);
    for (int round = 0; round < 3; round++) {
      List<Row> order = new ArrayList<>(rows);
      if (!ordered) {
        Collections.shuffle(order, shuffle);
      }
      int parts = 1 + g.random.nextInt(8);
      List<AggregateState> states = new ArrayList<>();
      for (int p = 0; p < parts; p++) {
        states.add(agg.newState());
      }
      // ordered: part p takes the p-th run of rows; else any part takes any row
      int[] cuts = g.random.ints(parts - 1, 0, order.size() + 1).sorted().toArray();
      for (int i = 0, part = 0; i < order.size(); i++) {
        while (ordered && part < cuts.length && i >= cuts[part]) {
          part++;
        }
        Row r = order.get(i);
        agg.add(states.get(ordered ? part : g.random.nextInt(parts)), r.value(), micros(r.event()), created(r));
      }
      for (int p = 0; p < parts; p++) {
        if (g.random.nextBoolean()) {
          byte[] bytes = agg.encode(states.get(p));
          AggregateState back = agg.decode(bytes);
          assertThat(agg.encode(back)).as("%s seed %d: re-encoding a decoded state", spec, seed).isEqualTo(bytes);
          states.set(p, back);
        }
      }
      if (!ordered) {
        Collections.shuffle(states, shuffle);
      }
      // merge as a random binary tree: pick two neighbours, merge the second into a copy of the first
      while (states.size() > 1) {
        int i = g.random.nextInt(states.size() - 1);
        AggregateState m = agg.copy(states.get(i));
        agg.merge(m, states.remove(i + 1));
        states.set(i, m);
      }
      Object merged = agg.finish(states.getFirst());
      Object single = agg.finish(one);
      assertThat(same(merged, single)).as("%s seed %d round %d: merged %s, one pass %s", spec, seed, round, show(merged), show(single))
          .isTrue();
      assertThat(agg.encode(agg.decode(agg.encode(states.getFirst())))).isEqualTo(agg.encode(states.getFirst()));
    }
    assertThat(same(agg.finish(one), agg.finish(agg.decode(agg.encode(one))))).isTrue();
    if (fn != AggregateFunction.APPROX_COUNT_DISTINCT && fn != AggregateFunction.APPROX_PERCENTILE
        && spec.aggregation().window() instanceof dev.quiver.core.model.Window.Lifetime) {
      Object naive = NaiveWindowAggregator.value(spec.aggregation(), spec.input(), rows, Instant.MAX);
      assertThat(same(agg.finish(one), naive)).as("%s seed %d: one pass %s, naive %s", spec, seed, show(agg.finish(one)),
          show(naive)).isTrue();
    }
  }

  /** The functions whose result depends on the order of rows with equal times. */
  static boolean tieOrdered(AggregateFunction fn) {
    return fn == AggregateFunction.FIRST || fn == AggregateFunction.LAST || fn == AggregateFunction.LAST_K;
  }

  /** The approximations stay within their documented error of the exact answers. */
  private static void closeToExact(Spec spec, List<Row> rows, Instant t, Object actual, long seed) {
    AggregateFunction fn = spec.aggregation().function();
    if (fn != AggregateFunction.APPROX_COUNT_DISTINCT && fn != AggregateFunction.APPROX_PERCENTILE) {
      return;
    }
    Object exact = NaiveWindowAggregator.exact(spec.aggregation(), spec.input(), rows, t);
    if (fn == AggregateFunction.APPROX_COUNT_DISTINCT) {
      long e = (Long) exact;
      assertThat((double) Math.abs((Long) actual - e)).as("%s seed %d t %s: estimate %s, exact %s", spec, seed, t, actual, e)
          .isLessThanOrEqualTo(Math.max(1, 0.05 * e));
    } else if (exact == null) {
      assertThat(actual).isNull();
    } else {
      double e = (Double) exact;
      double a = (Double) actual;
      if (!Double.isFinite(e) || e == 0) {
        assertThat(same(a, e) || (e == 0 && a == 0)).as("%s seed %d: %s vs exact %s", spec, seed, a, e).isTrue();
      } else {
        assertThat(Math.abs(a - e)).as("%s seed %d t %s: estimate %s, exact %s", spec, seed, t, a, e)
            .isLessThanOrEqualTo(0.0101 * Math.abs(e));
      }
    }
  }

  static long micros(Instant t) {
    return Timestamps.toMicros(t);
  }

  static long created(Row r) {
    return r.created() == null ? Long.MIN_VALUE : Timestamps.toMicros(r.created());
  }
}
