package dev.quiver.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.model.Window;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The sawtooth window {@code [align(t − W, H), t)} to the microsecond. */
class WindowSpecTest {
  private static final long HOUR = 3_600_000_000L;

  private static long us(String t) {
    return Timestamps.toMicros(Instant.parse(t));
  }

  @Test
  void startIsAlignedDownToTheHopAndTheEndIsExclusive() {
    WindowSpec w = WindowSpec.of(Aggregation.of(AggregateFunction.SUM, "x", Window.of(Duration.ofDays(1))).withHop(Duration.ofHours(1)));
    long t = us("2024-03-10T12:34:56.789012Z");
    assertThat(w.start(t)).isEqualTo(us("2024-03-09T12:00:00Z"));
    assertThat(w.contains(t, us("2024-03-09T12:00:00Z"))).isTrue();
    assertThat(w.contains(t, us("2024-03-09T11:59:59.999999Z"))).isFalse();
    assertThat(w.contains(t, t - 1)).isTrue();
    assertThat(w.contains(t, t)).isFalse();
  }

  @Test
  void aQueryOnAHopBoundaryStartsExactlyOneWindowBack() {
    WindowSpec w = new WindowSpec(24 * HOUR, HOUR);
    long t = us("2024-03-10T12:00:00Z");
    assertThat(w.start(t)).isEqualTo(t - 24 * HOUR);
    assertThat(w.start(t - 1)).isEqualTo(t - 25 * HOUR);
  }

  @Test
  void alignmentRoundsTowardsThePastBefore1970() {
    assertThat(WindowSpec.align(-1, HOUR)).isEqualTo(-HOUR);
    assertThat(WindowSpec.align(-HOUR, HOUR)).isEqualTo(-HOUR);
    assertThat(new WindowSpec(HOUR, HOUR).tile(-1)).isEqualTo(-1);
  }

  @Test
  void defaultHopsFollowTheDesign() {
    assertThat(WindowSpec.of(Aggregation.of(AggregateFunction.COUNT, null, Window.of(Duration.ofHours(1)))).hopMicros())
        .isEqualTo(Duration.ofMinutes(5).toNanos() / 1000);
    assertThat(WindowSpec.of(Aggregation.of(AggregateFunction.COUNT, null, Window.of(Duration.ofDays(30)))).hopMicros())
        .isEqualTo(HOUR);
    assertThat(WindowSpec.of(Aggregation.of(AggregateFunction.COUNT, null, Window.of(Duration.ofDays(365)))).hopMicros())
        .isEqualTo(24 * HOUR);
    WindowSpec lifetime = WindowSpec.of(Aggregation.of(AggregateFunction.COUNT, null, Window.lifetime()));
    assertThat(lifetime.lifetime()).isTrue();
    assertThat(lifetime.start(0)).isEqualTo(Long.MIN_VALUE);
    assertThat(lifetime.contains(0, Long.MIN_VALUE)).isTrue();
  }

  @Test
  void theWindowIsWholeTilesAndTheHead() {
    WindowSpec w = new WindowSpec(3 * HOUR, HOUR);
    long t = 10 * HOUR + 5;
    // whole tiles 7, 8, 9 and the head: tile 10 up to t
    assertThat(w.firstTile(t)).isEqualTo(7);
    assertThat(w.tile(t)).isEqualTo(10);
    assertThat(w.start(t)).isEqualTo(w.tileStart(7));
  }

  @Test
  void emptyWindowsGiveZeroCountsAndNullOtherwise() {
    for (AggregateFunction fn : AggregateFunction.values()) {
      Aggregation a = Aggregation.of(fn, "x", Window.of(Duration.ofHours(1))).withK(fn == AggregateFunction.LAST_K ? 3 : 0)
          .withPercentile(fn == AggregateFunction.APPROX_PERCENTILE ? 0.5 : 0);
      Aggregator agg = Aggregator.of(a, dev.quiver.core.model.ScalarType.INT64);
      WindowSweep sweep = new WindowSweep(agg, WindowSpec.of(a));
      sweep.add(0, Long.MIN_VALUE, 5L);
      Object value = sweep.valueAt(10 * HOUR);
      boolean counts = fn == AggregateFunction.COUNT || fn == AggregateFunction.COUNT_DISTINCT
          || fn == AggregateFunction.APPROX_COUNT_DISTINCT;
      assertThat(value).as(fn.spelling()).isEqualTo(counts ? (Object) 0L : null);
    }
  }
}
