/**
 * Point-in-time-correct training sets. A {@link dev.quiver.core.offline.HistoricalRequest} names
 * query rows and features; the {@link dev.quiver.core.offline.PointInTimePlanner} checks it against the
 * registry and the query's columns and builds one immutable {@link
 * dev.quiver.core.offline.PointInTimePlan}; an {@link dev.quiver.core.offline.OfflineEngine} (DuckDB,
 * Spark) renders and runs that plan. The semantics live in the plan's Javadoc, once; the code that
 * computes them over sorted or hashed rows, which every engine calls instead of re-deriving it,
 * lives in {@link dev.quiver.core.offline.sweep}. The plan is {@link java.io.Serializable}, so a
 * distributed engine can ship it to its workers.
 *
 * <p>Materialization reads a {@link dev.quiver.core.offline.LatestRowsPlan}; an engine that can also
 * write its latest rows into the online store from its own workers declares the optional {@link
 * dev.quiver.core.offline.LatestRowsWriter} capability, and one that can rebuild window-aggregate
 * tile rows there ({@link dev.quiver.core.online.TileRowsJob}) the {@link
 * dev.quiver.core.offline.TileRowsWriter} capability.
 */
package dev.quiver.core.offline;
