package dev.quiver.core.offline.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.aggregate.Aggregator;
import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Window;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PointInTimeRulesTest {
  /** The rule engines fill in for rows no sweep saw is what the kernels' empty state finishes to. */
  @ParameterizedTest
  @EnumSource(AggregateFunction.class)
  void theEmptyWindowIsWhatTheKernelsGiveForNoRows(AggregateFunction fn) {
    Aggregation a = new Aggregation(fn, "v", Window.of(Duration.ofDays(1)), null, null,
        fn == AggregateFunction.LAST_K ? 3 : 0, fn == AggregateFunction.APPROX_PERCENTILE ? 0.5 : 0);
    Aggregator kernel = Aggregator.of(a, ScalarType.INT64);
    assertThat(PointInTimeRules.emptyWindow(fn)).isEqualTo(kernel.finish(kernel.newState()));
  }
}
