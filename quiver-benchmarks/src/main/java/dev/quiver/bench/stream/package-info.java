/**
 * Stream ingestion benchmarks (issue 19, DESIGN §5 "stream ingestion"): {@link
 * dev.quiver.bench.stream.IngestBenchmark} (throughput of the Kafka consumer into RocksDB and Redis,
 * with and without window aggregates, over pre-produced events) and {@link
 * dev.quiver.bench.stream.FreshnessBenchmark} (produce → servable at a fixed event rate while the
 * server answers a fixed request rate). Both start a single-node KRaft broker in a JVM of its own
 * ({@link dev.quiver.bench.stream.KafkaBrokerMain}); the freshness benchmark also starts the server
 * with the consumer in its JVM ({@link dev.quiver.bench.stream.StreamServerMain}). {@link
 * dev.quiver.bench.stream.TileWriteBenchmark} and {@link dev.quiver.bench.stream.TileReadBenchmark}
 * measure the tile rows alone, in thread CPU time: a write (decode, add, encode) and a serving read. {@link
 * dev.quiver.bench.stream.BlindAppendBenchmark} and {@link
 * dev.quiver.bench.stream.PendingReadBenchmark} are the ninth round's spike: tile writes as blind
 * RocksDB merges folded every K appends, against today's read-modify-write, and what a serving read
 * pays per pending event. Results:
 * {@code docs/benchmarks.md}, section "Stream ingestion (issue 19)".
 */
package dev.quiver.bench.stream;
