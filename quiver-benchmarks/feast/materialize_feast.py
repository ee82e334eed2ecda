#!/usr/bin/env python3
"""Feast's materialization and online reads on Quiver's online workload, timed.

Reads WORK_DIR/online-workload.json (written by dev.quiver.bench.online.OnlineWorkload, which the
Java benchmarks MaterializeBenchmark and OnlineReadBenchmark build), defines the same entity
(user -> user_id, int64), source (the same Parquet file, event_ts, created_ts) and feature views
(user_latest: 10 features, user_wide: 50 features; TTL 90 days) in a Feast repo under
WORK_DIR/feast/STORE, and per online store (sqlite, redis), each in a child process of its own:

  1. store.materialize(START, END, feature_views=[view]) for each view, timed; the time spent inside
     the online store's online_write_batch is summed separately (the rest is Feast's offline
     latest-row query and its conversion of rows to protobuf values);
  2. store.get_online_features(features=[50 user_wide refs], entity_rows={"user_id": [...]})
     .to_dict() for requests of 1 and 100 entities drawn uniformly (seeded) from the materialized
     keys, one thread, back to back: --warmup calls, then --iterations timed calls; p50/p90/p99/
     p99.9/max and throughput.

Redis: unless --redis-url is given, each redis run starts a fresh redis-server 6.2 through the Java
helper dev.quiver.bench.online.RedisServerMain (--java, --java-cp): the same server build the Java
benchmarks use (LocalRedis, from the embedded-redis jar).

Usage: python materialize_feast.py WORK_DIR [--stores sqlite,redis] [--offline duckdb]
          [--views user_latest,user_wide] [--iterations 2000] [--warmup 200] [--runs 1]
          [--java PATH --java-cp CP | --redis-url redis://HOST:PORT] [--max-rss-gb 12] [--timeout-min 60]
See README.md beside this file.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("work_dir")
    p.add_argument("--stores", default="sqlite,redis", help="comma-separated: sqlite, redis")
    p.add_argument("--offline", default="duckdb", help="Feast offline store that materialize reads: duckdb or file")
    p.add_argument("--views", default="user_latest,user_wide", help="views to materialize, in order")
    p.add_argument("--runs", type=int, default=1, help="materializations per view and store (fresh repo and store each)")
    p.add_argument("--iterations", type=int, default=2000, help="timed online reads per request size")
    p.add_argument("--warmup", type=int, default=200, help="untimed online reads first")
    p.add_argument("--sizes", default="1,100", help="entities per online request")
    p.add_argument("--java", default="java", help="a JDK 21+ java for the redis-server helper")
    p.add_argument("--java-cp", help="class path of quiver-benchmarks (jar and lib/*) for the redis-server helper")
    p.add_argument("--redis-url", help="use this Redis (flushed first!) instead of starting one")
    p.add_argument("--max-rss-gb", type=float, default=12.0)
    p.add_argument("--timeout-min", type=float, default=60.0)
    p.add_argument("--one-store", help=argparse.SUPPRESS)
    p.add_argument("--one-run", type=int, default=1, help=argparse.SUPPRESS)
    args = p.parse_args()
    work = os.path.abspath(args.work_dir)
    if args.one_store:
        run_store(work, args.one_store, args)
        return
    with open(os.path.join(work, "online-workload.json")) as f:
        w = json.load(f)
    print(f"workload: {w['rows']:,} source rows, {w['distinct_keys']:,} distinct user keys; views "
          f"{', '.join(f'{k} ({len(v)} features)' for k, v in w['views'].items())}; offline store {args.offline}",
          flush=True)
    print_versions()
    results = {}
    for store in [s.strip() for s in args.stores.split(",") if s.strip()]:
        for run in range(1, args.runs + 1):
            print(f"\n== Feast, {store} online store, run {run}/{args.runs}; load average {load_average()}", flush=True)
            helper = None
            cmd = [sys.executable, os.path.abspath(__file__), work, "--one-store", store, "--one-run", str(run),
                   "--offline", args.offline, "--views", args.views, "--iterations", str(args.iterations),
                   "--warmup", str(args.warmup), "--sizes", args.sizes, "--max-rss-gb", str(args.max_rss_gb),
                   "--timeout-min", str(args.timeout_min)]
            try:
                if store == "redis":
                    url = args.redis_url
                    if url is None:
                        helper, url, pid = start_redis(args)
                        print(f"redis-server 6.2 (embedded-redis jar) at {url}, pid {pid}", flush=True)
                    cmd += ["--redis-url", url]
                rc = subprocess.call(cmd)
                if helper is not None:
                    print(f"redis-server peak RSS {peak_rss_mb(pid):,} MB", flush=True)
            finally:
                if helper is not None:
                    helper.stdin.close()
                    helper.wait(timeout=30)
            result_file = os.path.join(work, "feast", store, "result.json")
            if os.path.exists(result_file):
                with open(result_file) as f:
                    r = json.load(f)
                if rc != 0 or not r.get("complete"):
                    r["failed"] = f"exit code {rc}"
                results.setdefault(store, []).append(r)
            else:
                results.setdefault(store, []).append({"failed": f"exit code {rc}"})
    print("\n== summary", flush=True)
    for store, runs in results.items():
        for i, r in enumerate(runs, 1):
            if "failed" in r:
                print(f"  {store} run {i}: did not finish ({r['failed']}; see above); finished steps:")
            for view, m in r.get("materialize", {}).items():
                print(f"  {store} run {i}: materialize {view} ({m['features']} features): {m['seconds']:.1f} s = "
                      f"{w['rows'] / m['seconds']:,.0f} input rows/s ({m['keys'] / m['seconds']:,.0f} keys/s); "
                      f"online_write_batch {m['write_seconds']:.1f} s, the rest {m['seconds'] - m['write_seconds']:.1f} s")
            for line in r.get("reads", []):
                print(f"  {store} run {i}: {line}")
            if "peak_rss_mb" in r:
                print(f"  {store} run {i}: peak RSS {r['peak_rss_mb']:,} MB")


def start_redis(args):
    if not args.java_cp:
        sys.exit("--java-cp (quiver-benchmarks jar and lib/*) or --redis-url is needed for the redis store")
    helper = subprocess.Popen([args.java, "-cp", args.java_cp, "dev.quiver.bench.online.RedisServerMain"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    url = helper.stdout.readline().split()[1]
    pid = int(helper.stdout.readline().split()[1])
    return helper, url, pid


def run_store(work, store, args):
    start = time.time()
    watchdog = Watchdog(args.max_rss_gb, args.timeout_min * 60, start)
    watchdog.start()

    from datetime import datetime, timedelta, timezone
    import numpy as np
    import pyarrow.parquet as pq
    from feast import Entity, FeatureStore, FeatureView, Field, FileSource, RepoConfig
    from feast.types import Bool, Float64, Int64, String
    from feast.value_type import ValueType

    with open(os.path.join(work, "online-workload.json")) as f:
        w = json.load(f)
    repo = os.path.join(work, "feast", store)
    shutil.rmtree(repo, ignore_errors=True)
    os.makedirs(repo)

    if store == "sqlite":
        online = {"type": "sqlite", "path": os.path.join(repo, "online.db")}
    elif store == "redis":
        host_port = args.redis_url.split("://", 1)[-1]
        import redis
        redis.Redis.from_url(args.redis_url).flushall()
        online = {"type": "redis", "connection_string": host_port}
    else:
        sys.exit(f"unknown store '{store}' (sqlite, redis)")
    config = RepoConfig(
        project="online_bench",
        provider="local",
        registry=os.path.join(repo, "registry.db"),
        online_store=online,
        offline_store={"type": args.offline},
        entity_key_serialization_version=3,
        repo_path=repo,
    )
    fs = FeatureStore(config=config)

    src = w["source"]
    schema = pq.read_schema(src["path"])
    dtype = {"int64": Int64, "double": Float64, "string": String, "large_string": String, "bool": Bool}
    source = FileSource(name=src["name"], path=src["path"], timestamp_field=src["timestamp_field"],
                        created_timestamp_column=src["created_timestamp_column"])
    user = Entity(name=w["entity"]["name"], join_keys=[w["entity"]["join_key"]], value_type=ValueType.INT64)
    views = {}
    for name, features in w["views"].items():
        views[name] = FeatureView(name=name, entities=[user], ttl=timedelta(seconds=w["ttl_seconds"]),
                                  schema=[Field(name=f, dtype=dtype[str(schema.field(f).type)]) for f in features],
                                  source=source, online=True)
    fs.apply([user] + list(views.values()))
    print(f"[{store}] Feast repo applied in {time.time() - start:.1f} s", flush=True)

    # Time spent in the online store's writes, summed over materialize's batches.
    online_store = fs._get_provider().online_store
    cls = type(online_store)
    original = cls.online_write_batch
    spent = [0.0]

    def timed_write(self, *a, **kw):
        t = time.perf_counter()
        try:
            return original(self, *a, **kw)
        finally:
            spent[0] += time.perf_counter() - t

    cls.online_write_batch = timed_write

    start_ts = datetime.fromisoformat(w["start"].replace("Z", "+00:00"))
    end_ts = datetime.fromisoformat(w["end"].replace("Z", "+00:00"))
    result = {"store": store, "materialize": {}, "reads": []}
    for name in [v.strip() for v in args.views.split(",") if v.strip()]:
        print(f"[{store}] materialize {name}: load average {load_average()}", flush=True)
        watchdog.stage = f"materialize {name}"
        spent[0] = 0.0
        t0 = time.time()
        fs.materialize(start_date=start_ts, end_date=end_ts, feature_views=[name])
        s = time.time() - t0
        m = {"features": len(w["views"][name]), "seconds": s, "write_seconds": spent[0], "keys": w["distinct_keys"]}
        result["materialize"][name] = m
        print(f"[{store}] materialize {name} ({m['features']} features): {s:.2f} s = {w['rows'] / s:,.0f} input rows/s, "
              f"{w['distinct_keys'] / s:,.0f} keys/s; inside online_write_batch {spent[0]:.2f} s, the rest (offline "
              f"latest-row query, conversion to protos) {s - spent[0]:.2f} s; peak RSS so far {watchdog.peak_mb:,} MB",
              flush=True)
        save(repo, result, watchdog)
    if store == "sqlite":
        print(f"[{store}] online.db: {os.path.getsize(online['path']) / 2**20:,.0f} MB", flush=True)

    if "user_wide" in result["materialize"]:
        keys = pq.read_table(w["keys_path"]).column("user_id").to_pylist()
        refs = [f"user_wide:{f}" for f in w["views"]["user_wide"]]
        for size in [int(x) for x in args.sizes.split(",")]:
            rng = random.Random(7 + size)

            def request():
                return {"user_id": [keys[rng.randrange(len(keys))] for _ in range(size)]}

            d = fs.get_online_features(features=refs, entity_rows=request()).to_dict()
            nulls = sum(v is None for f in w["views"]["user_wide"] for v in d[f])
            print(f"[{store}] a {size}-entity request returns {len(d) - 1} features; {nulls} of {size * len(refs)} "
                  f"values are null", flush=True)
            watchdog.stage = f"online reads, {size} entities"
            for _ in range(args.warmup):
                fs.get_online_features(features=refs, entity_rows=request()).to_dict()
            lat = np.empty(args.iterations, dtype=np.int64)
            t_all = time.perf_counter()
            for i in range(args.iterations):
                req = request()
                t = time.perf_counter_ns()
                fs.get_online_features(features=refs, entity_rows=req).to_dict()
                lat[i] = time.perf_counter_ns() - t
            wall = time.perf_counter() - t_all
            q = np.percentile(lat, [50, 90, 99, 99.9]) / 1e6
            line = (f"{size:3d} entities x {len(refs)} features, get_online_features().to_dict(): p50 {q[0]:.3f} ms  "
                    f"p90 {q[1]:.3f} ms  p99 {q[2]:.3f} ms  p99.9 {q[3]:.3f} ms  max {lat.max() / 1e6:.3f} ms  "
                    f"mean {lat.mean() / 1e6:.3f} ms; {args.iterations / wall:,.0f} req/s")
            result["reads"].append(line)
            print(f"[{store}] {line}", flush=True)
            save(repo, result, watchdog)
    result["complete"] = True
    save(repo, result, watchdog)
    watchdog.stop()


def save(repo, result, watchdog):
    """Writes what is measured so far, so a run the watchdog ends still reports its finished steps."""
    result["peak_rss_mb"] = watchdog.peak_mb
    with open(os.path.join(repo, "result.json"), "w") as f:
        json.dump(result, f)


class Watchdog(threading.Thread):
    """Tracks this process's peak RSS (children included) and ends it above a limit or after a timeout."""

    def __init__(self, max_rss_gb, timeout_s, start):
        super().__init__(daemon=True)
        import psutil
        self.proc = psutil.Process()
        self.limit_mb = int(max_rss_gb * 1024)
        self.deadline = start + timeout_s
        self.start_time = start
        self.peak_mb = 0
        self.stage = "setup"
        self.done = threading.Event()

    def rss_mb(self):
        total = self.proc.memory_info().rss
        for c in self.proc.children(recursive=True):
            try:
                total += c.memory_info().rss
            except Exception:
                pass
        return total // (1024 * 1024)

    def run(self):
        last_report = time.time()
        while not self.done.wait(0.2):
            rss = self.rss_mb()
            self.peak_mb = max(self.peak_mb, rss)
            now = time.time()
            if rss > self.limit_mb or now > self.deadline:
                why = f"RSS {rss:,} MB > {self.limit_mb:,} MB" if rss > self.limit_mb else "timeout"
                print(f"\nABORTED ({why}) after {now - self.start_time:.0f} s during {self.stage}; "
                      f"peak RSS {self.peak_mb:,} MB; load average {load_average()}", flush=True)
                os._exit(3)
            if now - last_report > 60:
                print(f"  ... {now - self.start_time:.0f} s, {self.stage}, RSS {rss:,} MB "
                      f"(peak {self.peak_mb:,} MB), load average {load_average()}", flush=True)
                last_report = now

    def stop(self):
        self.done.set()


def peak_rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return -1


def print_versions():
    import duckdb
    import feast
    import pandas
    import pyarrow
    import redis
    print(f"Python {sys.version.split()[0]}; feast {feast.__version__}, pandas {pandas.__version__}, pyarrow "
          f"{pyarrow.__version__}, duckdb {duckdb.__version__}, redis-py {redis.__version__}", flush=True)


def load_average():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


if __name__ == "__main__":
    main()
