package dev.quiver.core.aggregate;

import dev.quiver.core.QuiverException;

/**
 * Reading a tile row's bytes ({@link EntityTiles#encode()}): the header checked against a layout,
 * the structure checks, the tile indexes of a family section, and the serving-path read of every
 * slot at a time straight from the bytes, with no row decoded.
 */
final class TileRowBytes {
  private TileRowBytes() {}

  /** Reads the tile indexes of a family section in order: a REST flag, else a delta from the previous. */
  static final class TileIndexes {
    private long previous;
    private boolean first = true;

    long next(StateCodec.Source in) {
      if (in.u8() == 1) {
        return EntityTiles.REST;
      }
      long d = in.zigzag();
      long index = first ? d : previous - d;
      previous = index;
      first = false;
      return index;
    }
  }

  /**
   * The value of every slot of the layout at time t, straight from a row's bytes (the serving
   * path): per family one pass over the head and the tiles, newest first, merging each piece once
   * into a running state and finishing each slot when the pass leaves its window, so the cost is one
   * merge per tile of the family's longest window requested. Aligned with {@link TileLayout#slots()}.
   */
  static Object[] read(TileLayout layout, byte[] bytes, long t) {
    TileLayout written = writtenWith(layout, bytes);
    if (written != layout) {
      return read(written, bytes, t); // the same slots, in the same order
    }
    StateCodec.Source in = header(layout, bytes);
    in.zigzag(); // newest event
    in.zigzag(); // boundary
    java.util.List<TileLayout.Slot> slots = layout.slots();
    java.util.List<TileLayout.Family> families = layout.families();
    int familyCount = families.size();
    // slots of each family, shortest window first (latest start)
    int[][] order = new int[familyCount][];
    for (int f = 0; f < familyCount; f++) {
      order[f] = layout.familySlots(f);
    }
    AggregateState[] running = new AggregateState[familyCount];
    int[] next = new int[familyCount];
    Object[] out = new Object[slots.size()];
    for (int f = 0; f < familyCount; f++) {
      running[f] = families.get(f).aggregator().newState();
    }
    int heads = in.count(1);
    for (int h = 0; h < heads; h++) {
      long event = in.zigzag();
      for (int f = 0; f < familyCount; f++) {
        Aggregator agg = families.get(f).aggregator();
        AggregateState s = agg.read(in);
        if (event >= t) {
          continue;
        }
        next[f] = finishBefore(slots, order[f], next[f], running[f], event, t, out, false);
        if (next[f] < order[f].length) {
          agg.merge(running[f], s);
        }
      }
    }
    checkFamilies(layout, in.count(1));
    for (int f = 0; f < familyCount; f++) {
      int length = (int) in.varint();
      int end = in.position() + length;
      Aggregator agg = families.get(f).aggregator();
      if (next[f] >= order[f].length) {
        in.skip(length);
        continue;
      }
      int m = (int) in.varint();
      checkSpan(layout, f, m);
      // the coarse blocks, newest first: where each one's state starts, decoded only when used
      int blocks = in.count(1);
      long[] blockIndex = new long[blocks];
      int[] blockAt = new int[blocks];
      long previous = 0;
      for (int i = 0; i < blocks; i++) {
        long d = in.zigzag();
        blockIndex[i] = i == 0 ? d : previous - d;
        previous = blockIndex[i];
        int size = (int) in.varint();
        blockAt[i] = in.position();
        in.skip(size);
      }
      int block = 0;
      int n = in.count(1);
      TileIndexes indexes = new TileIndexes();
      long consumed = Long.MAX_VALUE; // every tile at or above this index is merged (or covered by a merged block)
      int i = 0;
      for (; i < n && next[f] < order[f].length; i++) {
        long index = indexes.next(in);
        int size = (int) in.varint();
        if (index != EntityTiles.REST && index >= consumed) {
          in.skip(size); // inside a block already merged
          continue;
        }
        next[f] = finishBefore(slots, order[f], next[f], running[f], index, t, out, true);
        if (next[f] >= order[f].length) {
          break;
        }
        if (m > 0 && index != EntityTiles.REST) {
          // the whole block of this tile, when it lies inside every open window and nothing newer in it was merged
          long c = Math.floorDiv(index, m);
          WindowSpec shortest = slots.get(order[f][next[f]]).window();
          boolean inside = shortest.lifetime() || c * m >= shortest.firstTile(t);
          while (block < blocks && blockIndex[block] > c) {
            block++;
          }
          if (inside && (c + 1) * m <= consumed && block < blocks && blockIndex[block] == c) {
            int resume = in.position() + size;
            agg.merge(running[f], agg.read(in.at(blockAt[block])));
            in.at(resume);
            consumed = c * m;
            continue;
          }
        }
        agg.merge(running[f], agg.read(in));
        consumed = index == EntityTiles.REST ? Long.MIN_VALUE : index;
      }
      in.at(end); // the rest of the section is older than every window
      for (int k = next[f]; k < order[f].length; k++) {
        out[order[f][k]] = slots.get(order[f][k]).aggregator().finish(running[f]);
      }
      next[f] = order[f].length;
    }
    for (int f = 0; f < familyCount; f++) {
      for (int k = next[f]; k < order[f].length; k++) {
        out[order[f][k]] = slots.get(order[f][k]).aggregator().finish(running[f]);
      }
    }
    return out;
  }

