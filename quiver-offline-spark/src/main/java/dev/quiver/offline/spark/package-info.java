/**
 * The Apache Spark offline engine ({@code offline: {engine: spark}}): the same plans as the DuckDB
 * engine, computed by Spark executors, in local mode or on a cluster (see docs/spark.md).
 *
 * <p>{@link dev.quiver.offline.spark.SparkEngineProvider} is the only public type, registered for
 * {@link java.util.ServiceLoader} as a {@link dev.quiver.core.offline.OfflineEngineProvider}.
 * Everything else is package-private: the shared session ({@code SparkSessions}); the type and value
 * mappings ({@code SparkTypes}, {@code SparkValues}); how files are read with each row's position for
 * the tie rule ({@code SparkScans}); the query rows and their SQL ({@code QueryRows}, {@code
 * QuerySql}); a training set as one Dataset ({@code TrainingSetJob}), whose executor steps are {@code
 * JoinPartition} (the core {@code JoinSweep} per key) and {@code FinishPartition} (derived
 * features); and how it is written ({@code TrainingSetFile}) or streamed ({@code SparkRows}).
 * Table sources: how folders add columns ({@code SparkTables}), files at URIs ({@code
 * SparkRemoteFiles}) and time columns by the source's timestamp_format ({@code SparkTimes}).
 * Materialization's reads — the latest row per key and every row in the tie order ({@code
 * SparkLatestRows}) — and the distributed writes into the online store by the executors: latest
 * rows ({@code SparkOnlineWriter}, the engine's {@link dev.quiver.core.offline.LatestRowsWriter}
 * capability) and window-aggregate tile rows ({@code SparkTileWriter}, {@link
 * dev.quiver.core.offline.TileRowsWriter}).
 */
package dev.quiver.offline.spark;
