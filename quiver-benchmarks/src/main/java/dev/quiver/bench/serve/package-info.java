/**
 * The feature server under load (issue 5, DESIGN §5 "online, 1 entity × 50 features, HTTP"):
 * {@link dev.quiver.bench.serve.LoadGenerator}, a constant-arrival-rate HTTP load generator that
 * measures latency from each request's intended time (no coordinated omission) into HdrHistograms,
 * with a closed-loop saturation mode; {@link dev.quiver.bench.serve.ServeBenchmark}, which
 * materializes the online workload, starts the server in a JVM of its own
 * ({@link dev.quiver.bench.serve.ServerMain}) and runs the load; the same generator drives Feast's
 * feature server ({@code feast/serve_feast.py} beside this module). Issue 20:
 * {@link dev.quiver.bench.serve.SecurityBenchmark} (TLS and authentication on vs off, overload at 2×
 * saturation with admitted and refused latencies apart and the time to recover, slow-loris clients),
 * with {@link dev.quiver.bench.serve.GrpcLoad} for gRPC and {@link dev.quiver.bench.serve.SlowClients}; its overload part
 * warms the server unpinned until the JIT settles and pins only then ({@link dev.quiver.bench.serve.WarmThenPin}), prints
 * each pinned CPU's busy share ({@link dev.quiver.bench.serve.CpuBusy}, {@link dev.quiver.bench.serve.PhaseCpu}) and
 * checks that the generator offered the rate asked ({@link dev.quiver.bench.serve.LoadResult#offerLine}).
 * Issue 23: {@link dev.quiver.bench.serve.ReadCpuBenchmark}, the CPU time of one read in process and
 * of the per-feature serving metrics alone; {@link dev.quiver.bench.serve.LoggingPairBenchmark}, feature
 * logging's cost on the p99 from many short alternating phases against a logged and an unlogged server
 * running at once, compared pair by pair ({@link dev.quiver.bench.serve.PairedDifferences}). Results:
 * {@code docs/benchmarks.md}.
 */
package dev.quiver.bench.serve;
