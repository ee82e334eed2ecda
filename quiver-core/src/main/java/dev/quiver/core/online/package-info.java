/**
 * The online side: the {@link dev.quiver.core.online.OnlineStore} plug-in interface (RocksDB
 * embedded, Redis and Redis Cluster), the versioned byte encodings of entity keys and feature rows
 * every store holds ({@link dev.quiver.core.online.KeyEncoding}, {@link
 * dev.quiver.core.online.RowEncoding}; see docs/online-encoding.md), and online reads with per-value
 * statuses. Materialized rows are encoded by {@link dev.quiver.core.online.LatestRowEncoder} wherever they
 * are written, and an {@link dev.quiver.core.online.OnlineStoreOpener} lets an engine's workers open
 * the store themselves.
 *
 * <p>Writes: {@link dev.quiver.core.online.Pusher} (pushed rows and stream batches; its
 * package-private parts check the columns, encode the keys once per push, append the offline file
 * and find the tile layouts) and {@link dev.quiver.core.online.Materializer} (the offline store into
 * the online one; a reader thread hands batches to the writing thread, or the engine's own workers
 * write, and tile rows are rebuilt by {@code TileRebuild}).
 */
package dev.quiver.core.online;
