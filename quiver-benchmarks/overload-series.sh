#!/bin/bash
# Overload at 2x saturation with the server and the load generator on cores of their own (docs/benchmarks.md,
# "Overload at a true 2x saturation"). Usage:
#   overload-series.sh OUT JARS "TARGETS" [more SecurityBenchmark options]
#   OUT: folder for the logs and the workload (OUT/online-200k, made on the first run)
#   JARS: folder with quiver-benchmarks.jar and lib/ (copied from quiver-benchmarks/target after a package)
#   TARGETS: latency targets in ms, 0 = off, e.g. "5 0 5 0"
# The server JVM and redis-server run on CPU 1, the load generator on CPU 0. Run 0 (target off) measures the
# saturation: the 2xx per second of a closed loop of 32 connections (HTTP; gRPC: 32 calls in flight), few enough that
# the queue budget refuses next to nothing (256 connections get most of their requests refused, and their 2xx rate is
# well under what the server serves); every later run offers twice that, open model, at the same fixed rates, and
# its closed loop has 256 connections. Each run takes about 2 minutes. overload-summary.py OUT/*.log makes the table.
java=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
out=$1; jars=$2; targets=$3; shift 3
mkdir -p "$out"
run() { # $1 = log name, the rest = options
  local log=$1; shift
  $java --enable-native-access=ALL-UNNAMED -cp "$jars/quiver-benchmarks.jar:$jars/lib/*" \
    dev.quiver.bench.serve.SecurityBenchmark "$out/online-200k" --rows 200000 --keys 20000 --store redis --parts overload \
    --warmup 2s --duration 8s --jit-warmup 8s --saturation-connections 256 --server-queue-budget 5 \
    --client-cpus 0 --server-cpus 1 "$@" > "$out/$log.log" 2>&1
}
echo "=== saturation run (off) $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
run 0-sat --server-latency-target 0 "$@" --saturation-connections 32
http=$(grep -o 'HTTP at [0-9,]*/s (2× saturation)' "$out/0-sat.log" | head -1 | sed 's/HTTP at \([0-9,]*\).*/\1/; s/,//g')
grpc=$(grep -o 'gRPC at [0-9,]*/s (2× saturation)' "$out/0-sat.log" | head -1 | sed 's/gRPC at \([0-9,]*\).*/\1/; s/,//g')
if [ -z "$http" ]; then
  echo "no saturation rate in $out/0-sat.log" >&2
  exit 1
fi
echo "2x saturation: HTTP $http/s, gRPC ${grpc:-?}/s"
n=0
for t in $targets; do
  n=$((n+1))
  echo "=== run $n target=$t $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
  run "$n-$t" --server-latency-target "$t" --overload-rate "$http" ${grpc:+--overload-grpc-rate $grpc} "$@"
done
echo "=== end $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
