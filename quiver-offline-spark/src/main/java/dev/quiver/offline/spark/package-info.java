/**
 * The Apache Spark offline engine ({@code offline: {engine: spark}}): the same plans as the DuckDB
 * engine, computed by Spark executors, in local mode or on a cluster.
 *
 * <p>{@link dev.quiver.offline.spark.SparkEngineProvider} is the only public type, registered for
 * {@link java.util.ServiceLoader} as a {@link dev.quiver.core.offline.OfflineEngineProvider}.
 * Everything else is package-private: the shared session ({@code SparkSessions}), the type and value
 * mappings ({@code SparkTypes}, {@code SparkValues}), how files are read with each row's position
 * for the tie rule ({@code SparkScans}) and the query rows ({@code QueryRows}); materialization's
 * reads — the latest row per key and every row in the tie order ({@code SparkLatestRows}) — and the
 * distributed write of latest rows into the online store by the executors ({@code SparkOnlineWriter},
 * the engine's {@link dev.quiver.core.offline.LatestRowsWriter} capability).
 */
package dev.quiver.offline.spark;
