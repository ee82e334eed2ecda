package dev.quiver.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.ViewBuilder;
import dev.quiver.core.model.Window;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A row decoded from bytes leaves its tiles undecoded until a change reaches them ({@link
 * TileState}) and writes the others back as it read them. Checked against a row that never leaves
 * memory (every state encoded afresh): a writer that reads, adds a few events and writes back, again
 * and again, must write exactly the bytes the plain row encodes — which also shows the state format
 * is canonical for every function (the bytes copied equal the bytes a decoded state writes).
 */
class TileStateTest {

  @Test
  void aRowReadAndWrittenBackBatchByBatchEncodesAsTheRowKeptInMemory() {
    TileLayout layout = TileLayout.of(EntityTilesTest.view(), EntityTilesTest.TYPES::get);
    long compared = 0;
    for (long seed = 1; seed <= 16; seed++) {
      Random r = new Random(seed);
      List<EntityTilesTest.Row> rows = EntityTilesTest.rows(r, 100 + r.nextInt(300), 1_790_000_000L * EntityTilesTest.S);
      List<EntityTilesTest.Row> arrival = new ArrayList<>(rows);
      for (int i = 0; i < arrival.size() / 6; i++) { // some late rows
        Collections.swap(arrival, r.nextInt(arrival.size()), r.nextInt(arrival.size()));
      }
      EntityTiles plain = new EntityTiles(layout);
      byte[] stored = null;
      int i = 0;
      while (i < arrival.size()) {
        EntityTiles written = stored == null ? new EntityTiles(layout) : EntityTiles.decode(layout, stored);
        for (int n = 1 + r.nextInt(4); n > 0 && i < arrival.size(); n--, i++) {
          EntityTilesTest.Row row = arrival.get(i);
          Object[] values = EntityTilesTest.values(layout, row);
          assertThat(written.add(row.event(), row.created(), values))
              .as("seed %d row %d: dropped as late alike", seed, i)
              .isEqualTo(plain.add(row.event(), row.created(), values.clone()));
        }
        written.recordOffset("kafka:t", 0, i);
        plain.recordOffset("kafka:t", 0, i);
        stored = written.encode();
        assertThat(stored).as("seed %d after %d rows", seed, i).isEqualTo(plain.encode());
        compared++;
      }
    }
    assertThat(compared).isGreaterThan(500);
  }

  @Test
  void aLifetimeFamilyMergesUndecodedOldTilesIntoItsRest() {
    FeatureView v = ViewBuilder.named("v").entities("user").source("events")
        .aggregate("n_life", Aggregation.of(AggregateFunction.COUNT, null, Window.lifetime()).withHop(Duration.ofMinutes(5)))
        .aggregate("sum_1h", Aggregation.of(AggregateFunction.SUM, "x", Window.of(Duration.ofHours(1))).withHop(Duration.ofMinutes(5)))
        .build();
    TileLayout layout = TileLayout.of(v, EntityTilesTest.TYPES::get);
    long s = EntityTilesTest.S;
    long t0 = 1_790_000_000L * s;
    EntityTiles plain = new EntityTiles(layout);
    byte[] stored = null;
    for (int i = 0; i < 200; i++) {
      EntityTiles written = stored == null ? new EntityTiles(layout) : EntityTiles.decode(layout, stored);
      long event = t0 + i * 97 * s;
      written.add(event, Long.MIN_VALUE, new Object[] {(double) i});
      plain.add(event, Long.MIN_VALUE, new Object[] {(double) i});
      stored = written.encode();
      assertThat(stored).isEqualTo(plain.encode());
    }
    assertThat(EntityTiles.read(layout, stored, plain.maxEvent() + 1)[0]).isEqualTo(200L);
  }

  @Test
  void aStoredStateIsCopiedUntilDecodedAndOneThatDisagreesWithItsLengthIsRefused() {
    Aggregator count = Aggregator.of(Aggregation.of(AggregateFunction.COUNT, null, Window.of(Duration.ofHours(1))), null);
    AggregateState state = count.newState();
    for (int i = 0; i < 300; i++) {
      count.add(state, null, i, Long.MIN_VALUE);
    }
    StateCodec.Sink body = new StateCodec.Sink();
    count.write(state, body);
    byte[] bytes = body.toByteArray();
    byte[] row = new byte[bytes.length + 4]; // the state inside a longer row, as a tile row holds it
    System.arraycopy(bytes, 0, row, 2, bytes.length);

    StateCodec.Sink copied = new StateCodec.Sink();
    TileState.stored(row, 2, bytes.length).writeSized(count, copied, new StateCodec.Sink());
    StateCodec.Sink fresh = new StateCodec.Sink();
    TileState.of(state).writeSized(count, fresh, new StateCodec.Sink());
    assertThat(copied.toByteArray()).isEqualTo(fresh.toByteArray());

    TileState decoded = TileState.stored(row, 2, bytes.length);
    assertThat(count.finish(decoded.state(count))).isEqualTo(300L);
    count.add(decoded.state(count), null, 0, Long.MIN_VALUE);
    StateCodec.Sink changed = new StateCodec.Sink();
    decoded.writeSized(count, changed, new StateCodec.Sink());
    assertThat(changed.toByteArray()).isNotEqualTo(fresh.toByteArray());

    assertThatThrownBy(() -> TileState.stored(row, 2, bytes.length + 1).state(count)).isInstanceOf(QuiverException.class)
        .hasMessageContaining("corrupt").hasMessageContaining("its row says " + (bytes.length + 1));
  }

  @Test
  void rowsNamingOtherStreamsDecodeTheirOwnNames() {
    FeatureView v = ViewBuilder.named("v").entities("user").source("events")
        .aggregate("n_1h", Aggregation.of(AggregateFunction.COUNT, null, Window.of(Duration.ofHours(1))))
        .build();
    TileLayout layout = TileLayout.of(v, EntityTilesTest.TYPES::get);
    String[] streams = {"kafka:a", "kafka:b", "kafka:é", "kafka:a"};
    byte[][] rows = new byte[streams.length][];
    for (int i = 0; i < streams.length; i++) {
      EntityTiles t = new EntityTiles(layout);
      t.add(i, Long.MIN_VALUE, new Object[0]);
      t.recordOffset(streams[i], i, 100 + i);
      if (i == 2) {
        t.recordOffset("kafka:b", 7, 5);
      }
      rows[i] = t.encode();
    }
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < streams.length; i++) {
        EntityTiles d = EntityTiles.decode(layout, rows[i]);
        assertThat(d.appliedOffset(streams[i], i)).as("row %d", i).isEqualTo(100 + i);
        assertThat(d.appliedOffset("kafka:b", 7)).as("row %d", i).isEqualTo(i == 2 ? 5 : -1);
        assertThat(d.encode()).isEqualTo(rows[i]);
      }
    }
  }
}
