/**
 * Materialization and online-read benchmarks (DESIGN §5): {@link dev.quiver.bench.online.MaterializeBenchmark}
 * and {@link dev.quiver.bench.online.OnlineReadBenchmark} over the workload of {@link
 * dev.quiver.bench.online.OnlineWorkload}, on RocksDB and on Redis; {@link
 * dev.quiver.bench.online.RedisServerMain} gives the Feast script beside this module the same
 * redis-server. Results: {@code docs/benchmarks-online.md}.
 */
package dev.quiver.bench.online;
