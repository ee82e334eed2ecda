#!/usr/bin/env python3
"""Feast's push path (`POST /push` of `feast serve`), for the stream-ingestion comparison.

Sets up a Feast repo in WORK_DIR/feast-push (local provider, SQLite online store, file offline
store): an entity `user` (user_id, int64), a PushSource `events_push` over a one-row Parquet
batch source, and a view `user_events` with --features float64 features. Starts `feast serve`
(--workers), then pushes rows for --duration seconds from --clients client threads, --batch rows
per request, keys drawn from --keys users, event times increasing:

  * throughput: rows pushed per second (requests answered 200), and requests/s;
  * push latency: the time of each POST /push, p50/p99 (Feast writes online before it answers, so
    a 200 means servable);
  * it checks at the end that the last row pushed for a few keys reads back online.

With --url the same load goes to a running feature server instead (e.g. `quiver serve` on a repo
with the same source and view: Quiver's /push takes Feast's body); then nothing is set up.
--write-quiver-repo writes that Quiver repo (WORK_DIR/quiver-push: source `events_push` over a
one-row Parquet file, view `user_events` with the same --features float64 features and TTL, RocksDB
online store) and exits; apply it and serve it with `quiver apply` and `quiver serve`.

Usage: python push_feast.py WORK_DIR [--features 10] [--batch 100] [--clients 4] [--duration 20]
          [--keys 100000] [--port 6571] [--workers 1] [--url http://HOST:PORT --source NAME]
          [--write-quiver-repo]
"""

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import datetime, timedelta, timezone


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("work_dir")
    p.add_argument("--features", type=int, default=10)
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--duration", type=float, default=20)
    p.add_argument("--warmup", type=float, default=3)
    p.add_argument("--keys", type=int, default=100_000)
    p.add_argument("--port", type=int, default=6571)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--url", help="push to this running server instead of starting feast serve")
    p.add_argument("--source", default="events_push", help="the push source's name (with --url)")
    p.add_argument("--view", default="user_events", help="the view read back (with --url)")
    p.add_argument("--write-quiver-repo", action="store_true",
                   help="write WORK_DIR/quiver-push, a Quiver repo with the same source and view, and exit")
    args = p.parse_args()
    if args.write_quiver_repo:
        write_quiver_repo(os.path.join(os.path.abspath(args.work_dir), "quiver-push"), args)
        return
    server = None
    try:
        if args.url:
            url = args.url.rstrip("/")
        else:
            repo = os.path.join(os.path.abspath(args.work_dir), "feast-push")
            setup(repo, args)
            server = start_feast(repo, args)
            url = f"http://127.0.0.1:{args.port}"
        run(url, args)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)


def setup(repo, args):
    import pandas as pd
    from feast import Entity, FeatureStore, FeatureView, Field, FileSource, PushSource
    from feast.types import Float64
    from feast.value_type import ValueType

    shutil.rmtree(repo, ignore_errors=True)
    os.makedirs(repo)
    with open(os.path.join(repo, "feature_store.yaml"), "w") as f:
        f.write("# written by quiver-benchmarks/feast/push_feast.py\n"
                "project: push_bench\nprovider: local\n"
                f"registry: {os.path.join(repo, 'registry.db')}\n"
                f"online_store:\n  type: sqlite\n  path: {os.path.join(repo, 'online.db')}\n"
                "offline_store:\n  type: file\n"
                "entity_key_serialization_version: 3\n")
    names = [f"f{i}" for i in range(args.features)]
    row = {"user_id": [0], "event_ts": [pd.Timestamp("2026-01-01", tz="UTC")]}
    row.update({n: [0.0] for n in names})
    path = os.path.join(repo, "events.parquet")
    pd.DataFrame(row).to_parquet(path)
    batch = FileSource(name="events_file", path=path, timestamp_field="event_ts")
    push = PushSource(name="events_push", batch_source=batch)
    user = Entity(name="user", join_keys=["user_id"], value_type=ValueType.INT64)
    view = FeatureView(name="user_events", entities=[user], ttl=timedelta(days=3650),
                       schema=[Field(name=n, dtype=Float64) for n in names], source=push, online=True)
    FeatureStore(repo_path=repo).apply([user, push, view])


