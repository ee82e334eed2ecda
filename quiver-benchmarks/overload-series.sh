#!/bin/bash
# Overload at 2x capacity with the server (and redis-server) and the load generator on CPUs of their own, pinned only
# once the server's JIT has settled (docs/benchmarks.md, "Overload at 2x capacity, measured validly"). Usage:
#   overload-series.sh OUT JARS "TARGETS" [more SecurityBenchmark options]
#   OUT: folder for the logs and the workload (OUT/online-200k, made on the first run)
#   JARS: folder with quiver-benchmarks.jar and lib/ (copied from quiver-benchmarks/target after a package)
#   TARGETS: latency targets in ms, 0 = off, e.g. "5 0 5 0"
# Every run starts its server, redis-server and the generator unpinned, drives HTTP and gRPC (admitted and refused)
# until two rounds in a row take at most 0.1 s of JIT CPU, then pins the server JVM and redis-server to CPU 1 and the
# generator to CPU 0 (taskset -a -p). Run 0 (target off) measures the capacity: the 2xx per second of a closed loop of
# 16 connections (HTTP; gRPC: 16 calls in flight); every later run offers twice that, open model, at the same fixed
# rates, so that the targets get the same load. Each burst prints the rate really offered and is INVALID under 95% of
# it; overload-summary.py OUT/*.log makes the table of the valid ones. A run takes about 2.5 minutes.
java=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
out=$1; jars=$2; targets=$3; shift 3
mkdir -p "$out"
run() { # $1 = log name, the rest = options
  local log=$1; shift
  $java --enable-native-access=ALL-UNNAMED -cp "$jars/quiver-benchmarks.jar:$jars/lib/*" \
    dev.quiver.bench.serve.SecurityBenchmark "$out/online-200k" --rows 200000 --keys 20000 --store redis --parts overload \
    --warmup 2s --duration 6s --saturation-connections 256 --capacity-connections 16 --server-queue-budget 5 \
    --client-cpus 0 --server-cpus 1 "$@" > "$out/$log.log" 2>&1
  grep -h -E 'JIT (settled|NOT)|offer:' "$out/$log.log" | sed 's/^ */    /'
}
echo "=== capacity run (off) $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
run 0-cap --server-latency-target 0 "$@"
http=$(grep -o 'HTTP at [0-9,]*/s (2× capacity)' "$out/0-cap.log" | head -1 | sed 's/HTTP at \([0-9,]*\).*/\1/; s/,//g')
grpc=$(grep -o 'gRPC at [0-9,]*/s (2× capacity)' "$out/0-cap.log" | head -1 | sed 's/gRPC at \([0-9,]*\).*/\1/; s/,//g')
if [ -z "$http" ]; then
  echo "no capacity in $out/0-cap.log" >&2
  exit 1
fi
echo "2x capacity: HTTP $http/s, gRPC ${grpc:-?}/s"
n=0
for t in $targets; do
  n=$((n+1))
  echo "=== run $n target=$t $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
  run "$n-$t" --server-latency-target "$t" --overload-rate "$http" ${grpc:+--overload-grpc-rate $grpc} "$@"
done
echo "=== end $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
