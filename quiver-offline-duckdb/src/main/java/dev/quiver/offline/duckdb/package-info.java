/**
 * The embedded offline engine: DuckDB over Parquet and CSV files.
 *
 * <p>{@link dev.quiver.offline.duckdb.DuckDbSchemaReader} reads the columns of a source's files so
 * that definitions are checked against the data as it is; it is registered for {@link
 * java.util.ServiceLoader} as a {@link dev.quiver.core.spi.SourceSchemaReader}. Everything else in
 * this package is package-private: how the files a source path names ({@link
 * dev.quiver.core.spi.SourceFiles}) are quoted into DuckDB SQL, and how DuckDB's type spellings map
 * to Quiver's types.
 *
 * <p>A training set is rendered to {@code Step}s (SQL statements and Java work) on one connection.
 * The point-in-time match is a hash ASOF join in Java ({@code LatestRowMatch}: the query rows as
 * core {@link dev.quiver.core.offline.sweep.JoinSlots}, keys numbered by core {@link
 * dev.quiver.core.offline.sweep.KeyIds}, each source scanned once through {@code MatchRows}, the
 * picks written by {@code PicksTable}); window aggregates are the core {@link
 * dev.quiver.core.offline.sweep.JoinSweep#run} over rows DuckDB sorts ({@code WindowAggregateSweep}).
 * The sweeps and the rules they apply are engine-neutral and live in core ({@link
 * dev.quiver.core.offline.sweep}); what is here is how DuckDB scans the files, feeds the sweeps,
 * fetches the picked rows' columns and writes the output: a file ({@code COPY}), JDBC rows, or
 * DuckDB's own Arrow batches ({@code DuckDbArrowRows}, through Arrow's C data interface, which the
 * caller puts on the class path; this module needs no Arrow to compile). The engine itself ({@code
 * DuckDbOfflineEngine}) opens connections and answers the {@link dev.quiver.core.offline.OfflineEngine}
 * calls; {@code StepRunner} runs the steps with progress and timings, {@code TrainingSteps} adds the
 * derived-feature step, {@code RepoConfinement} keeps query SQL inside the feature repo, and {@code
 * DuckDbFailures} turns DuckDB errors into exceptions that name the source file or the fix.
 *
 * <p>Every call opens its own in-memory DuckDB connection and closes it before returning, so the
 * public types are thread-safe and hold no native resources between calls.
 */
package dev.quiver.offline.duckdb;