  /**
   * Finishes the slots (in {@code order} from {@code next}) whose window starts after the piece at
   * {@code at} (an event time, or a tile index when {@code tile}); returns the first slot still open.
   */
  static int finishBefore(java.util.List<TileLayout.Slot> slots, int[] order, int next,
      AggregateState running, long at, long t, Object[] out, boolean tile) {
    while (next < order.length) {
      WindowSpec w = slots.get(order[next]).window();
      boolean inside = w.lifetime() || (tile ? at != EntityTiles.REST && at >= w.firstTile(t) : at >= w.start(t));
      if (inside) {
        break;
      }
      out[order[next]] = slots.get(order[next]).aggregator().finish(running);
      next++;
    }
    return next;
  }

  /**
   * The layout a row fitting {@code layout} was written with: {@code layout} itself, or (a row
   * written before families were shared) its {@link TileLayout#unshared()}. A row that fits neither
   * gives {@code layout}, whose header check then refuses it.
   */
  static TileLayout writtenWith(TileLayout layout, byte[] bytes) {
    if (layout.unshared() == null) {
      return layout;
    }
    StateCodec.Source in = new StateCodec.Source(bytes);
    int format = in.hasMore() ? in.u8() : 0;
    if (format >= 2 && format <= EntityTiles.FORMAT && in.skipIfNext(layout.signatureBytes())
        && in.be64IfNext(layout.fingerprint())) {
      return layout;
    }
    try {
      TileLayout written = TileRowHeader.of(bytes).writtenWith(layout);
      return written == null ? layout : written;
    } catch (QuiverException e) {
      return layout;
    }
  }

  static StateCodec.Source header(TileLayout layout, byte[] bytes) {
    StateCodec.Source in = new StateCodec.Source(bytes);
    header(layout, in);
    return in;
  }

  /**
   * Reads a row's header, refusing one that does not fit {@code layout}; returns its format. The
   * usual row, written for this very layout, is recognised by comparing bytes (no header decoded).
   */
  static int header(TileLayout layout, StateCodec.Source in) {
    int start = in.position();
    int format = in.hasMore() ? in.u8() : 0;
    if (format >= 2 && format <= EntityTiles.FORMAT && in.skipIfNext(layout.signatureBytes())
        && in.be64IfNext(layout.fingerprint())) {
      return format;
    }
    in.at(start);
    return readHeader(layout, in).format();
  }

  static TileRowHeader readHeader(TileLayout layout, StateCodec.Source in) {
    TileRowHeader header;
    try {
      header = TileRowHeader.read(in);
    } catch (QuiverException e) {
      throw new QuiverException(layout.view() + ": " + e.getMessage(), e);
    }
    if (!header.fits(layout)) {
      throw new QuiverException(header.misfit(layout));
    }
    return header;
  }

  static void checkSpan(TileLayout layout, int family, int span) {
    if (span != layout.families().get(family).coarseSpan()) {
      throw StateCodec.Source.corrupt("a tile row's coarse span is " + span + ", its layout's "
          + layout.families().get(family).coarseSpan());
    }
  }

  static void checkFamilies(TileLayout layout, int n) {
    if (n != layout.families().size()) {
      throw StateCodec.Source.corrupt("a tile row has " + n + " families, its layout " + layout.families().size());
    }
  }
}
