package dev.quiver.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ViewBuilder;
import dev.quiver.core.model.Window;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The tile write model (DESIGN §3, online writes): a rebuild to END keeps what a stored row holds
 * from its horizon on, a backfill of an old range over rows the offline store also holds changes no
 * value, a row records the stream offsets and push keys it took (through its bytes and through a
 * rebuild), and events older than every window are dropped and said so.
 */
class TileWriteModelTest {
  private static final long S = 1_000_000L;
  private static final long T0 = 1_790_000_000L * S;

  private static TileLayout layout() {
    FeatureView v = ViewBuilder.named("v").entities("user").source("events")
        .aggregate("sum_1h", Aggregation.of(AggregateFunction.SUM, "x", Window.of(Duration.ofHours(1))).withHop(Duration.ofMinutes(1)))
        .aggregate("count_life", Aggregation.of(AggregateFunction.COUNT, null, Window.lifetime()).withHop(Duration.ofMinutes(5)))
        .aggregate("last_10m", Aggregation.of(AggregateFunction.LAST, "x", Window.of(Duration.ofMinutes(10))).withHop(Duration.ofMinutes(1)))
        .aggregate("p50_1h", Aggregation.of(AggregateFunction.APPROX_PERCENTILE, "x", Window.of(Duration.ofHours(1)))
            .withHop(Duration.ofMinutes(1)).withPercentile(0.5))
        .build();
    return TileLayout.of(v, Map.of("x", ScalarType.FLOAT64)::get);
  }

  private record Row(long event, long created, double x) {}

  /** Rows every few seconds over two hours, distinct event times, in time order. */
  private static List<Row> rows(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Row> out = new ArrayList<>();
    long t = T0;
    for (int i = 0; i < 600; i++) {
      t += (1 + r.nextInt(20)) * S + r.nextInt(1000);
      out.add(new Row(t, Long.MIN_VALUE, Math.round(r.nextDouble(-10, 100) * 100) / 100.0));
    }
    return out;
  }

  private static EntityTiles build(TileLayout layout, List<Row> rows) {
    EntityTiles tiles = new EntityTiles(layout);
    rows.forEach(row -> tiles.add(row.event(), row.created(), new Object[] {row.x()}));
    return tiles;
  }

  /** What {@code TileRebuild} does for one key: offline rows before the horizon, the stored row from it on. */
  private static EntityTiles rebuild(TileLayout layout, List<Row> offline, long end, EntityTiles stored) {
    long horizon = EntityTiles.horizon(end, stored);
    EntityTiles row = build(layout, offline.stream().filter(r -> r.event() < horizon).toList());
    if (stored != null) {
      row.keepNewer(stored, horizon);
    }
    return EntityTiles.decode(layout, row.encode());
  }

  private static void assertSameReads(TileLayout layout, EntityTiles want, EntityTiles got) {
    assertThat(got.maxEvent()).isEqualTo(want.maxEvent());
    for (long t : new long[] {want.boundary(), want.maxEvent(), want.maxEvent() + 1, want.maxEvent() + 7 * 60 * S,
        want.maxEvent() + 3 * 3600 * S}) {
      assertThat(Arrays.toString(EntityTiles.read(layout, got.encode(), t)))
          .as("at %d", t).isEqualTo(Arrays.toString(EntityTiles.read(layout, want.encode(), t)));
    }
  }

  @Test
  void aRebuildToAnOldEndKeepsTheStoredRowsNewerHeadEntries() {
    TileLayout layout = layout();
    List<Row> rows = rows(1);
    long end = rows.get(299).event();
    List<Row> offline = rows.subList(0, 300); // pushed online only after END: the offline store lacks them
    EntityTiles stored = build(layout, rows);
    EntityTiles rebuilt = rebuild(layout, offline, end, stored);
    // before the stored boundary the offline truth wins (the pushed rows there are gone), from it on the stored head stays
    List<Row> expected = new ArrayList<>(offline);
    rows.stream().filter(r -> r.event() >= stored.boundary()).forEach(expected::add);
    assertSameReads(layout, build(layout, expected), rebuilt);
    assertThat(rebuilt.maxEvent()).isEqualTo(rows.getLast().event());
  }

  @Test
  void aBackfillOfAnOldRangeChangesNothingWhenTheOfflineStoreHoldsWhatWasPushed() {
    TileLayout layout = layout();
    for (long seed = 1; seed <= 5; seed++) {
      List<Row> rows = rows(seed);
      EntityTiles pushed = build(layout, rows);
      for (int cut : new int[] {0, 100, 450, 598, 599}) {
        long end = rows.get(cut).event();
        assertSameReads(layout, pushed, rebuild(layout, rows, end, pushed));
      }
      assertSameReads(layout, pushed, rebuild(layout, rows, rows.getFirst().event() - 86_400 * S, pushed));
      // with no stored row a rebuild is the state as of END
      assertSameReads(layout, build(layout, rows.subList(0, 101)), rebuild(layout, rows, rows.get(100).event(), null));
    }
  }

