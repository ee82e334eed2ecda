package dev.quiver.core.online;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.aggregate.EntityTiles;
import dev.quiver.core.aggregate.TileLayout;
import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.model.ViewBuilder;
import dev.quiver.core.model.Window;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A tile rebuild over a stream's batch twin (issue 19): the rows of a twin file the stored row never
 * took (a consumer killed between its twin append and its online write) are taken once, after END
 * too, and their offsets recorded, so the restarted consumer skips them; the rows of a file it took
 * are not taken again.
 */
class TileRebuildTwinTest {
  private static final long S = 1_000_000L;
  private static final long T0 = 1_790_000_000L * S;
  private static final String STREAM = "kafka:txns";
  private static final int ROWS = 60;
  /** The consumer's two batches: offsets 0..29 (written online), then 30..59 (appended to the twin). */
  private static final TwinFile A = new TwinFile(0, 0, 29);
  private static final TwinFile B = new TwinFile(0, 30, 59);

  private static final FeatureView VIEW = ViewBuilder.named("v").entities("user").source("txns")
      .aggregate("count_life", Aggregation.of(AggregateFunction.COUNT, null, Window.lifetime()).withHop(Duration.ofMinutes(5)))
      .aggregate("sum_1h", Aggregation.of(AggregateFunction.SUM, "x", Window.of(Duration.ofHours(1))).withHop(Duration.ofMinutes(1)))
      .aggregate("last_1h", Aggregation.of(AggregateFunction.LAST, "x", Window.of(Duration.ofHours(1))).withHop(Duration.ofMinutes(1)))
      .build();
  private static final TileLayout LAYOUT = TileLayout.of(VIEW, Map.of("x", ScalarType.FLOAT64)::get);

  private static long event(int offset) {
    return T0 + offset * 10 * S;
  }

  private static Object[] values(int offset) {
    return new Object[] {offset * 1.5};
  }

  /** What the consumer writes online for offsets [from, to): the rows and the partition's last offset. */
  private static EntityTiles online(int from, int to) {
    EntityTiles tiles = new EntityTiles(LAYOUT);
    for (int o = from; o < to; o++) {
      tiles.add(event(o), Long.MIN_VALUE, values(o));
    }
    tiles.recordOffset(STREAM, 0, to - 1);
    return tiles;
  }

  /** The offline part of a rebuild to {@code end}: every twin row, those after END kept aside with their file. */
  private static TileRebuild.KeyRows offline(long end) {
    EntityTiles base = new EntityTiles(LAYOUT);
    int after = 0;
    for (int o = 0; o < ROWS; o++) {
      if (event(o) <= end) {
        base.add(event(o), Long.MIN_VALUE, values(o));
      } else {
        after++;
      }
    }
    long[] events = new long[after];
    long[] created = new long[after];
    Object[][] rows = new Object[after][];
    TwinFile[] twins = new TwinFile[after];
    for (int i = 0, o = ROWS - after; o < ROWS; i++, o++) {
      events[i] = event(o);
      created[i] = Long.MIN_VALUE;
      rows[i] = values(o);
      twins[i] = B.covers(o) ? B : A;
    }
    return new TileRebuild.KeyRows(LAYOUT, new byte[] {1}, base.encode(), events, created, rows, twins, Map.of(0, B.last()));
  }

  private static TileRebuild rebuild(long end) {
    return new TileRebuild(null, null, null, VIEW, Timestamps.ofMicros(end), false, Long.MAX_VALUE, 0, STREAM);
  }

  private static void assertReadsAsEveryRowOnce(byte[] got) {
    EntityTiles once = online(0, ROWS);
    for (long t : new long[] {event(ROWS - 1) + 1, event(ROWS - 1) + 5 * 60 * S, event(ROWS - 1) + 30 * 60 * S}) {
      assertThat(Arrays.toString(EntityTiles.read(LAYOUT, got, t))).as("at %d", t)
          .isEqualTo(Arrays.toString(EntityTiles.read(LAYOUT, once.encode(), t)));
    }
    assertThat(EntityTiles.read(LAYOUT, got, event(ROWS - 1) + 1)[0]).as("count").isEqualTo((long) ROWS);
  }

  @Test
  void aBatchInTheTwinButNotOnlineIsTakenOnceWithItsOffsetsWhereverEndFalls() {
    EntityTiles stored = online(0, 30); // batch B appended to the twin, then the consumer was killed
    for (int cut : new int[] {10, 29, 30, 44, 59}) {
      long end = event(cut);
      byte[] rebuilt = rebuild(end).merge(offline(end), stored.encode());
      assertReadsAsEveryRowOnce(rebuilt);
      // the restarted consumer writes offsets 30..59 online again: every one is at or below what the row took
      assertThat(EntityTiles.decode(LAYOUT, rebuilt).appliedOffset(STREAM, 0)).as("END at offset %d", cut).isEqualTo(B.last());
    }
  }

  @Test
  void aBatchTheConsumerWroteOnlineIsNotTakenAgain() {
    EntityTiles stored = online(0, ROWS);
    for (int cut : new int[] {10, 44, 59}) {
      long end = event(cut);
      byte[] rebuilt = rebuild(end).merge(offline(end), stored.encode());
      assertReadsAsEveryRowOnce(rebuilt);
      assertThat(EntityTiles.decode(LAYOUT, rebuilt).appliedOffset(STREAM, 0)).isEqualTo(B.last());
    }
  }

  @Test
  void withNoStoredRowTheTwinsRowsAfterEndAreTakenToo() {
    long end = event(44);
    byte[] rebuilt = rebuild(end).merge(offline(end), null);
    assertReadsAsEveryRowOnce(rebuilt);
    assertThat(EntityTiles.decode(LAYOUT, rebuilt).appliedOffset(STREAM, 0)).isEqualTo(B.last());
  }
}
