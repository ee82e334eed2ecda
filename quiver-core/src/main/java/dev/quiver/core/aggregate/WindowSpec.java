package dev.quiver.core.aggregate;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.Window;
import java.time.Duration;

/**
 * Window arithmetic in UTC microseconds (DESIGN §3). At query time t a window of length W and hop H
 * covers event times {@code [align(t − W, H), t)}: the end is exclusive, the start is aligned down
 * to a multiple of H since the epoch (the "sawtooth"), and a lifetime window starts at the beginning
 * of time. The hop also cuts time into tiles {@code [i·H, (i+1)·H)}: the window at t is the whole
 * tiles {@link #firstTile(long) firstTile(t)} to {@code tile(t) − 1}, plus the part of tile {@code
 * tile(t)} before t (the head).
 *
 * @param lengthMicros W, or 0 for a lifetime window
 * @param hopMicros H, positive
 */
public record WindowSpec(long lengthMicros, long hopMicros) {
  public WindowSpec {
    if (hopMicros <= 0 || lengthMicros < 0) {
      throw new QuiverException("a window needs a positive hop and a non-negative length");
    }
  }

  /** The window of an aggregation, with its effective hop. */
  public static WindowSpec of(Aggregation aggregation) {
    long hop = micros(aggregation.effectiveHop());
    return switch (aggregation.window()) {
      case Window.Lifetime l -> new WindowSpec(0, hop);
      case Window.Fixed f -> new WindowSpec(micros(f.length()), hop);
    };
  }

  private static long micros(Duration d) {
    return Math.addExact(Math.multiplyExact(d.getSeconds(), 1_000_000L), d.getNano() / 1_000);
  }

  public boolean lifetime() {
    return lengthMicros == 0;
  }

  /** {@code x} rounded down to a multiple of {@code hop} (towards the past, also before 1970). */
  public static long align(long x, long hop) {
    return Math.floorDiv(x, hop) * hop;
  }

  /** The first event time in the window at t; {@link Long#MIN_VALUE} for a lifetime window. */
  public long start(long t) {
    return lifetime() ? Long.MIN_VALUE : align(t - lengthMicros, hopMicros);
  }

  /** True when an event at {@code event} is in the window at t. */
  public boolean contains(long t, long event) {
    return event < t && event >= start(t);
  }

  /** The tile holding an event time. */
  public long tile(long micros) {
    return Math.floorDiv(micros, hopMicros);
  }

  /** The first event time of a tile. */
  public long tileStart(long tile) {
    return tile * hopMicros;
  }

  /** The oldest tile of the window at t; {@link Long#MIN_VALUE} for a lifetime window. */
  public long firstTile(long t) {
    return lifetime() ? Long.MIN_VALUE : tile(t - lengthMicros);
  }
}