def write_quiver_repo(repo, args):
    """The Quiver twin of setup(): same entity, source columns, view, features and TTL."""
    import pandas as pd

    shutil.rmtree(repo, ignore_errors=True)
    os.makedirs(os.path.join(repo, "features"))
    os.makedirs(os.path.join(repo, "data", "events"))
    names = [f"f{i}" for i in range(args.features)]
    row = {"user_id": [0], "event_ts": [pd.Timestamp("2026-01-01")]}
    row.update({n: [0.0] for n in names})
    pd.DataFrame(row).to_parquet(os.path.join(repo, "data", "events", "part-0.parquet"))
    with open(os.path.join(repo, "quiver.yaml"), "w") as f:
        f.write("# written by quiver-benchmarks/feast/push_feast.py --write-quiver-repo\n"
                "project: push_bench\nregistry: {type: file, path: .quiver/registry}\n"
                "offline: {engine: duckdb}\nonline: {type: rocksdb, path: .quiver/online}\n"
                "definitions: [features]\n")
    with open(os.path.join(repo, "features", "push.yaml"), "w") as f:
        f.write("entities:\n  - {name: user, join_keys: [user_id], type: int64}\n"
                "sources:\n  - {name: events_push, path: data/events/*.parquet, timestamp: event_ts}\n"
                "feature_views:\n  - name: user_events\n    entities: [user]\n    source: events_push\n"
                "    ttl: 3650d\n    features:\n")
        for n in names:
            f.write(f"      - {{name: {n}}}\n")
    print(f"wrote {repo}; next: quiver apply -r {repo}, then quiver serve -r {repo}")


def start_feast(repo, args):
    feast = os.path.join(os.path.dirname(sys.executable), "feast")
    cmd = [feast, "-c", repo, "serve", "-h", "127.0.0.1", "-p", str(args.port), "-w", str(args.workers),
           "--no-access-log", "--max-requests", "0", "--registry_ttl_sec", "3600"]
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


def body(args, rng, clock, last):
    """One push request: --batch rows, event times increasing by one microsecond per row."""
    users, times = [], []
    cols = {f"f{i}": [] for i in range(args.features)}
    for _ in range(args.batch):
        u = rng.randrange(args.keys)
        t = clock.next()
        users.append(u)
        times.append(t.isoformat())
        for c in cols.values():
            c.append(rng.random())
        last[u] = (t, cols["f0"][-1])
    df = {"user_id": users, "event_ts": times}
    df.update(cols)
    return json.dumps({"push_source_name": args.source, "df": df, "to": "online"}).encode()


class Clock:
    """Event times: now, one microsecond apart, shared by the client threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.t = datetime.now(timezone.utc) - timedelta(minutes=30)

    def next(self):
        with self.lock:
            self.t += timedelta(microseconds=1)
            return self.t


def run(url, args):
    import http.client
    from urllib.parse import urlparse

    u = urlparse(url)
    clock = Clock()
    stop = threading.Event()
    measuring = threading.Event()
    lat, rows, errors = [], [0], [0]
    lock = threading.Lock()
    last = {}

    def client(seed):
        rng = random.Random(seed)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        mine_last = {}
        while not stop.is_set():
            b = body(args, rng, clock, mine_last)
            t0 = time.perf_counter()
            try:
                conn.request("POST", "/push", b, {"Content-Type": "application/json"})
                r = conn.getresponse()
                r.read()
                status = r.status
            except OSError:
                status = None  # the server dropped the connection: an error, then a new connection
                conn.close()
                conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
            dt = time.perf_counter() - t0
            if measuring.is_set():
                with lock:
                    if status == 200:
                        lat.append(dt)
                        rows[0] += args.batch
                    else:
                        errors[0] += 1
        with lock:
            for k, v in mine_last.items():
                if k not in last or v[0] > last[k][0]:
                    last[k] = v

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(args.clients)]
    for t in threads:
        t.start()
    time.sleep(args.warmup)
    measuring.set()
    t0 = time.perf_counter()
    time.sleep(args.duration)
    measuring.clear()
    elapsed = time.perf_counter() - t0
    stop.set()
    for t in threads:
        t.join()
    lat.sort()
    q = lambda f: lat[min(len(lat) - 1, int(f * len(lat)))] * 1000 if lat else float("nan")
    print(f"server {url}  batch {args.batch}  clients {args.clients}  features {args.features}  "
          f"duration {elapsed:.1f} s")
    print(f"rows/s {rows[0] / elapsed:,.0f}  requests/s {len(lat) / elapsed:,.1f}  errors {errors[0]}  "
          f"push latency ms p50 {q(0.5):.2f} p99 {q(0.99):.2f} max {lat[-1] * 1000 if lat else float('nan'):.2f}")
    check(url, args, last)


def check(url, args, last):
    """The newest pushed row of a few keys reads back online."""
    keys = list(last)[:20]
    req = json.dumps({"features": [f"{args.view}:f0"], "entities": {"user_id": keys}}).encode()
    r = urllib.request.urlopen(urllib.request.Request(url + "/get-online-features", req,
                                                      {"Content-Type": "application/json"}), timeout=30)
    out = json.loads(r.read())
    values = out["results"][1]["values"]
    wrong = sum(1 for k, v in zip(keys, values) if v is None or abs(v - last[k][1]) > 1e-12)
    print(f"read back: {len(keys) - wrong}/{len(keys)} keys show their newest pushed value")


if __name__ == "__main__":
    main()
