/**
 * Point-in-time-correct training sets. A {@link dev.quiver.core.offline.HistoricalRequest} names
 * query rows and features; the {@link dev.quiver.core.offline.PointInTimePlanner} checks it against the
 * registry and the query's columns and builds one immutable {@link
 * dev.quiver.core.offline.PointInTimePlan}; an {@link dev.quiver.core.offline.OfflineEngine} (DuckDB,
 * later Spark) renders and runs that plan. The semantics live in the plan's Javadoc, once.
 *
 * <p>Materialization reads a {@link dev.quiver.core.offline.LatestRowsPlan}; an engine that can also
 * write its latest rows into the online store from its own workers declares the optional {@link
 * dev.quiver.core.offline.LatestRowsWriter} capability.
 */
package dev.quiver.core.offline;
