/**
 * Window aggregation, written once for every path: {@link dev.quiver.core.aggregate.Aggregator}
 * (the kernels: prepare, update, merge, finish, and a versioned state byte format, see
 * docs/aggregation-encoding.md), {@link dev.quiver.core.aggregate.WindowSpec} (the sawtooth window
 * {@code [align(t − W, H), t)} and its hop tiles, in UTC microseconds), {@link
 * dev.quiver.core.aggregate.WindowSweep} (one aggregate at many query times of an entity, in one
 * sorted pass, for the offline engines), {@link dev.quiver.core.aggregate.TileLayout} and {@link
 * dev.quiver.core.aggregate.EntityTiles} (an entity's online tiles, head and coarse blocks, and
 * their byte format, docs/online-encoding.md; the serving read straight from the bytes is in the
 * package-private {@code TileRowBytes}; rows written before sum/avg and variance/stddev shared a
 * family are turned into shared ones by the package-private {@code UnsharedRows}, and tiles no read
 * can see are dropped before a row is written by {@code ShadowedTiles}) and {@link dev.quiver.core.aggregate.RowFilter} (an
 * aggregate's {@code where:} condition). Every kernel is order-independent, which is why the
 * offline sweep and the online tiles agree bit for bit.
 */
package dev.quiver.core.aggregate;