  @Test
  void aRebuildToAnEndInsideTheStoredTilesTakesTheOfflineRowsUpToTheBoundary() {
    TileLayout layout = layout();
    List<Row> rows = rows(3);
    EntityTiles stored = build(layout, rows.subList(0, 500)); // the online row is behind: rows 500.. only offline
    long end = rows.get(200).event();
    EntityTiles rebuilt = rebuild(layout, rows, end, stored);
    List<Row> expected = rows.stream().filter(r -> r.event() < stored.boundary()).toList();
    List<Row> all = new ArrayList<>(expected);
    rows.subList(0, 500).stream().filter(r -> r.event() >= stored.boundary()).forEach(all::add);
    assertSameReads(layout, build(layout, all), rebuilt);
    assertThatThrownBy(() -> new EntityTiles(layout).keepNewer(stored, stored.boundary() - 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void streamOffsetsAndPushKeysAreRecordedThroughBytesAndRebuilds() {
    TileLayout layout = layout();
    List<Row> rows = rows(4);
    EntityTiles row = build(layout, rows);
    assertThat(row.appliedOffset("kafka/txns", 0)).isEqualTo(-1);
    row.recordOffset("kafka/txns", 0, 41);
    row.recordOffset("kafka/txns", 0, 17); // lower: the highest stays
    row.recordOffset("kafka/txns", 3, 5);
    row.recordPush("batch-7", T0);
    EntityTiles read = EntityTiles.decode(layout, row.encode());
    assertThat(read.appliedOffset("kafka/txns", 0)).isEqualTo(41);
    assertThat(read.appliedOffset("kafka/txns", 3)).isEqualTo(5);
    assertThat(read.appliedOffset("kafka/other", 0)).isEqualTo(-1);
    assertThat(read.appliedPush("batch-7")).isTrue();
    assertThat(read.appliedPush("batch-8")).isFalse();
    assertThat(read.encode()).isEqualTo(row.encode());

    EntityTiles rebuilt = rebuild(layout, rows, rows.get(10).event(), read);
    assertThat(rebuilt.appliedOffset("kafka/txns", 0)).isEqualTo(41);
    assertThat(rebuilt.appliedPush("batch-7")).isTrue();
  }

  @Test
  void pushKeysAreForgottenAfterTheWindowAndPastTheCount() {
    EntityTiles row = new EntityTiles(layout());
    row.recordPush("old", T0);
    row.recordPush("recent", T0 + AppliedWrites.PUSH_KEY_MICROS - S);
    row.recordPush("now", T0 + AppliedWrites.PUSH_KEY_MICROS + S);
    assertThat(row.appliedPush("old")).as("applied more than the window ago").isFalse();
    assertThat(row.appliedPush("recent")).isTrue();
    for (int i = 0; i < AppliedWrites.PUSH_KEYS; i++) {
      row.recordPush("k" + i, T0 + AppliedWrites.PUSH_KEY_MICROS + 2 * S);
    }
    assertThat(row.appliedPush("recent")).as("the oldest past the count").isFalse();
    assertThat(row.appliedPush("k0")).isTrue();
    assertThat(row.appliedPush("k" + (AppliedWrites.PUSH_KEYS - 1))).isTrue();
  }

  @Test
  void pushedFileKeysAreForgottenAfterTheirShorterWindow() {
    EntityTiles row = new EntityTiles(layout());
    row.recordPush("file:push-20260101T000000000-a.parquet", T0);
    row.recordPush("idem", T0);
    row.recordPush("file:push-20260101T000500000-b.parquet", T0 + AppliedWrites.FILE_KEY_MICROS - S);
    row.recordPush("later", T0 + AppliedWrites.FILE_KEY_MICROS + S);
    assertThat(row.appliedPush("file:push-20260101T000000000-a.parquet")).as("a pushed file past its window").isFalse();
    assertThat(row.appliedPush("file:push-20260101T000500000-b.parquet")).as("a pushed file within it").isTrue();
    assertThat(row.appliedPush("idem")).as("an idempotency key of the same time keeps its 24 h").isTrue();
    EntityTiles back = EntityTiles.decode(row.layout(), row.encode());
    assertThat(back.appliedPush("file:push-20260101T000500000-b.parquet")).isTrue();
    assertThat(back.appliedPush("idem")).isTrue();
  }

  @Test
  void eventsOlderThanEveryWindowAreDroppedAndSaidSo() {
    FeatureView v = ViewBuilder.named("v").entities("user").source("events")
        .aggregate("sum_1h", Aggregation.of(AggregateFunction.SUM, "x", Window.of(Duration.ofHours(1))).withHop(Duration.ofMinutes(1)))
        .build();
    TileLayout layout = TileLayout.of(v, Map.of("x", ScalarType.FLOAT64)::get);
    EntityTiles row = new EntityTiles(layout);
    assertThat(row.add(T0 + 5 * 3600 * S, Long.MIN_VALUE, new Object[] {1.0})).isTrue();
    assertThat(row.add(T0 + 4 * 3600 * S, Long.MIN_VALUE, new Object[] {2.0})).as("inside the hour before the boundary").isTrue();
    assertThat(row.add(T0 + 3 * 3600 * S, Long.MIN_VALUE, new Object[] {4.0})).as("older than any window reads").isFalse();
    assertThat(EntityTiles.read(layout, row.encode(), T0 + 5 * 3600 * S + 1)[0]).isEqualTo(3.0);
    // a lifetime window sees every event: nothing is late
    EntityTiles lifetime = new EntityTiles(layout());
    lifetime.add(T0 + 30 * 86_400 * S, Long.MIN_VALUE, new Object[] {1.0});
    assertThat(lifetime.add(T0, Long.MIN_VALUE, new Object[] {1.0})).isTrue();
  }
}
