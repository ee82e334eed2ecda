package dev.quiver.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ViewBuilder;
import dev.quiver.core.model.Window;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A fixed-window {@code last} family writes no tile older than its newest tile with a value
 * ({@link ShadowedTiles}), and every read from the boundary on still equals one pass over the
 * window, through late rows (into dropped tiles), null values and rows decoded and written again.
 */
class ShadowedTilesTest {
  private static final long S = 1_000_000L;

  private static TileLayout layout() {
    FeatureView v = ViewBuilder.named("v").entities("user").source("events")
        .aggregate("last_1h", Aggregation.of(AggregateFunction.LAST, "x", Window.of(Duration.ofHours(1))).withHop(Duration.ofMinutes(1)))
        .aggregate("last_5m", Aggregation.of(AggregateFunction.LAST, "x", Window.of(Duration.ofMinutes(5))).withHop(Duration.ofMinutes(1)))
        .aggregate("last_life", Aggregation.of(AggregateFunction.LAST, "x", Window.lifetime()).withHop(Duration.ofMinutes(5)))
        .aggregate("first_1h", Aggregation.of(AggregateFunction.FIRST, "x", Window.of(Duration.ofHours(1))).withHop(Duration.ofMinutes(1)))
        .build();
    return TileLayout.of(v, Map.of("x", ScalarType.FLOAT64)::get);
  }

  private record Row(long event, long created, Double x) {}

  @Test
  void readsEqualOnePassAndOldTilesAreNotWritten() {
    TileLayout layout = layout();
    long mismatches = 0;
    for (long seed = 1; seed <= 20; seed++) {
      Random r = new Random(seed);
      List<Row> arrived = new ArrayList<>();
      EntityTiles tiles = new EntityTiles(layout);
      long t0 = 1_790_000_000L * S;
      for (int i = 0; i < 300; i++) {
        // about 15 s apart over ~75 minutes; every 8th row late by up to 40 minutes; a null every 5th
        long event = t0 + i * 15 * S + (i % 8 == 7 ? -r.nextInt(2_400) * S : 0);
        Row row = new Row(event, r.nextBoolean() ? Long.MIN_VALUE : event + r.nextInt(3), r.nextInt(5) == 0 ? null : r.nextGaussian());
        arrived.add(row);
        tiles.add(row.event(), row.created(), new Object[] {row.x()});
        if (i % 17 == 0) {
          tiles = EntityTiles.decode(layout, tiles.encode()); // a write path: back from bytes
        }
      }
      byte[] bytes = tiles.encode();
      EntityTiles written = EntityTiles.decode(layout, bytes);
      TileLayout.Slot last1h = layout.slot("last_1h");
      TileLayout.Slot first1h = layout.slot("first_1h");
      assertThat(written.tiles[last1h.family()]).as("last 1h: only its newest tile with a value").hasSizeLessThanOrEqualTo(2);
      assertThat(written.tiles[first1h.family()].size()).as("first keeps its tiles").isGreaterThan(40);
      for (int k = 0; k < 200; k++) {
        long t = tiles.boundary() + (long) (r.nextDouble() * 4_000 * S);
        Object[] got = EntityTiles.read(layout, bytes, t);
        for (int i = 0; i < layout.slots().size(); i++) {
          TileLayout.Slot slot = layout.slots().get(i);
          Aggregator agg = slot.aggregator();
          AggregateState s = agg.newState();
          for (Row row : arrived) {
            if (row.x() != null && slot.window().contains(t, row.event())) {
              agg.add(s, row.x(), row.event(), row.created());
            }
          }
          if (!Objects.equals(agg.finish(s), got[i])) {
            mismatches++;
          }
        }
      }
    }
    assertThat(mismatches).isZero();
  }
}
