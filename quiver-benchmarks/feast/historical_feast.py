#!/usr/bin/env python3
"""Feast's point-in-time training set on Quiver's reference workload, timed and compared with Quiver.

Reads WORK_DIR/workload.json (written by dev.quiver.bench.TrainingSetBenchmark), defines the same
entities, source, feature views (features, TTL) in a Feast repo under WORK_DIR/feast/STORE, runs

    store.get_historical_features(entity_df=..., features=[...], full_feature_names=True).to_df()

with the file (Dask) offline store and the DuckDB offline store, each in its own child process (so
that each store's peak memory is its own and a store that blows up cannot take the others down),
writes the result to WORK_DIR/feast/STORE/training_set.parquet, and compares it cell by cell with
Quiver's output (WORK_DIR/out/quiver.parquet), rows matched by query_id.

Timed, as for Quiver: reading the query rows, the training set, writing Parquet. Not timed: the
Feast repo setup (apply) and the comparison.

A watchdog ends a child that passes --max-rss-gb or --timeout-min and reports how far it got; the
machine is shared, so a store that would need more memory than is free must not take it.

Usage: python historical_feast.py WORK_DIR [--stores file,duckdb] [--runs 1] [--max-rss-gb 16]
                                   [--timeout-min 60]
See README.md beside this file.
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("work_dir")
    p.add_argument("--stores", default="file,duckdb", help="comma-separated: file, duckdb")
    p.add_argument("--runs", type=int, default=1, help="training sets per store (one Feast repo, one process)")
    p.add_argument("--max-rss-gb", type=float, default=16.0, help="end a store's process above this resident memory")
    p.add_argument("--timeout-min", type=float, default=60.0, help="end a store's process after this long")
    p.add_argument("--compare-only", action="store_true",
                   help="only compare each store's saved training_set.parquet with Quiver's output again")
    p.add_argument("--one-store", help=argparse.SUPPRESS)
    args = p.parse_args()
    work = os.path.abspath(args.work_dir)
    if args.compare_only:
        import pandas as pd
        with open(os.path.join(work, "workload.json")) as f:
            workload = json.load(f)
        for store in [s.strip() for s in args.stores.split(",") if s.strip()]:
            saved = os.path.join(work, "feast", store, "training_set.parquet")
            if os.path.exists(saved):
                compare(pd.read_parquet(saved), workload, store)
            else:
                print(f"[{store}] no saved training set at {saved}")
        return
    if args.one_store:
        run_store(work, args.one_store, args)
        return
    with open(os.path.join(work, "workload.json")) as f:
        workload = json.load(f)
    print(f"workload: {workload['query_rows']:,} query rows x {len(workload['views'])} views over "
          f"{workload['rows']:,} source rows ({work})", flush=True)
    print_versions()
    print(f"load average before: {load_average()}", flush=True)
    results = {}
    for store in [s.strip() for s in args.stores.split(",") if s.strip()]:
        cmd = [sys.executable, os.path.abspath(__file__), work, "--one-store", store, "--runs", str(args.runs),
               "--max-rss-gb", str(args.max_rss_gb), "--timeout-min", str(args.timeout_min)]
        print(f"\n== Feast, {store} offline store", flush=True)
        rc = subprocess.call(cmd)
        result_file = os.path.join(work, "feast", store, "result.json")
        if rc == 0 and os.path.exists(result_file):
            with open(result_file) as f:
                results[store] = json.load(f)
        else:
            results[store] = {"failed": f"exit code {rc}"}
    print("\n== summary", flush=True)
    for store, r in results.items():
        if "failed" in r:
            print(f"  {store}: did not finish ({r['failed']}; see above)")
        else:
            best = min(r["seconds"])
            m = r["mismatches"]
            print(f"  {store}: best {best:.2f} s = {r['rows'] / best:,.0f} rows/s; peak RSS {r['peak_rss_mb']:,} MB; "
                  f"vs Quiver: {m['mismatching_cells']} mismatching cells, {m['missing_rows']} query rows missing, "
                  f"{m['extra_rows']} extra rows")


def run_store(work, store, args):
    start = time.time()
    watchdog = Watchdog(args.max_rss_gb, args.timeout_min * 60, start)
    watchdog.start()

    import pandas as pd
    import pyarrow.parquet as pq
    import pytz
    from datetime import timedelta
    from feast import Entity, FeatureStore, FeatureView, Field, FileSource, RepoConfig
    from feast.types import Bool, Float64, Int64, String
    from feast.value_type import ValueType

    with open(os.path.join(work, "workload.json")) as f:
        w = json.load(f)
    repo = os.path.join(work, "feast", store)
    os.makedirs(repo, exist_ok=True)
    for stale in ("registry.db", "online.db", "result.json", "training_set.parquet"):
        if os.path.exists(os.path.join(repo, stale)):
            os.remove(os.path.join(repo, stale))

    if store == "file":
        offline = {"type": "file"}
    elif store == "duckdb":
        offline = {"type": "duckdb"}
    else:
        sys.exit(f"unknown store '{store}' (file, duckdb)")
    config = RepoConfig(
        project="reference",
        provider="local",
        registry=os.path.join(repo, "registry.db"),
        online_store={"type": "sqlite", "path": os.path.join(repo, "online.db")},
        offline_store=offline,
        entity_key_serialization_version=3,
        repo_path=repo,
    )
    fs = FeatureStore(config=config)

    # The same definitions as Quiver's: types from the source file's schema.
    src = w["source"]
    schema = pq.read_schema(src["path"])
    dtype = {"int64": Int64, "double": Float64, "string": String, "large_string": String, "bool": Bool}
    source = FileSource(name=src["name"], path=src["path"], timestamp_field=src["timestamp_field"],
                        created_timestamp_column=src["created_timestamp_column"])
    entities = {}
    for v in w["views"]:
        for name, key in zip(v["entities"], v["join_keys"]):
            entities[name] = Entity(name=name, join_keys=[key], value_type=ValueType.INT64)
    views = []
    refs = []
    for v in w["views"]:
        fields = [Field(name=f, dtype=dtype[str(schema.field(f).type)]) for f in v["features"]]
        views.append(FeatureView(name=v["name"], entities=[entities[e] for e in v["entities"]],
                                 ttl=timedelta(seconds=v["ttl_seconds"]), schema=fields, source=source, online=False))
        refs.extend(f"{v['name']}:{f}" for f in v["features"])
    fs.apply(list(entities.values()) + views)
    print(f"[{store}] Feast repo applied in {time.time() - start:.1f} s: {len(views)} views, {len(refs)} features",
          flush=True)

    out = os.path.join(repo, "training_set.parquet")
    seconds = []
    df = None
    for i in range(1, args.runs + 1):
        print(f"[{store}] run {i}/{args.runs}: load average {load_average()}", flush=True)
        watchdog.stage = f"run {i}: reading the query rows"
        t0 = time.time()
        entity_df = pd.read_parquet(w["query"]["path"])
        # Feast compares time zones with pytz.UTC; naive timestamps are UTC (as in Quiver).
        ts = w["query"]["timestamp_column"]
        entity_df[ts] = entity_df[ts].dt.tz_localize(pytz.UTC)
        watchdog.stage = f"run {i}: get_historical_features().to_df()"
        t1 = time.time()
        df = fs.get_historical_features(entity_df=entity_df, features=refs, full_feature_names=True).to_df()
        t2 = time.time()
        watchdog.stage = f"run {i}: writing Parquet"
        df.to_parquet(out, index=False)
        t3 = time.time()
        seconds.append(t3 - t0)
        print(f"[{store}] run {i}/{args.runs}: {len(df):,} rows in {t3 - t0:.2f} s = {len(df) / (t3 - t0):,.0f} rows/s "
              f"(read query {t1 - t0:.2f} s, get_historical_features+to_df {t2 - t1:.2f} s, write {t3 - t2:.2f} s); "
              f"peak RSS so far {watchdog.peak_mb:,} MB", flush=True)
    watchdog.stage = "comparing with Quiver"
    mismatches = compare(df, w, store)
    result = {"store": store, "rows": len(df), "seconds": seconds, "peak_rss_mb": watchdog.peak_mb,
              "mismatches": mismatches}
    with open(os.path.join(repo, "result.json"), "w") as f:
        json.dump(result, f)
    watchdog.stop()


def compare(feast_df, w, store):
    """Counts cells that differ between Feast's and Quiver's training sets (rows by query id)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    quiver_path = w["quiver_output"]
    if not os.path.exists(quiver_path):
        print(f"[{store}] no Quiver output at {quiver_path}: run TrainingSetBenchmark at this scale first; not compared")
        return {"missing_rows": None, "extra_rows": None, "mismatching_cells": None}
    qid = w["query"]["id_column"]
    quiver = pq.read_table(quiver_path).sort_by(qid)
    feast = pa.Table.from_pandas(feast_df, preserve_index=False).sort_by(qid)
    missing = quiver.num_rows - pc.sum(pc.cast(pc.is_in(quiver[qid], value_set=feast[qid]), pa.int64())).as_py()
    extra = feast.num_rows - pc.sum(pc.cast(pc.is_in(feast[qid], value_set=quiver[qid]), pa.int64())).as_py()
    if missing or extra or feast.num_rows != pc.count_distinct(feast[qid]).as_py():
        print(f"[{store}] row sets differ: Quiver {quiver.num_rows:,} rows, Feast {feast.num_rows:,}; "
              f"{missing:,} query rows missing from Feast's output, {extra:,} rows Feast added; "
              f"comparing cells on the rows both have", flush=True)
        quiver = quiver.filter(pc.is_in(quiver[qid], value_set=feast[qid]))
        feast = feast.filter(pc.is_in(feast[qid], value_set=quiver[qid]))
        if not quiver[qid].equals(feast[qid]):
            print(f"[{store}] Feast's output repeats query rows; not compared")
            return {"missing_rows": missing, "extra_rows": extra, "mismatching_cells": None}
    features = [f"{v['name']}__{f}" for v in w["views"] for f in v["features"]]
    total = 0
    for col in features:
        a, b = quiver[col], feast[col]
        if a.type != b.type:
            common = pa.float64() if pa.types.is_floating(a.type) or pa.types.is_floating(b.type) else a.type
            a, b = a.cast(common), b.cast(common)
        both_null = pc.and_(pc.is_null(a), pc.is_null(b))
        equal = pc.fill_null(pc.equal(a, b), False)
        differ = pc.invert(pc.or_(equal, both_null))
        n = pc.sum(pc.cast(differ, pa.int64())).as_py() or 0
        total += n
        if n:
            idx = pc.indices_nonzero(differ).to_pylist()[:3]
            examples = "; ".join(f"{qid}={quiver[qid][i].as_py()}: quiver={a[i].as_py()!r} feast={b[i].as_py()!r}"
                                 for i in idx)
            print(f"[{store}]   {col}: {n:,} mismatches, e.g. {examples}")
    nulls = sum(quiver[c].null_count for c in features)
    print(f"[{store}] compared {quiver.num_rows:,} rows x {len(features)} features with Quiver: "
          f"{total:,} mismatching cells ({nulls:,} compared cells are null in Quiver's output)", flush=True)
    return {"missing_rows": missing, "extra_rows": extra, "compared_rows": quiver.num_rows, "mismatching_cells": total}


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
            if now - last_report > 30:
                print(f"  ... {now - self.start_time:.0f} s, {self.stage}, RSS {rss:,} MB "
                      f"(peak {self.peak_mb:,} MB)", flush=True)
                last_report = now

    def stop(self):
        self.done.set()


def print_versions():
    import dask
    import duckdb
    import feast
    import ibis
    import pandas
    import pyarrow
    print(f"Python {sys.version.split()[0]}; feast {feast.__version__}, pandas {pandas.__version__}, dask "
          f"{dask.__version__}, pyarrow {pyarrow.__version__}, duckdb {duckdb.__version__}, ibis {ibis.__version__}",
          flush=True)


def load_average():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


if __name__ == "__main__":
    main()
