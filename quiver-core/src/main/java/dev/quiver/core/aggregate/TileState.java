package dev.quiver.core.aggregate;

/**
 * The state of one tile (or coarse block) of an {@link EntityTiles} row: either decoded, or still
 * the bytes it was stored as, decoded only when the row changes it. A writer that folds a few events
 * into a stored row touches a few tiles; the others are written back as the bytes they were read
 * as, which is what encoding their decoded state would give (the state format is canonical:
 * {@code TileStateTest}), without decoding and encoding them. Not thread-safe.
 */
final class TileState {
  private AggregateState state;
  /** The stored row the undecoded state lies in, or null once decoded (or when made decoded). */
  private byte[] stored;
  private int offset;
  private int length;

  private TileState(AggregateState state, byte[] stored, int offset, int length) {
    this.state = state;
    this.stored = stored;
    this.offset = offset;
    this.length = length;
  }

  /** A decoded state. */
  static TileState of(AggregateState state) {
    return new TileState(state, null, 0, 0);
  }

  /** A state stored in {@code row} at {@code offset}, {@code length} bytes long, left undecoded for now. */
  static TileState stored(byte[] row, int offset, int length) {
    return new TileState(null, row, offset, length);
  }

  /**
   * The decoded state (decoding it now if it was not), for reading or changing.
   *
   * @throws dev.quiver.core.QuiverException when the stored bytes are not a state of {@code agg}
   */
  AggregateState state(Aggregator agg) {
    if (state == null) {
      StateCodec.Source in = new StateCodec.Source(stored).at(offset);
      AggregateState s = agg.read(in);
      if (in.position() != offset + length) {
        throw StateCodec.Source.corrupt("a tile state is " + (in.position() - offset) + " bytes, its row says " + length);
      }
      state = s;
      stored = null;
    }
    return state;
  }

  /** Writes the state preceded by its length, as a tile row holds it; {@code one} is scratch space. */
  void writeSized(Aggregator agg, StateCodec.Sink out, StateCodec.Sink one) {
    if (state == null) {
      out.varint(length);
      out.raw(stored, offset, length);
      return;
    }
    one.reset();
    agg.write(state, one);
    out.bytes(one);
  }
}
