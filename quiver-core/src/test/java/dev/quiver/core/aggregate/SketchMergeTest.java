package dev.quiver.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Window;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The sketches at sizes where they leave their small forms: still order-independent, still close. */
class SketchMergeTest {

  @Test
  void hllIsTheSameForAnySplitAndCloseToTheExactCount() {
    for (long seed = 1; seed <= 5; seed++) {
      Random r = new Random(seed);
      Aggregator agg = Aggregator.of(Aggregation.of(AggregateFunction.APPROX_COUNT_DISTINCT, "x", Window.lifetime()), ScalarType.INT64);
      List<Long> values = new ArrayList<>();
      Set<Long> distinct = new HashSet<>();
      int n = 1000 + r.nextInt(60_000);
      for (int i = 0; i < n; i++) {
        long v = r.nextInt(n);
        values.add(v);
        distinct.add(v);
      }
      AggregateState one = agg.newState();
      values.forEach(v -> agg.add(one, v, 0, 0));
      Collections.shuffle(values, r);
      AggregateState merged = splitAndMerge(agg, values, r);
      assertThat(agg.finish(merged)).as("seed %d", seed).isEqualTo(agg.finish(one));
      assertThat(agg.encode(merged)).isEqualTo(agg.encode(one));
      long estimate = (Long) agg.finish(one);
      assertThat(Math.abs(estimate - distinct.size())).as("seed %d: estimate %d, exact %d", seed, estimate, distinct.size())
          .isLessThanOrEqualTo((long) (0.05 * distinct.size()));
      assertThat(agg.finish(agg.decode(agg.encode(one)))).isEqualTo(estimate);
    }
  }

  @Test
  void percentileIsTheSameForAnySplitAndWithinOnePercent() {
    for (long seed = 1; seed <= 5; seed++) {
      Random r = new Random(seed);
      double p = new double[] {0.5, 0.9, 0.99, 0.01, 0.75}[(int) seed - 1];
      Aggregator agg = Aggregator.of(Aggregation.of(AggregateFunction.APPROX_PERCENTILE, "x", Window.lifetime()).withPercentile(p),
          ScalarType.FLOAT64);
      List<Double> values = new ArrayList<>();
      for (int i = 0; i < 50_000; i++) {
        values.add(Math.exp(r.nextGaussian() * 3) * (r.nextInt(10) == 0 ? -1 : 1));
      }
      AggregateState one = agg.newState();
      values.forEach(v -> agg.add(one, v, 0, 0));
      Collections.shuffle(values, r);
      AggregateState merged = splitAndMerge(agg, values, r);
      assertThat(agg.finish(merged)).isEqualTo(agg.finish(one));
      double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      double exact = sorted[(int) Math.max(1, Math.ceil(p * sorted.length)) - 1];
      double estimate = (Double) agg.finish(one);
      assertThat(Math.abs(estimate - exact)).as("p %s: estimate %s, exact %s", p, estimate, exact)
          .isLessThanOrEqualTo(0.0101 * Math.abs(exact));
      assertThat(Arrays.equals(agg.encode(agg.decode(agg.encode(one))), agg.encode(one))).isTrue();
    }
  }

  private static AggregateState splitAndMerge(Aggregator agg, List<?> values, Random r) {
    int parts = 2 + r.nextInt(30);
    List<AggregateState> states = new ArrayList<>();
    for (int i = 0; i < parts; i++) {
      states.add(agg.newState());
    }
    for (Object v : values) {
      agg.add(states.get(r.nextInt(parts)), v, 0, 0);
    }
    Collections.shuffle(states, r);
    AggregateState into = agg.decode(agg.encode(states.getFirst()));
    for (AggregateState s : states.subList(1, states.size())) {
      agg.merge(into, r.nextBoolean() ? s : agg.decode(agg.encode(s)));
    }
    return into;
  }
}
