/**
 * The reference workloads of DESIGN §5 as runnable mains; results and the commands that produced
 * them are in {@code docs/benchmarks.md}. Nothing here runs during {@code ./mvnw verify} except a
 * small smoke test that keeps the workload builder working.
 *
 * <p>{@link dev.quiver.bench.TrainingSetBenchmark}: point-in-time training sets (1M query rows × 3
 * views × 10M rows to Parquet), over a workload built by {@link dev.quiver.bench.ReferenceWorkload};
 * {@code feast/historical_feast.py} beside this module runs Feast on the same files.
 */
package dev.quiver.bench;
