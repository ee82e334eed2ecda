#!/usr/bin/env python3
"""Feast's Python feature server (`feast serve`) over Quiver's online workload, for ServeBenchmark.

Reads WORK_DIR/online-workload.json (written by dev.quiver.bench.online.OnlineWorkload: the Java
ServeBenchmark builds it), and in WORK_DIR/feast-serve/STORE:

  1. writes feature_store.yaml (local provider, DuckDB offline store, the online store: sqlite, or
     redis on a fresh redis-server 6.2 from the embedded-redis jar via the Java helper
     dev.quiver.bench.online.RedisServerMain, or --redis-url), applies the entity `user` (user_id,
     int64) and the view `user_wide` (the same 50 column features over the same Parquet file, TTL
     --ttl-days as Quiver's ServeBenchmark uses), and materializes it over the workload's window,
     timed (skipped with --reuse when the repo exists);
  2. starts `feast serve` on 127.0.0.1:--port (--workers gunicorn/uvicorn workers, no access log,
     --max-requests 0 so that gunicorn never recycles a worker during a run: Feast's default of 1000
     would restart a worker every few seconds under load), waits for /health, then prints
     `url http://127.0.0.1:PORT` and `pid N` (the gunicorn master; its workers are its children);
  3. if a command follows `--`, runs it with {url} and {pid} replaced, then stops the server; otherwise
     serves until standard input closes (or Ctrl-C).

Usage: python serve_feast.py WORK_DIR [--store sqlite|redis] [--port 6570] [--workers 1] [--ttl-days 3650]
          [--max-requests 0] [--reuse] [--java PATH --java-cp CP | --redis-url redis://HOST:PORT] [-- COMMAND ...]
See README.md beside this file.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request


def main():
    argv = sys.argv[1:]
    command = []
    if "--" in argv:
        i = argv.index("--")
        argv, command = argv[:i], argv[i + 1:]
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("work_dir")
    p.add_argument("--store", default="sqlite", choices=["sqlite", "redis"])
    p.add_argument("--port", type=int, default=6570)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--max-requests", type=int, default=0, help="gunicorn worker recycling; 0 = never (Feast's default: 1000)")
    p.add_argument("--ttl-days", type=int, default=3650)
    p.add_argument("--reuse", action="store_true", help="reuse a repo materialized before")
    p.add_argument("--java", default="java")
    p.add_argument("--java-cp", help="class path of quiver-benchmarks (jar and lib/*) for the redis-server helper")
    p.add_argument("--redis-url", help="use this Redis (flushed first!) instead of starting one")
    args = p.parse_args(argv)
    work = os.path.abspath(args.work_dir)
    with open(os.path.join(work, "online-workload.json")) as f:
        w = json.load(f)
    repo = os.path.join(work, "feast-serve", args.store)
    helper = None
    server = None
    try:
        url = args.redis_url
        if args.store == "redis" and url is None:
            if args.reuse:
                sys.exit("--reuse with redis needs --redis-url (a fresh redis-server is empty)")
            helper, url = start_redis(args)
            print(f"redis-server 6.2 (embedded-redis jar) at {url}", flush=True)
        if not (args.reuse and os.path.exists(os.path.join(repo, "feature_store.yaml"))):
            setup(w, repo, args, url)
        server = start_feast(repo, args)
        print(f"url http://127.0.0.1:{args.port}", flush=True)
        print(f"pid {server.pid}", flush=True)
        if command:
            cmd = [c.replace("{url}", f"http://127.0.0.1:{args.port}").replace("{pid}", str(server.pid)) for c in command]
            rc = subprocess.call(cmd)
            sys.exit(rc)
        else:
            try:
                while sys.stdin.read(1):
                    pass
            except KeyboardInterrupt:
                pass
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        if helper is not None:
            helper.stdin.close()
            helper.wait(timeout=30)


def start_redis(args):
    if not args.java_cp:
        sys.exit("--java-cp (quiver-benchmarks jar and lib/*) or --redis-url is needed for the redis store")
    helper = subprocess.Popen([args.java, "-cp", args.java_cp, "dev.quiver.bench.online.RedisServerMain"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    url = helper.stdout.readline().split()[1]
    helper.stdout.readline()  # pid
    return helper, url


def setup(w, repo, args, redis_url):
    from datetime import datetime, timedelta
    import pyarrow.parquet as pq
    from feast import Entity, FeatureStore, FeatureView, Field, FileSource
    from feast.types import Bool, Float64, Int64, String
    from feast.value_type import ValueType

    shutil.rmtree(repo, ignore_errors=True)
    os.makedirs(repo)
    if args.store == "sqlite":
        online = f"  type: sqlite\n  path: {os.path.join(repo, 'online.db')}\n"
    else:
        import redis
        redis.Redis.from_url(redis_url).flushall()
        online = f"  type: redis\n  connection_string: \"{redis_url.split('://', 1)[-1]}\"\n"
    with open(os.path.join(repo, "feature_store.yaml"), "w") as f:
        f.write("# written by quiver-benchmarks/feast/serve_feast.py\n"
                "project: online_bench\nprovider: local\n"
                f"registry: {os.path.join(repo, 'registry.db')}\n"
                f"online_store:\n{online}"
                "offline_store:\n  type: duckdb\n"
                "entity_key_serialization_version: 3\n")
    fs = FeatureStore(repo_path=repo)
    src = w["source"]
    schema = pq.read_schema(src["path"])
    dtype = {"int64": Int64, "double": Float64, "string": String, "large_string": String, "bool": Bool}
    source = FileSource(name=src["name"], path=src["path"], timestamp_field=src["timestamp_field"],
                        created_timestamp_column=src["created_timestamp_column"])
    user = Entity(name=w["entity"]["name"], join_keys=[w["entity"]["join_key"]], value_type=ValueType.INT64)
    features = w["views"]["user_wide"]
    view = FeatureView(name="user_wide", entities=[user], ttl=timedelta(days=args.ttl_days),
                       schema=[Field(name=f, dtype=dtype[str(schema.field(f).type)]) for f in features],
                       source=source, online=True)
    fs.apply([user, view])
    start = datetime.fromisoformat(w["start"].replace("Z", "+00:00"))
    end = datetime.fromisoformat(w["end"].replace("Z", "+00:00"))
    print(f"[{args.store}] materializing user_wide ({len(features)} features, {w['rows']:,} source rows, "
          f"{w['distinct_keys']:,} keys); load average {os.getloadavg()[0]:.2f}", flush=True)
    t0 = time.time()
    fs.materialize(start_date=start, end_date=end, feature_views=["user_wide"])
    print(f"[{args.store}] materialized in {time.time() - t0:.1f} s", flush=True)


def start_feast(repo, args):
    feast = os.path.join(os.path.dirname(sys.executable), "feast")
    cmd = [feast, "-c", repo, "serve", "-h", "127.0.0.1", "-p", str(args.port), "-w", str(args.workers),
           "--no-access-log", "--max-requests", str(args.max_requests), "--registry_ttl_sec", "3600"]
    print("starting: " + " ".join(cmd), flush=True)
    log = open(os.path.join(repo, "feast-serve.log"), "w")
    server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 180
    while time.time() < deadline:
        if server.poll() is not None:
            sys.exit(f"feast serve exited with {server.returncode}; see {log.name}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/health", timeout=2) as r:
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    sys.exit(f"feast serve did not answer /health within 180 s; see {log.name}")


if __name__ == "__main__":
    main()
