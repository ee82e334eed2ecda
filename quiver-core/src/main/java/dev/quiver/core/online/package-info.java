/**
 * The online side: the {@link dev.quiver.core.online.OnlineStore} plug-in interface (RocksDB
 * embedded, Redis and Redis Cluster), the versioned byte encodings of entity keys and feature rows
 * every store holds ({@link dev.quiver.core.online.KeyEncoding}, {@link
 * dev.quiver.core.online.RowEncoding}; see docs/online-encoding.md), and online reads with per-value
 * statuses.
 */
package dev.quiver.core.online;
